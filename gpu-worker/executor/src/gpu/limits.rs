//! The protocol's limits.
//!
//! Honest providers must agree on whether a job is too large, whatever their hardware could do: a job that
//! a big GPU accepts and a small one rejects would split the replicas. So the worker enforces one fixed set
//! of limits, the WebGPU default limits ([`wgpu::Limits::defaults`]), which every adapter that can serve jobs
//! supports, and it requests exactly those limits for its device, so that wgpu's own validation is the same
//! on every machine too. A job beyond them yields the canonical failure of its reason.

use std::fmt;

const WEBGPU: wgpu::Limits = wgpu::Limits::defaults();

/// What an adapter that cannot serve jobs under the protocol's limits lacks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Shortfall {
    /// The adapter's limits are below the WebGPU defaults.
    BelowDefaults(String),
    /// The adapter cannot run compute shaders.
    NoComputeShaders,
}

impl fmt::Display for Shortfall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Shortfall::BelowDefaults(which) => {
                write!(f, "the adapter's limits are below the WebGPU defaults: {which}")
            }
            Shortfall::NoComputeShaders => f.write_str("the adapter cannot run compute shaders"),
        }
    }
}

/// The limits every job must respect (see the module documentation).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProtocolLimits {
    /// Inputs per job: the storage buffers of a stage, less one for the output.
    pub max_inputs: u32,
    /// Bytes per input (after padding to 4 bytes).
    pub max_input_bytes: u64,
    /// Bytes of output (after padding to 4 bytes).
    pub max_output_bytes: u64,
    /// Bytes of a pass's uniform parameters.
    pub max_params_bytes: u64,
    /// Workgroup size per dimension.
    pub max_workgroup_size: [u32; 3],
    /// Invocations per workgroup.
    pub max_invocations_per_workgroup: u32,
    /// Bytes of workgroup memory used by an entry point.
    pub max_workgroup_memory_bytes: u64,
    /// Workgroups per dispatch dimension.
    pub max_workgroups_per_dimension: u32,
    /// Passes per program (user jobs have one; built-in programs have a few hundred at most).
    pub max_passes: usize,
}

// The chain sizes every job's commit window counting each workgroup as this many invocations: the worker
// must refuse larger ones.
const _: () = assert!(
    ProtocolLimits::CANONICAL.max_invocations_per_workgroup
        == compute_primitives::MAX_INVOCATIONS_PER_WORKGROUP
);

impl ProtocolLimits {
    /// The protocol's limits: the WebGPU default limits.
    pub const CANONICAL: ProtocolLimits = ProtocolLimits {
        max_inputs: WEBGPU.max_storage_buffers_per_shader_stage - 1,
        max_input_bytes: WEBGPU.max_storage_buffer_binding_size,
        max_output_bytes: WEBGPU.max_storage_buffer_binding_size,
        max_params_bytes: WEBGPU.max_uniform_buffer_binding_size,
        max_workgroup_size: [
            WEBGPU.max_compute_workgroup_size_x,
            WEBGPU.max_compute_workgroup_size_y,
            WEBGPU.max_compute_workgroup_size_z,
        ],
        max_invocations_per_workgroup: WEBGPU.max_compute_invocations_per_workgroup,
        max_workgroup_memory_bytes: WEBGPU.max_compute_workgroup_storage_size as u64,
        max_workgroups_per_dimension: WEBGPU.max_compute_workgroups_per_dimension,
        max_passes: 4096,
    };

    /// The limits to request for the device: exactly the WebGPU defaults, so that wgpu validates every job
    /// the same way on every machine.
    pub fn device_limits() -> wgpu::Limits {
        wgpu::Limits::defaults()
    }
}

impl Default for ProtocolLimits {
    fn default() -> Self {
        Self::CANONICAL
    }
}

/// Whether an adapter can serve jobs: it runs compute shaders and supports the WebGPU default limits.
pub fn check_adapter(
    limits: &wgpu::Limits,
    downlevel: &wgpu::DownlevelCapabilities,
) -> Result<(), Shortfall> {
    if !downlevel.flags.contains(wgpu::DownlevelFlags::COMPUTE_SHADERS) {
        return Err(Shortfall::NoComputeShaders);
    }
    let mut failed = Vec::new();
    ProtocolLimits::device_limits().check_limits_with_fail_fn(limits, false, |name, required, allowed| {
        failed.push(format!("{name} (needs {required}, has {allowed})"));
    });
    if failed.is_empty() {
        Ok(())
    } else {
        Err(Shortfall::BelowDefaults(failed.join(", ")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_limits_are_the_webgpu_defaults() {
        let limits = ProtocolLimits::CANONICAL;
        assert_eq!(limits.max_inputs, 7);
        assert_eq!(limits.max_output_bytes, 128 << 20);
        assert_eq!(limits.max_invocations_per_workgroup, 256);
        assert_eq!(limits.max_workgroups_per_dimension, 65535);
        assert_eq!(limits.max_workgroup_memory_bytes, 16384);
    }

    #[test]
    fn adapters_below_the_defaults_are_refused() {
        let downlevel = wgpu::DownlevelCapabilities::default();
        assert_eq!(check_adapter(&wgpu::Limits::defaults(), &downlevel), Ok(()));
        let small = wgpu::Limits { max_storage_buffer_binding_size: 1 << 20, ..wgpu::Limits::defaults() };
        assert!(matches!(check_adapter(&small, &downlevel), Err(Shortfall::BelowDefaults(_))));
        let mut no_compute = wgpu::DownlevelCapabilities::default();
        no_compute.flags.remove(wgpu::DownlevelFlags::COMPUTE_SHADERS);
        assert_eq!(check_adapter(&wgpu::Limits::defaults(), &no_compute), Err(Shortfall::NoComputeShaders));
    }
}
