//! Step 6: each pass, in order: its entry point exists and is a compute entry point, and its workgroup size,
//! workgroup memory and dispatch are within the limits.

use compute_primitives::failure::FailureReason;

use super::{KernelInterface, Rejection};
use crate::gpu::limits::ProtocolLimits;
use crate::program::Program;

/// Step 6.
pub(super) fn check(
    iface: &KernelInterface,
    program: &Program,
    limits: &ProtocolLimits,
) -> Result<(), Rejection> {
    for (i, pass) in program.passes.iter().enumerate() {
        let Some(ep) = iface.entry_points.iter().find(|ep| ep.name == pass.entry_point) else {
            let why = if iface.other_entry_points.contains(&pass.entry_point) {
                "is not a compute entry point"
            } else {
                "does not exist"
            };
            return Err(Rejection::new(
                FailureReason::EntryPointNotFound,
                format!("pass {i}: entry point `{}` {why}", pass.entry_point),
            ));
        };
        let [x, y, z] = ep.workgroup_size;
        let invocations = u64::from(x) * u64::from(y) * u64::from(z);
        let max = limits.max_workgroup_size;
        if x > max[0]
            || y > max[1]
            || z > max[2]
            || invocations > u64::from(limits.max_invocations_per_workgroup)
        {
            return Err(Rejection::new(
                FailureReason::WorkgroupTooLarge,
                format!(
                    "`{}` has @workgroup_size({x}, {y}, {z}); the limits are {max:?} and {} invocations",
                    ep.name, limits.max_invocations_per_workgroup
                ),
            ));
        }
        if ep.workgroup_memory > limits.max_workgroup_memory_bytes {
            return Err(Rejection::new(
                FailureReason::WorkgroupMemoryTooLarge,
                format!(
                    "`{}` uses {} bytes of workgroup memory; the limit is {}",
                    ep.name, ep.workgroup_memory, limits.max_workgroup_memory_bytes
                ),
            ));
        }
        if pass.workgroups.iter().any(|&n| n > limits.max_workgroups_per_dimension) {
            return Err(Rejection::new(
                FailureReason::DispatchTooLarge,
                format!(
                    "pass {i} dispatches {:?} workgroups; the limit is {} per dimension",
                    pass.workgroups, limits.max_workgroups_per_dimension
                ),
            ));
        }
    }
    Ok(())
}
