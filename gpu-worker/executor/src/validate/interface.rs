//! Step 3: the module's interface: no pipeline overrides, textures (but the device variants' texel inputs),
//! samplers or immediates; resource bindings that follow the convention; the compute entry points with their
//! workgroup sizes and workgroup memory.

use compute_primitives::failure::FailureReason;
use naga::valid::ModuleInfo;
use naga::{AddressSpace, Handle, Module, ScalarKind, ShaderStage, Span, StorageAccess, TypeInner};

use super::floats::first_float_use;
use super::{at_line, Binding, BindingKind, EntryPoint, KernelInterface, Rejection};

/// Whether `ty` is `texture_2d<u32>`, the type of a texel input.
fn is_texel_input(module: &Module, ty: Handle<naga::Type>) -> bool {
    matches!(
        module.types[ty].inner,
        TypeInner::Image {
            dim: naga::ImageDimension::D2,
            arrayed: false,
            class: naga::ImageClass::Sampled { kind: ScalarKind::Uint, multi: false },
        }
    )
}

/// A resource variable as declared: binding number, kind, smallest size, name, where.
type Declared = (u32, BindingKind, u64, String, Span);

/// Step 3.
pub(super) fn interface(
    source: &str,
    module: &Module,
    info: &ModuleInfo,
    device_variant: bool,
) -> Result<KernelInterface, Rejection> {
    let bindings = declared_bindings(source, module, device_variant)?;
    let (inputs, has_params) = check_convention(source, &bindings)?;
    let (entry_points, other_entry_points) = entry_points(module, info);
    Ok(KernelInterface {
        kernel_id: compute_primitives::kernel_id(source.as_bytes()),
        inputs: inputs as u32,
        bindings: bindings
            .into_iter()
            .map(|(binding, kind, min_size, name, _)| Binding { binding, kind, min_size, name })
            .collect(),
        has_params,
        entry_points,
        other_entry_points,
        float_use: first_float_use(source, module, info),
    })
}

/// The module's resource variables, by binding number; refuses overrides, other address spaces and
/// resources outside group 0.
fn declared_bindings(
    source: &str,
    module: &Module,
    device_variant: bool,
) -> Result<Vec<Declared>, Rejection> {
    if let Some((handle, _)) = module.overrides.iter().next() {
        return Err(Rejection::new(
            FailureReason::UnsupportedFeature,
            format!(
                "{}pipeline-overridable constants (`override`) are not supported: a job cannot set them",
                at_line(source, module.overrides.get_span(handle))
            ),
        ));
    }

    let mut bindings = Vec::new();
    for (handle, var) in module.global_variables.iter() {
        let span = module.global_variables.get_span(handle);
        let name = var.name.clone().unwrap_or_else(|| "<unnamed>".to_owned());
        let kind = match var.space {
            AddressSpace::Function | AddressSpace::Private | AddressSpace::WorkGroup => continue,
            AddressSpace::Storage { access } if access.contains(StorageAccess::STORE) => {
                BindingKind::ReadWriteStorage
            }
            AddressSpace::Storage { .. } => BindingKind::ReadOnlyStorage,
            AddressSpace::Uniform => BindingKind::Uniform,
            AddressSpace::Handle if device_variant && is_texel_input(module, var.ty) => BindingKind::TexelInput,
            other => {
                return Err(Rejection::new(
                    FailureReason::UnsupportedFeature,
                    format!(
                        "{}`{name}` is in address space {other:?}; only storage and uniform buffers are supported",
                        at_line(source, span)
                    ),
                ))
            }
        };
        let Some(binding) = var.binding.as_ref() else {
            return Err(Rejection::new(
                FailureReason::BindingMismatch,
                format!("{}`{name}` has no @group/@binding", at_line(source, span)),
            ));
        };
        if binding.group != 0 {
            return Err(Rejection::new(
                FailureReason::BindingMismatch,
                format!(
                    "{}`{name}` is in group {}; every resource is in group 0",
                    at_line(source, span),
                    binding.group
                ),
            ));
        }
        let min_size = match kind {
            // Any length binds: the texture has at least one row.
            BindingKind::TexelInput => 0,
            _ => module.types[var.ty].inner.try_size(module.to_ctx()).map(u64::from).unwrap_or(u64::MAX),
        };
        bindings.push((binding.binding, kind, min_size, name, span));
    }
    bindings.sort_by_key(|b| b.0);
    Ok(bindings)
}

/// The convention: read-only storage (or texel inputs) 0..n, read-write storage n, optional uniform n + 1,
/// nothing else. The number of inputs and whether there are parameters.
fn check_convention(source: &str, bindings: &[Declared]) -> Result<(usize, bool), Rejection> {
    let inputs = bindings.iter().take_while(|b| b.1.is_input()).count();
    let mismatch = |expected: &str, found: Option<&Declared>| -> Rejection {
        let message = match found {
            Some((binding, kind, _, name, span)) => format!(
                "{}binding {binding} (`{name}`, {kind:?}) breaks the binding convention: expected {expected}",
                at_line(source, *span)
            ),
            None => format!("the kernel declares no {expected}"),
        };
        Rejection::new(FailureReason::BindingMismatch, message)
    };
    for (i, b) in bindings.iter().enumerate() {
        if b.0 != i as u32 {
            return Err(mismatch(
                &format!("binding {i} (bindings are numbered 0, 1, 2... without gaps)"),
                Some(b),
            ));
        }
    }
    match bindings.get(inputs) {
        Some(b) if b.1 == BindingKind::ReadWriteStorage => {}
        other => {
            return Err(mismatch(
                &format!(
                    "the output, a read_write storage buffer, at binding {inputs} after the read-only inputs"
                ),
                other,
            ))
        }
    }
    let has_params = match bindings.get(inputs + 1) {
        None => false,
        Some(b) if b.1 == BindingKind::Uniform => true,
        other => {
            return Err(mismatch(
                &format!("at most a uniform parameter buffer at binding {}", inputs + 1),
                other,
            ))
        }
    };
    if let Some(extra) = bindings.get(inputs + 1 + usize::from(has_params)) {
        return Err(mismatch("nothing after the output and the parameters", Some(extra)));
    }
    Ok((inputs, has_params))
}

/// The compute entry points, with their workgroup memory (of the variables they use), and the names of the
/// others.
fn entry_points(module: &Module, info: &ModuleInfo) -> (Vec<EntryPoint>, Vec<String>) {
    let mut entry_points = Vec::new();
    let mut other_entry_points = Vec::new();
    for (index, ep) in module.entry_points.iter().enumerate() {
        if ep.stage != ShaderStage::Compute {
            other_entry_points.push(ep.name.clone());
            continue;
        }
        let ep_info = info.get_entry_point(index);
        let workgroup_memory = module
            .global_variables
            .iter()
            .filter(|(handle, var)| var.space == AddressSpace::WorkGroup && !ep_info[*handle].is_empty())
            .map(|(_, var)| {
                module.types[var.ty].inner.try_size(module.to_ctx()).map(u64::from).unwrap_or(u64::MAX)
            })
            .fold(0u64, u64::saturating_add);
        entry_points.push(EntryPoint {
            name: ep.name.clone(),
            workgroup_size: ep.workgroup_size,
            workgroup_memory,
        });
    }

    (entry_points, other_entry_points)
}
