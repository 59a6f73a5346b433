//! Validation of kernels and jobs before anything reaches the GPU.
//!
//! A job is checked in a fixed order, and the first failed check is the job's failure reason, so that every
//! honest provider reports the same one (the order is part of the protocol; see the crate README):
//!
//! 1. the job's shape against the [`ProtocolLimits`]: output size ([`FailureReason::OutputTooLarge`]), number
//!    of inputs ([`FailureReason::TooManyInputs`]), input and parameter sizes
//!    ([`FailureReason::InputTooLarge`]), number of passes ([`FailureReason::DispatchTooLarge`]);
//! 2. the WGSL module: parsed and validated by naga with the capabilities of a device without optional
//!    features ([`FailureReason::InvalidWgsl`], with the offending line);
//! 3. the module's interface: no pipeline overrides, textures, samplers or immediates
//!    ([`FailureReason::UnsupportedFeature`]); its resource bindings follow the convention
//!    ([`FailureReason::BindingMismatch`]);
//! 4. the job against the interface: as many inputs as the kernel declares, parameters exactly when it
//!    declares them, every buffer at least as large as the type bound to it ([`FailureReason::BindingMismatch`]);
//! 5. exact jobs: no floating-point type or operation anywhere in the module
//!    ([`FailureReason::FloatInExactJob`], with the first offending line);
//! 6. each pass, in order: the entry point exists and is a compute entry point
//!    ([`FailureReason::EntryPointNotFound`]), its workgroup size ([`FailureReason::WorkgroupTooLarge`]) and
//!    workgroup memory ([`FailureReason::WorkgroupMemoryTooLarge`]) and the dispatch
//!    ([`FailureReason::DispatchTooLarge`]) are within the limits.
//!
//! # Binding convention
//!
//! Every resource is in bind group 0. With `n` inputs: bindings `0..n` are the inputs, read-only storage
//! buffers (`var<storage, read>`); binding `n` is the output, a read-write storage buffer
//! (`var<storage, read_write>`); binding `n + 1`, optional, is a uniform buffer with the pass's parameters
//! (`var<uniform>`). Nothing else is bound. Buffers are bound with their length rounded up to a multiple of
//! 4 bytes (at least 4), zero-padded; `arrayLength` sees that length.
//!
//! The built-in kernels' device variants (and nothing else: [`validate_device_variant`]) may also declare an
//! input as `texture_2d<u32>` ([`BindingKind::TexelInput`]): the executor then binds that input's bytes as a
//! texture in the layout of [`crate::gpu::texels`].

use compute_primitives::failure::FailureReason;
use compute_primitives::KernelId;
use naga::valid::{Capabilities, ModuleInfo, ValidationFlags, Validator};
use naga::{
    AddressSpace, Expression, Handle, Module, ScalarKind, ShaderStage, Span, StorageAccess, TypeInner,
};
use thiserror::Error;

use crate::gpu::limits::ProtocolLimits;
use crate::program::Program;

/// The naga capabilities of a device created without optional features: what every provider supports.
pub const CAPABILITIES: Capabilities = Capabilities::empty();

/// Why a job cannot run: the failure reason of the protocol, and a message for people.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[error("{}: {message}", reason.name())]
pub struct Rejection {
    /// The canonical reason.
    pub reason: FailureReason,
    /// What exactly is wrong, with the source line where there is one.
    pub message: String,
}

impl Rejection {
    /// A rejection for `reason`.
    pub fn new(reason: FailureReason, message: impl Into<String>) -> Self {
        Rejection { reason, message: message.into() }
    }
}

/// How a binding is declared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BindingKind {
    /// `var<storage, read>`: an input.
    ReadOnlyStorage,
    /// `var<storage, read_write>`: the output.
    ReadWriteStorage,
    /// `var<uniform>`: the parameters.
    Uniform,
    /// `texture_2d<u32>`: an input read through texel fetches (device variants only; see
    /// [`crate::gpu::texels`]).
    TexelInput,
}

impl BindingKind {
    /// Whether a binding of this kind is one of the inputs.
    pub fn is_input(self) -> bool {
        matches!(self, BindingKind::ReadOnlyStorage | BindingKind::TexelInput)
    }
}

