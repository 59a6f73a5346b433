//! A job's buffers (from the pool), its bind groups, and the command buffer of its passes.

use std::borrow::Cow;
use std::num::NonZeroU64;

use super::pipelines::Pipelines;
use crate::gpu::context::GpuContext;
use crate::gpu::pool::{BufferKind, BufferPool};
use crate::gpu::texels;
use crate::program::Program;
use crate::validate::{bound_len, BindingKind, KernelInterface};

/// Alignment of each pass's parameters in the uniform buffer (`min_uniform_buffer_offset_alignment`).
const PARAMS_ALIGN: u64 = 256;

/// What an input or the output is bound as.
enum Bound {
    /// A buffer, bound from its start with this size.
    Buffer(wgpu::Buffer, u64),
    /// A texel input ([`BindingKind::TexelInput`]).
    Texels(wgpu::TextureView),
}

/// The resources of one job on the device.
pub(super) struct Bindings {
    /// Every pooled buffer taken, to give back after the job.
    taken: Vec<(BufferKind, wgpu::Buffer)>,
    /// One per pass.
    bind_groups: Vec<wgpu::BindGroup>,
    output: wgpu::Buffer,
    /// The buffer the output is copied into, to be mapped.
    pub(super) readback: wgpu::Buffer,
    /// The output's bound length (the job's output length rounded up to 4 bytes).
    pub(super) out_size: u64,
    /// Pooled input and parameter buffers and how many leading bytes this job wrote: the rest may hold an
    /// earlier job's data, which a read past a binding's end could see on a backend whose bounds checks are
    /// per buffer rather than per binding, so it is zeroed before the passes.
    stale_tails: Vec<(wgpu::Buffer, u64)>,
}

