//! Step 4: the job against the kernel's interface: as many inputs as the kernel declares, parameters exactly
//! when it declares them, every buffer at least as large as the type bound to it.

use compute_primitives::failure::FailureReason;

use super::{bound_len, KernelInterface, Rejection};

/// Step 4. `input_lens` are the inputs' lengths in bytes.
pub(super) fn check(
    iface: &KernelInterface,
    program: &crate::program::Program,
    input_lens: &[u64],
) -> Result<(), Rejection> {
    let mismatch = |message: String| Err(Rejection::new(FailureReason::BindingMismatch, message));
    if input_lens.len() != iface.inputs as usize {
        return mismatch(format!(
            "the job has {} inputs but the kernel declares {} read-only storage buffers",
            input_lens.len(),
            iface.inputs
        ));
    }
    for (i, len) in input_lens.iter().enumerate() {
        if let Some(b) = iface.bindings.get(i) {
            if bound_len(*len) < b.min_size {
                return mismatch(format!(
                    "input {i} has {len} bytes but `{}` needs at least {} bytes",
                    b.name, b.min_size
                ));
            }
        }
    }
    if let Some(out) = iface.output() {
        if bound_len(program.output_len) < out.min_size {
            return mismatch(format!(
                "the output has {} bytes but `{}` needs at least {} bytes",
                program.output_len, out.name, out.min_size
            ));
        }
    }
    for (i, pass) in program.passes.iter().enumerate() {
        match iface.params() {
            None if !pass.params.is_empty() => {
                return mismatch(format!(
                "pass {i} has {} bytes of parameters but the kernel declares no uniform buffer at binding {}",
                pass.params.len(),
                iface.inputs + 1
            ))
            }
            Some(p) if (pass.params.len() as u64) < p.min_size.max(1) => {
                return mismatch(format!(
                    "pass {i} has {} bytes of parameters but `{}` needs {} bytes",
                    pass.params.len(),
                    p.name,
                    p.min_size
                ))
            }
            _ => {}
        }
    }
    Ok(())
}