/// A resource binding of group 0.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Binding {
    /// Binding number.
    pub binding: u32,
    /// Declared kind.
    pub kind: BindingKind,
    /// Smallest buffer the declared type fits in (for a runtime-sized array: one element).
    pub min_size: u64,
    /// The variable's name, for messages.
    pub name: String,
}

/// A compute entry point.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntryPoint {
    /// Its name.
    pub name: String,
    /// `@workgroup_size`.
    pub workgroup_size: [u32; 3],
    /// Bytes of workgroup memory used by the entry point and the functions it calls.
    pub workgroup_memory: u64,
}

/// The first floating-point type or operation of a module.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FloatUse {
    /// 1-based source line.
    pub line: u32,
    /// What it is.
    pub what: String,
    /// The source line, trimmed.
    pub text: String,
}

/// What the worker knows about a valid module: its interface and whether it uses floating point.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KernelInterface {
    /// `blake3(wgsl)`.
    pub kernel_id: KernelId,
    /// Number of inputs `n` the kernel declares.
    pub inputs: u32,
    /// The bindings, by binding number: `n` inputs, the output, and the parameters if declared.
    pub bindings: Vec<Binding>,
    /// Whether binding `n + 1` (uniform parameters) is declared.
    pub has_params: bool,
    /// Compute entry points (other stages are listed with a zero workgroup size and are refused).
    pub entry_points: Vec<EntryPoint>,
    /// Non-compute entry point names.
    pub other_entry_points: Vec<String>,
    /// The first floating-point use, if any.
    pub float_use: Option<FloatUse>,
}

impl KernelInterface {
    /// The output binding.
    pub fn output(&self) -> Option<&Binding> {
        self.bindings.get(self.inputs as usize)
    }

    /// The parameter binding, if declared.
    pub fn params(&self) -> Option<&Binding> {
        if self.has_params {
            self.bindings.get(self.inputs as usize + 1)
        } else {
            None
        }
    }
}

/// Length of a buffer as bound: rounded up to a multiple of 4, at least 4.
pub fn bound_len(len: u64) -> u64 {
    len.max(1).div_ceil(4) * 4
}

/// An error and its sources, joined by ": ".
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(e) = source {
        message.push_str(": ");
        message.push_str(&e.to_string());
        source = e.source();
    }
    message
}

fn line_of(source: &str, span: Span) -> Option<(u32, String)> {
    if !span.is_defined() {
        return None;
    }
    let location = span.location(source);
    let text = source.lines().nth(location.line_number.saturating_sub(1) as usize).unwrap_or("").trim();
    Some((location.line_number, text.to_owned()))
}

fn at_line(source: &str, span: Span) -> String {
    match line_of(source, span) {
        Some((line, text)) => format!("line {line}: `{text}`: "),
        None => String::new(),
    }
}

/// What the built-in kernels' device variants may use besides [`CAPABILITIES`] (see
/// `Validation::DeviceVariant`).
pub const DEVICE_VARIANT_CAPABILITIES: Capabilities =
    Capabilities::SUBGROUP.union(Capabilities::SHADER_INT64);

/// Parses and validates `source`, and checks its interface (steps 2 and 3 of the module documentation).
pub fn validate_wgsl(source: &str) -> Result<KernelInterface, Rejection> {
    validate_with(source, false)
}

/// [`validate_wgsl`] with more than jobs get, [`DEVICE_VARIANT_CAPABILITIES`] and texel inputs: only for the
/// built-in kernels' device-specific variants, which the executor recognizes by their kernel id.
pub fn validate_device_variant(source: &str) -> Result<KernelInterface, Rejection> {
    validate_with(source, true)
}

fn validate_with(source: &str, device_variant: bool) -> Result<KernelInterface, Rejection> {
    let capabilities = if device_variant { DEVICE_VARIANT_CAPABILITIES } else { CAPABILITIES };
    let mut options = naga::front::wgsl::Options::new();
    options.capabilities = capabilities;
    let module = naga::front::wgsl::Frontend::new_with_options(options).parse(source).map_err(|e| {
        let line = e.location(source).map(|l| format!("line {}: ", l.line_number)).unwrap_or_default();
        Rejection::new(FailureReason::InvalidWgsl, format!("{line}{}", e.message()))
    })?;
    let info = Validator::new(ValidationFlags::all(), capabilities).validate(&module).map_err(|e| {
        let line = e.location(source).map(|l| format!("line {}: ", l.line_number)).unwrap_or_default();
        Rejection::new(FailureReason::InvalidWgsl, format!("{line}{}", error_chain(&e.into_inner())))
    })?;
    interface(source, &module, &info, device_variant)
}

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

