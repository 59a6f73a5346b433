//! Step 2: the WGSL module, parsed and validated by naga with the capabilities of a device without optional
//! features (the device variants: with theirs), refused with the offending line.

use compute_primitives::failure::FailureReason;
use naga::valid::{Capabilities, ModuleInfo, ValidationFlags, Validator};
use naga::Module;

use super::Rejection;

/// Step 2: the module and naga's analysis of it.
pub(super) fn parse(source: &str, capabilities: Capabilities) -> Result<(Module, ModuleInfo), Rejection> {
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
    Ok((module, info))
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
