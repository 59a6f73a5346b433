//! Step 1: the job's shape against the protocol's limits, before its kernel is even parsed: output size,
//! number of inputs, input and parameter sizes, number of passes.

use compute_primitives::failure::FailureReason;

use super::{bound_len, Rejection};
use crate::gpu::limits::ProtocolLimits;
use crate::program::Program;

/// Step 1: the job's shape against the limits. `input_lens` are the inputs' lengths in bytes.
pub fn check_shape(program: &Program, input_lens: &[u64], limits: &ProtocolLimits) -> Result<(), Rejection> {
    if program.output_len == 0 || bound_len(program.output_len) > limits.max_output_bytes {
        return Err(Rejection::new(
            FailureReason::OutputTooLarge,
            format!(
                "output of {} bytes; the limit is 1..={} bytes",
                program.output_len, limits.max_output_bytes
            ),
        ));
    }
    if input_lens.len() > limits.max_inputs as usize {
        return Err(Rejection::new(
            FailureReason::TooManyInputs,
            format!("{} inputs; the limit is {}", input_lens.len(), limits.max_inputs),
        ));
    }
    for (i, len) in input_lens.iter().enumerate() {
        if bound_len(*len) > limits.max_input_bytes {
            return Err(Rejection::new(
                FailureReason::InputTooLarge,
                format!("input {i} has {len} bytes; the limit is {} bytes", limits.max_input_bytes),
            ));
        }
    }
    for (i, pass) in program.passes.iter().enumerate() {
        if pass.params.len() as u64 > limits.max_params_bytes {
            return Err(Rejection::new(
                FailureReason::InputTooLarge,
                format!(
                    "pass {i} has {} bytes of parameters; the limit is {}",
                    pass.params.len(),
                    limits.max_params_bytes
                ),
            ));
        }
    }
    if program.passes.is_empty() || program.passes.len() > limits.max_passes {
        return Err(Rejection::new(
            FailureReason::DispatchTooLarge,
            format!("{} passes; a program has 1..={} passes", program.passes.len(), limits.max_passes),
        ));
    }
    Ok(())
}