fn interface(
    source: &str,
    module: &Module,
    info: &ModuleInfo,
    device_variant: bool,
) -> Result<KernelInterface, Rejection> {
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

    // The convention: read-only storage (or texel inputs) 0..n, read-write storage n, optional uniform
    // n + 1, nothing else.
    let inputs = bindings.iter().take_while(|b| b.1.is_input()).count();
    let mismatch = |expected: &str, found: Option<&(u32, BindingKind, u64, String, Span)>| -> Rejection {
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

fn has_float(module: &Module, inner: &TypeInner) -> bool {
    let is_float = |kind: ScalarKind| matches!(kind, ScalarKind::Float | ScalarKind::AbstractFloat);
    match *inner {
        TypeInner::Scalar(s) | TypeInner::Atomic(s) => is_float(s.kind),
        TypeInner::Vector { scalar, .. }
        | TypeInner::Matrix { scalar, .. }
        | TypeInner::CooperativeMatrix { scalar, .. }
        | TypeInner::ValuePointer { scalar, .. } => is_float(scalar.kind),
        TypeInner::Pointer { base, .. }
        | TypeInner::Array { base, .. }
        | TypeInner::BindingArray { base, .. } => has_float(module, &module.types[base].inner),
        TypeInner::Struct { ref members, .. } => {
            members.iter().any(|m| has_float(module, &module.types[m.ty].inner))
        }
        // An integer texture is read with integer texel fetches (the texel inputs of the device variants);
        // any other image and samplers deal in floats (and are refused as an unsupported feature anyway).
        TypeInner::Image { class: naga::ImageClass::Sampled { kind, .. }, .. } => is_float(kind),
        TypeInner::Image { .. } | TypeInner::Sampler { .. } => true,
        TypeInner::AccelerationStructure { .. } | TypeInner::RayQuery { .. } => true,
    }
}

fn describe(expression: &Expression) -> String {
    match expression {
        Expression::Literal(literal) => format!("floating-point literal {literal:?}"),
        Expression::Binary { op, .. } => format!("floating-point operation {op:?}"),
        Expression::Unary { op, .. } => format!("floating-point operation {op:?}"),
        Expression::Math { fun, .. } => format!("floating-point function {fun:?}"),
        Expression::As { .. } => "conversion to or from floating point".to_owned(),
        Expression::Relational { fun, .. } => format!("floating-point test {fun:?}"),
        Expression::Select { .. } => "floating-point select".to_owned(),
        _ => "floating-point value".to_owned(),
    }
}

/// The first (lowest source offset) floating-point type or expression of the module.
fn first_float_use(source: &str, module: &Module, info: &ModuleInfo) -> Option<FloatUse> {
    // (offset, line, what, text); expressions whose operands are floats are caught through their operands.
    let mut found: Option<(u32, FloatUse)> = None;
    let mut consider = |span: Span, what: String| {
        if let Some((line, text)) = line_of(source, span) {
            let offset = span.location(source).offset;
            if found.as_ref().is_none_or(|(best, _)| offset < *best) {
                found = Some((offset, FloatUse { line, what, text }));
            }
        }
    };

    for (handle, ty) in module.types.iter() {
        if has_float(module, &ty.inner) {
            let name = ty.name.clone().unwrap_or_else(|| format!("{:?}", ty.inner));
            consider(module.types.get_span(handle), format!("floating-point type {name}"));
        }
    }
    for (handle, expression) in module.global_expressions.iter() {
        if has_float(module, info[handle].inner_with(&module.types)) {
            consider(module.global_expressions.get_span(handle), describe(expression));
        }
    }
    let functions =
        module.functions.iter().map(|(handle, function)| (function, &info[handle])).chain(
            module.entry_points.iter().enumerate().map(|(i, ep)| (&ep.function, info.get_entry_point(i))),
        );
    for (function, function_info) in functions {
        for (handle, expression) in function.expressions.iter() {
            let handle: Handle<Expression> = handle;
            if has_float(module, function_info[handle].ty.inner_with(&module.types)) {
                consider(function.expressions.get_span(handle), describe(expression));
            }
        }
    }
    found.map(|(_, float_use)| float_use)
}

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

/// Steps 4 to 6: the job against a valid kernel's interface and the limits.
pub fn check_program(
    iface: &KernelInterface,
    program: &Program,
    input_lens: &[u64],
    limits: &ProtocolLimits,
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

    if program.exact {
        if let Some(f) = &iface.float_use {
            return Err(Rejection::new(
                FailureReason::FloatInExactJob,
                format!("line {}: `{}`: {} in a job that requires an exact result", f.line, f.text, f.what),
            ));
        }
    }

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::program::{Input, Pass};
    use std::sync::Arc;

    const GOOD: &str = "
@group(0) @binding(0) var<storage, read> a: array<u32>;
@group(0) @binding(1) var<storage, read_write> out: array<u32>;
struct P { n: u32 }
@group(0) @binding(2) var<uniform> p: P;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
    if id.x < p.n { out[id.x] = a[id.x] * 3u; }
}
";

    fn program(wgsl: &str, inputs: usize, params: usize, exact: bool) -> Program {
        Program {
            wgsl: Arc::from(wgsl),
            inputs: (0..inputs).map(|_| Input::inline(vec![0u8; 16])).collect(),
            output_len: 16,
            passes: vec![Pass { entry_point: "main".into(), workgroups: [1, 1, 1], params: vec![0; params] }],
            exact,
        }
    }

    fn check(wgsl: &str, program: &Program) -> Result<(), Rejection> {
        let lens: Vec<u64> = program.inputs.iter().map(|i| i.len().unwrap()).collect();
        check_shape(program, &lens, &ProtocolLimits::CANONICAL)?;
        let iface = validate_wgsl(wgsl)?;
        check_program(&iface, program, &lens, &ProtocolLimits::CANONICAL)
    }

    fn reason(wgsl: &str, program: &Program) -> FailureReason {
        check(wgsl, program).expect_err("must be rejected").reason
    }

    #[test]
    fn accepts_a_kernel_that_follows_the_convention() {
        let iface = validate_wgsl(GOOD).unwrap();
        assert_eq!(iface.inputs, 1);
        assert!(iface.has_params);
        assert_eq!(iface.entry_points[0].workgroup_size, [64, 1, 1]);
        assert_eq!(iface.float_use, None);
        assert_eq!(check(GOOD, &program(GOOD, 1, 4, true)), Ok(()));
    }

    #[test]
    fn malformed_wgsl_names_its_line() {
        let bad = "@compute @workgroup_size(1)\nfn main() {\n  let x = ;\n}\n";
        let rejection = check(bad, &program(bad, 0, 0, true)).unwrap_err();
        assert_eq!(rejection.reason, FailureReason::InvalidWgsl);
        assert!(rejection.message.starts_with("line 3:"), "{}", rejection.message);
    }

    #[test]
    fn bindings_must_follow_the_convention() {
        let wrong_group = GOOD.replace("@group(0) @binding(1)", "@group(1) @binding(1)");
        assert_eq!(reason(&wrong_group, &program(&wrong_group, 1, 4, true)), FailureReason::BindingMismatch);
        let two_outputs = GOOD.replace("read> a", "read_write> a");
        assert_eq!(reason(&two_outputs, &program(&two_outputs, 1, 4, true)), FailureReason::BindingMismatch);
        let gap = GOOD.replace("@binding(2)", "@binding(3)");
        assert_eq!(reason(&gap, &program(&gap, 1, 4, true)), FailureReason::BindingMismatch);
        // The job does not match the kernel: inputs, parameters, sizes.
        assert_eq!(reason(GOOD, &program(GOOD, 2, 4, true)), FailureReason::BindingMismatch);
        assert_eq!(reason(GOOD, &program(GOOD, 1, 0, true)), FailureReason::BindingMismatch);
        let fixed = GOOD.replace("var<storage, read> a: array<u32>", "var<storage, read> a: array<u32, 64>");
        assert_eq!(reason(&fixed, &program(&fixed, 1, 4, true)), FailureReason::BindingMismatch);
    }

    #[test]
    fn texel_inputs_are_for_device_variants_only() {
        let texels = GOOD
            .replace("var<storage, read> a: array<u32>", "var a: texture_2d<u32>")
            .replace("a[id.x]", "textureLoad(a, vec2<u32>(id.x, 0u), 0).x");
        assert_eq!(validate_wgsl(&texels).unwrap_err().reason, FailureReason::UnsupportedFeature);
        let iface = validate_device_variant(&texels).unwrap();
        assert_eq!((iface.inputs, iface.bindings[0].kind), (1, BindingKind::TexelInput));
        assert_eq!(iface.output().map(|b| b.kind), Some(BindingKind::ReadWriteStorage));
        // Any other texture is refused, variant or not.
        for (ty, load) in [
            ("texture_2d<i32>", "u32(textureLoad(a, vec2<u32>(id.x, 0u), 0).x)"),
            ("texture_2d_array<u32>", "textureLoad(a, vec2<u32>(id.x, 0u), 0u, 0).x"),
            ("texture_3d<u32>", "textureLoad(a, vec3<u32>(id.x, 0u, 0u), 0).x"),
        ] {
            let wgsl = GOOD
                .replace("var<storage, read> a: array<u32>", &format!("var a: {ty}"))
                .replace("a[id.x]", load);
            let rejection = validate_device_variant(&wgsl).unwrap_err();
            assert_eq!(rejection.reason, FailureReason::UnsupportedFeature, "{ty}: {rejection}");
        }
    }

    #[test]
    fn floats_are_refused_in_exact_jobs_with_their_line() {
        let float = GOOD.replace("out[id.x] = a[id.x] * 3u;", "out[id.x] = u32(f32(a[id.x]) * 1.5);");
        let rejection = check(&float, &program(&float, 1, 4, true)).unwrap_err();
        assert_eq!(rejection.reason, FailureReason::FloatInExactJob);
        assert!(rejection.message.starts_with("line 9:"), "{}", rejection.message);
        assert_eq!(check(&float, &program(&float, 1, 4, false)), Ok(()), "allowed when not exact");
        // A float type alone (no operation) is refused too.
        let declared = GOOD.replace("struct P { n: u32 }", "struct P { n: u32, scale: f32 }");
        let rejection = check(&declared, &program(&declared, 1, 8, true)).unwrap_err();
        assert_eq!(rejection.reason, FailureReason::FloatInExactJob);
        assert!(rejection.message.starts_with("line 4:"), "{}", rejection.message);
    }

    #[test]
    fn limits_are_enforced() {
        let mut big = program(GOOD, 1, 4, true);
        big.passes[0].workgroups = [65536, 1, 1];
        assert_eq!(reason(GOOD, &big), FailureReason::DispatchTooLarge);
        let wide = GOOD.replace("@workgroup_size(64)", "@workgroup_size(512)");
        assert_eq!(reason(&wide, &program(&wide, 1, 4, true)), FailureReason::WorkgroupTooLarge);
        let mut huge = program(GOOD, 1, 4, true);
        huge.output_len = (128 << 20) + 1;
        assert_eq!(reason(GOOD, &huge), FailureReason::OutputTooLarge);
        let mut missing = program(GOOD, 1, 4, true);
        missing.passes[0].entry_point = "nope".into();
        assert_eq!(reason(GOOD, &missing), FailureReason::EntryPointNotFound);
        let shared = GOOD
            .replace("struct P", "var<workgroup> big: array<u32, 8192>;\nstruct P")
            .replace("out[id.x] = a[id.x] * 3u;", "big[id.x] = a[id.x]; out[id.x] = big[id.x];");
        assert_eq!(reason(&shared, &program(&shared, 1, 4, true)), FailureReason::WorkgroupMemoryTooLarge);
        let overridden = GOOD.replace("struct P", "override k: u32 = 3u;\nstruct P");
        assert_eq!(reason(&overridden, &program(&overridden, 1, 4, true)), FailureReason::UnsupportedFeature);
    }

    #[test]
    fn shape_is_checked_before_the_source() {
        // Too many inputs and invalid WGSL: the shape is reported, whatever the module.
        let p = program("not wgsl", 8, 0, true);
        assert_eq!(reason("not wgsl", &p), FailureReason::TooManyInputs);
    }
}
