//! Shader modules, layouts and pipelines, cached by kernel id.
//!
//! A kernel (`blake3(wgsl)`, [`compute_primitives::kernel_id`]) is compiled once per device: its shader
//! module, its bind group layout (built from the binding convention, see [`crate::validate`]) and one
//! compute pipeline per entry point used. The cache belongs to one device and is dropped with it.

use std::collections::{BTreeMap, HashMap};
use std::num::NonZeroU64;

use compute_primitives::KernelId;

use crate::validate::{BindingKind, KernelInterface};

/// A compiled kernel.
#[derive(Debug)]
pub struct GpuKernel {
    /// The layout of bind group 0.
    pub bind_group_layout: wgpu::BindGroupLayout,
    pipeline_layout: wgpu::PipelineLayout,
    module: wgpu::ShaderModule,
    pipelines: HashMap<String, wgpu::ComputePipeline>,
}

impl GpuKernel {
    fn new(device: &wgpu::Device, iface: &KernelInterface, wgsl: &str) -> Self {
        let entries: Vec<wgpu::BindGroupLayoutEntry> = iface
            .bindings
            .iter()
            .map(|b| {
                let buffer = |ty| wgpu::BindingType::Buffer {
                    ty,
                    has_dynamic_offset: false,
                    min_binding_size: NonZeroU64::new(b.min_size),
                };
                let ty = match b.kind {
                    BindingKind::ReadOnlyStorage => {
                        buffer(wgpu::BufferBindingType::Storage { read_only: true })
                    }
                    BindingKind::ReadWriteStorage => {
                        buffer(wgpu::BufferBindingType::Storage { read_only: false })
                    }
                    BindingKind::Uniform => buffer(wgpu::BufferBindingType::Uniform),
                    BindingKind::TexelInput => wgpu::BindingType::Texture {
                        sample_type: wgpu::TextureSampleType::Uint,
                        view_dimension: wgpu::TextureViewDimension::D2,
                        multisampled: false,
                    },
                };
                wgpu::BindGroupLayoutEntry {
                    binding: b.binding,
                    visibility: wgpu::ShaderStages::COMPUTE,
                    ty,
                    count: None,
                }
            })
            .collect();
        let bind_group_layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("gpu-worker kernel bindings"),
            entries: &entries,
        });
        let pipeline_layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("gpu-worker kernel layout"),
            bind_group_layouts: &[Some(&bind_group_layout)],
            immediate_size: 0,
        });
        let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some("gpu-worker kernel"),
            source: wgpu::ShaderSource::Wgsl(wgsl.into()),
        });
        GpuKernel { bind_group_layout, pipeline_layout, module, pipelines: HashMap::new() }
    }

    /// The pipeline of `entry_point`, compiled on first use.
    pub fn pipeline(&mut self, device: &wgpu::Device, entry_point: &str) -> wgpu::ComputePipeline {
        if let Some(pipeline) = self.pipelines.get(entry_point) {
            return pipeline.clone();
        }
        let pipeline = device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
            label: Some(entry_point),
            layout: Some(&self.pipeline_layout),
            module: &self.module,
            entry_point: Some(entry_point),
            compilation_options: wgpu::PipelineCompilationOptions {
                constants: &[],
                // WGSL zero-initializes workgroup memory; keep it so (determinism).
                zero_initialize_workgroup_memory: true,
            },
            cache: None,
        });
        self.pipelines.insert(entry_point.to_owned(), pipeline.clone());
        pipeline
    }
}

/// Compiled kernels of one device.
#[derive(Debug, Default)]
pub struct KernelCache {
    kernels: BTreeMap<KernelId, GpuKernel>,
}

impl KernelCache {
    /// The compiled kernel of `iface`, compiling `wgsl` on first use.
    pub fn get_or_create(
        &mut self,
        device: &wgpu::Device,
        iface: &KernelInterface,
        wgsl: &str,
    ) -> &mut GpuKernel {
        self.kernels.entry(iface.kernel_id).or_insert_with(|| GpuKernel::new(device, iface, wgsl))
    }

    /// Forgets a kernel (its creation failed).
    pub fn evict(&mut self, id: &KernelId) {
        self.kernels.remove(id);
    }

    /// Forgets every kernel (the device is gone).
    pub fn clear(&mut self) {
        self.kernels.clear();
    }

    /// Number of compiled kernels.
    pub fn len(&self) -> usize {
        self.kernels.len()
    }

    /// Whether no kernel is compiled.
    pub fn is_empty(&self) -> bool {
        self.kernels.is_empty()
    }
}
