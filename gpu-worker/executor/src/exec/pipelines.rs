//! The pipelines of a job's passes, from the device's kernel cache.

use super::scopes::{judge, ErrorScopes, Stage};
use super::GpuEnd;
use crate::gpu::context::GpuContext;
use crate::gpu::kernel::KernelCache;
use crate::program::Program;
use crate::validate::KernelInterface;
use crate::Error;

/// A pipeline per pass, and the bind group layout they share.
pub(super) struct Pipelines {
    pub(super) passes: Vec<wgpu::ComputePipeline>,
    pub(super) layout: wgpu::BindGroupLayout,
}

/// The pipelines of `program`'s passes (the module compiled once per kernel and device). A kernel whose
/// module or pipelines the driver refuses is evicted from the cache, so a later job compiles it afresh.
pub(super) fn create(
    ctx: &GpuContext,
    kernels: &mut KernelCache,
    iface: &KernelInterface,
    program: &Program,
) -> Result<Result<Pipelines, GpuEnd>, Error> {
    let device = ctx.device();
    let scopes = ErrorScopes::push(device);
    let kernel = kernels.get_or_create(device, iface, &program.wgsl);
    let passes = program.passes.iter().map(|pass| kernel.pipeline(device, &pass.entry_point)).collect();
    let layout = kernel.bind_group_layout.clone();
    let judged = judge(ctx, Stage::Pipelines, scopes.pop());
    if !matches!(judged, Ok(None)) {
        kernels.evict(&iface.kernel_id);
    }
    Ok(match judged? {
        None => Ok(Pipelines { passes, layout }),
        Some(end) => Err(end),
    })
}
