//! Chain jobs and the executor's programs: a [`JobSpec`] read from the chain becomes a one-pass
//! [`Program`]; a job described on the command line becomes a [`JobSpec`] to submit.

use crate::error::Error;
use std::sync::Arc;

use bounded_collections::{BoundedVec, Get};
use compute_primitives::{failure::FailureReason, JobInput, Unbounded};

use compute_client::chain::{Balance, JobSpec};
use compute_executor::exec::Failure;
use compute_executor::program::{Input, Pass, Program};

/// The program of a chain job whose kernel source is `wgsl`. A source that is not UTF-8 cannot be WGSL: its
/// canonical failure.
pub fn program_of(spec: &JobSpec, wgsl: &[u8]) -> Result<Program, Failure> {
    let wgsl = std::str::from_utf8(wgsl)
        .map_err(|e| Failure::new(FailureReason::InvalidWgsl, format!("the kernel is not UTF-8: {e}")))?;
    let entry_point = String::from_utf8_lossy(&spec.entry_point).into_owned();
    let inputs = spec
        .inputs
        .iter()
        .map(|input| match input {
            JobInput::Inline(bytes) => Input::inline(bytes.to_vec()),
            JobInput::Generated { seed, len } => Input::Generated { seed: *seed, len: u64::from(*len) },
        })
        .collect();
    Ok(Program {
        wgsl: Arc::from(wgsl),
        inputs,
        output_len: u64::from(spec.output_len),
        passes: vec![Pass { entry_point, workgroups: spec.workgroups, params: spec.params.to_vec() }],
        exact: spec.is_exact(),
    })
}

/// The chain inputs of a one-pass program: inline bytes or generated streams (local files are read and sent
/// inline).
pub fn chain_inputs(inputs: &[Input]) -> Result<Vec<JobInput<Unbounded>>, Error> {
    inputs
        .iter()
        .map(|input| match input {
            Input::Generated { seed, len } => Ok(JobInput::Generated {
                seed: *seed,
                len: u32::try_from(*len).map_err(|_| Error::InputTooLargeForChain(*len))?,
            }),
            other => Ok(JobInput::Inline(BoundedVec::truncate_from(other.materialize()?.into_owned()))),
        })
        .collect()
}

/// The terms of a job besides what to run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobTerms {
    /// Providers that run it.
    pub replicas: u8,
    /// Matching roots needed.
    pub quorum: u8,
    /// Paid to each winning provider.
    pub reward_per_replica: Balance,
    /// The compute budget: most loop iterations of one invocation.
    pub fuel: u32,
    /// Blocks to commit; `None`: the shortest the chain allows for the job's budget.
    pub commit_window: Option<u32>,
    /// Blocks to reveal.
    pub reveal_window: u32,
    /// Blocks to wait for providers.
    pub queue_window: u32,
    /// Least GPU memory in MiB.
    pub min_vram_mib: u32,
}

/// The spec of a one-pass program with `terms`.
pub fn spec_of(program: &Program, terms: &JobTerms) -> Result<JobSpec, Error> {
    let [pass] = program.passes.as_slice() else {
        return Err(Error::MultiPass(program.passes.len()));
    };
    if !program.exact {
        return Err(Error::FloatingPoint);
    }
    Ok(JobSpec {
        kernel: compute_primitives::kernel_id(program.wgsl.as_bytes()),
        entry_point: bounded("entry point", pass.entry_point.as_bytes().to_vec())?,
        inputs: BoundedVec::truncate_from(chain_inputs(&program.inputs)?),
        params: bounded("parameter block", pass.params.clone())?,
        output_len: u32::try_from(program.output_len)
            .map_err(|_| Error::OutputTooLargeForChain(program.output_len))?,
        workgroups: pass.workgroups,
        fuel: terms.fuel,
        replicas: terms.replicas,
        quorum: terms.quorum,
        reward_per_replica: terms.reward_per_replica,
        // Set by the requester from the chain's constants when the terms leave it open.
        commit_window: terms.commit_window.unwrap_or(0),
        reveal_window: terms.reveal_window,
        queue_window: terms.queue_window,
        needs: compute_primitives::HardwareNeeds {
            min_vram_mib: terms.min_vram_mib,
            determinism_class: None,
        },
    })
}

fn bounded<T, S: Get<u32>>(what: &'static str, items: Vec<T>) -> Result<BoundedVec<T, S>, Error> {
    let len = items.len();
    BoundedVec::try_from(items).map_err(|_| Error::TooLong { what, len, max: S::get() })
}
