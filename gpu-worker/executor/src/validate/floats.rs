//! Step 5: an exact job may not use floating point anywhere in its module. The first use (lowest source
//! offset) is found once per kernel, when its interface is read.

use compute_primitives::failure::FailureReason;
use naga::valid::ModuleInfo;
use naga::{Expression, Handle, Module, ScalarKind, Span, TypeInner};

use super::{line_of, FloatUse, KernelInterface, Rejection};
use crate::program::Program;

/// Step 5.
pub(super) fn check(iface: &KernelInterface, program: &Program) -> Result<(), Rejection> {
    if program.exact {
        if let Some(f) = &iface.float_use {
            return Err(Rejection::new(
                FailureReason::FloatInExactJob,
                format!("line {}: `{}`: {} in a job that requires an exact result", f.line, f.text, f.what),
            ));
        }
    }
    Ok(())
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
pub(super) fn first_float_use(source: &str, module: &Module, info: &ModuleInfo) -> Option<FloatUse> {
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
