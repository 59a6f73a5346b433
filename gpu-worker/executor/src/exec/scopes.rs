//! wgpu error scopes around a stage of a job, and what a caught error means for the job.

use compute_primitives::failure::FailureReason;

use super::GpuEnd;
use crate::gpu::context::GpuContext;
use crate::validate::Rejection;
use crate::Error;

/// Validation, out-of-memory and internal error scopes, popped together.
pub(super) struct ErrorScopes {
    validation: wgpu::ErrorScopeGuard,
    out_of_memory: wgpu::ErrorScopeGuard,
    internal: wgpu::ErrorScopeGuard,
}

impl ErrorScopes {
    pub(super) fn push(device: &wgpu::Device) -> Self {
        let validation = device.push_error_scope(wgpu::ErrorFilter::Validation);
        let out_of_memory = device.push_error_scope(wgpu::ErrorFilter::OutOfMemory);
        let internal = device.push_error_scope(wgpu::ErrorFilter::Internal);
        ErrorScopes { validation, out_of_memory, internal }
    }

    /// The first error caught, innermost scope first.
    pub(super) fn pop(self) -> Option<wgpu::Error> {
        let ErrorScopes { validation, out_of_memory, internal } = self;
        let internal = futures::executor::block_on(internal.pop());
        let out_of_memory = futures::executor::block_on(out_of_memory.pop());
        let validation = futures::executor::block_on(validation.pop());
        out_of_memory.or(validation).or(internal)
    }
}

/// The stage in which wgpu reported an error: the same error means different things in each.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Stage {
    /// Shader module and pipelines: the driver's compiler refused the kernel (or crashed on it).
    Pipelines,
    /// Buffers, bind groups and commands: the checks of `validate` should have caught a mismatch.
    Bindings,
}

/// What an error caught by the scopes of `stage` means: nothing (`Ok(None)`), the end of the job
/// (`Ok(Some(..))`: the device was lost, or the job is at fault), or a problem of this machine (`Err`).
pub(super) fn judge(
    ctx: &GpuContext,
    stage: Stage,
    error: Option<wgpu::Error>,
) -> Result<Option<GpuEnd>, Error> {
    if let Some(lost) = lost_device(ctx, error.is_some()) {
        return Ok(Some(lost));
    }
    let rejected = |reason, description| Ok(Some(GpuEnd::Rejected(Rejection::new(reason, description))));
    match (stage, error) {
        (_, None) => Ok(None),
        (_, Some(wgpu::Error::OutOfMemory { source })) => Err(Error::OutOfMemory(source.to_string())),
        (Stage::Pipelines, Some(wgpu::Error::Validation { description, .. }))
        | (Stage::Pipelines, Some(wgpu::Error::Internal { description, .. })) => {
            rejected(FailureReason::PipelineRejected, description)
        }
        (Stage::Bindings, Some(wgpu::Error::Validation { description, .. })) => {
            rejected(FailureReason::BindingMismatch, description)
        }
        (Stage::Bindings, Some(wgpu::Error::Internal { description, .. })) => {
            Err(Error::Internal(description))
        }
    }
}

/// `Some(GpuEnd::Lost)` if the device is lost. wgpu reports a loss through the device-lost callback, which
/// may only run at the next poll: when `errors` (wgpu just reported an error, which a lost device causes
/// too), poll once first, so that a lost device is not mistaken for a fault of the job.
pub(super) fn lost_device(ctx: &GpuContext, errors: bool) -> Option<GpuEnd> {
    if errors && !ctx.is_lost() {
        let _ = ctx.device().poll(wgpu::PollType::Poll);
    }
    ctx.is_lost().then(|| GpuEnd::Lost(ctx.lost_message().unwrap_or_default()))
}