impl Bindings {
    /// Uploads the inputs (zero-padded to 4 bytes; texel inputs as textures) and every pass's parameters (at
    /// 256-byte aligned offsets of one uniform buffer), and creates a bind group per pass.
    pub(super) fn create(
        ctx: &GpuContext,
        pool: &mut BufferPool,
        iface: &KernelInterface,
        program: &Program,
        inputs: &[Cow<'_, [u8]>],
        layout: &wgpu::BindGroupLayout,
    ) -> Self {
        let (device, queue) = (ctx.device(), ctx.queue());
        let mut taken: Vec<(BufferKind, wgpu::Buffer)> = Vec::new();
        let mut bound: Vec<Bound> = Vec::new();
        let mut stale_tails: Vec<(wgpu::Buffer, u64)> = Vec::new();
        for (data, binding) in inputs.iter().zip(&iface.bindings) {
            if binding.kind == BindingKind::TexelInput {
                bound.push(Bound::Texels(texels::upload(device, queue, data)));
                continue;
            }
            let size = bound_len(data.len() as u64);
            let buffer = pool.take(device, BufferKind::Input, size);
            upload(queue, &buffer, data);
            stale_tails.push((buffer.clone(), size));
            bound.push(Bound::Buffer(buffer.clone(), size));
            taken.push((BufferKind::Input, buffer));
        }
        let out_size = bound_len(program.output_len);
        let output = pool.take(device, BufferKind::Output, out_size);
        bound.push(Bound::Buffer(output.clone(), out_size));
        taken.push((BufferKind::Output, output.clone()));
        let params = iface.has_params.then(|| {
            let stride = program.passes.iter().map(|p| bound_len(p.params.len() as u64)).max().unwrap_or(4);
            let stride = stride.div_ceil(PARAMS_ALIGN) * PARAMS_ALIGN;
            let buffer = pool.take(device, BufferKind::Params, stride * program.passes.len() as u64);
            // Each pass's slot whole, zeros past its parameters: a read past them sees no other job's.
            let mut slots = vec![0u8; (stride * program.passes.len() as u64) as usize];
            for (i, pass) in program.passes.iter().enumerate() {
                let at = i * stride as usize;
                slots[at..at + pass.params.len()].copy_from_slice(&pass.params);
            }
            queue.write_buffer(&buffer, 0, &slots);
            stale_tails.push((buffer.clone(), slots.len() as u64));
            taken.push((BufferKind::Params, buffer.clone()));
            (buffer, stride)
        });
        let readback = pool.take(device, BufferKind::Readback, out_size);
        taken.push((BufferKind::Readback, readback.clone()));

        let bind_groups = (0..program.passes.len())
            .map(|i| {
                let mut entries: Vec<wgpu::BindGroupEntry<'_>> = bound
                    .iter()
                    .enumerate()
                    .map(|(binding, bound)| match bound {
                        Bound::Buffer(buffer, size) => entry(binding as u32, buffer, 0, *size),
                        Bound::Texels(view) => wgpu::BindGroupEntry {
                            binding: binding as u32,
                            resource: wgpu::BindingResource::TextureView(view),
                        },
                    })
                    .collect();
                if let Some((buffer, stride)) = &params {
                    let size = bound_len(program.passes[i].params.len() as u64);
                    entries.push(entry(bound.len() as u32, buffer, i as u64 * stride, size));
                }
                device.create_bind_group(&wgpu::BindGroupDescriptor {
                    label: Some("gpu-worker pass"),
                    layout,
                    entries: &entries,
                })
            })
            .collect();
        Bindings { taken, bind_groups, output, readback, out_size, stale_tails }
    }

    /// One command buffer: the output and the stale tails of the pooled buffers cleared, the passes in order,
    /// the output copied to the readback buffer.
    pub(super) fn record(
        &self,
        device: &wgpu::Device,
        program: &Program,
        pipelines: &Pipelines,
    ) -> wgpu::CommandBuffer {
        let mut encoder =
            device.create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some("gpu-worker job") });
        encoder.clear_buffer(&self.output, 0, None);
        for (buffer, written) in &self.stale_tails {
            if *written < buffer.size() {
                encoder.clear_buffer(buffer, *written, None);
            }
        }
        {
            let mut cpass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
                label: Some("gpu-worker"),
                timestamp_writes: None,
            });
            for ((pass, pipeline), bind_group) in
                program.passes.iter().zip(&pipelines.passes).zip(&self.bind_groups)
            {
                cpass.set_pipeline(pipeline);
                cpass.set_bind_group(0, bind_group, &[]);
                let [x, y, z] = pass.workgroups;
                cpass.dispatch_workgroups(x, y, z);
            }
        }
        encoder.copy_buffer_to_buffer(&self.output, 0, &self.readback, 0, Some(self.out_size));
        encoder.finish()
    }

    /// Gives the buffers back to the pool for the next jobs (after the bind groups that use them are gone).
    pub(super) fn release(self, pool: &mut BufferPool) {
        let Bindings { taken, bind_groups, .. } = self;
        drop(bind_groups);
        for (kind, buffer) in taken {
            pool.give(kind, buffer);
        }
    }
}

fn entry(binding: u32, buffer: &wgpu::Buffer, offset: u64, size: u64) -> wgpu::BindGroupEntry<'_> {
    wgpu::BindGroupEntry {
        binding,
        resource: wgpu::BindingResource::Buffer(wgpu::BufferBinding {
            buffer,
            offset,
            size: NonZeroU64::new(size),
        }),
    }
}

/// Writes `data` at the start of `buffer`, zero-padded to its bound length, without copying the aligned part.
fn upload(queue: &wgpu::Queue, buffer: &wgpu::Buffer, data: &[u8]) {
    let aligned = data.len() / 4 * 4;
    if aligned > 0 {
        queue.write_buffer(buffer, 0, &data[..aligned]);
    }
    if aligned < data.len() || data.is_empty() {
        let mut tail = [0u8; 4];
        tail[..data.len() - aligned].copy_from_slice(&data[aligned..]);
        queue.write_buffer(buffer, aligned as u64, &tail);
    }
}
