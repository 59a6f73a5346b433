//! Validation of kernels and jobs before anything reaches the GPU.
//!
//! A job is checked in a fixed order, and the first failed check is the job's failure reason, so that every
//! honest provider reports the same one (the order is part of the protocol; see the crate README). Each step
//! is a file of this module: `shape.rs`, `module.rs`, `interface.rs`, `job.rs`, `floats.rs`, `passes.rs`.
//!
//! 1. the job's shape against the [`ProtocolLimits`]: output size ([`FailureReason::OutputTooLarge`]), number
//!    of inputs ([`FailureReason::TooManyInputs`]), input and parameter sizes
//!    ([`FailureReason::InputTooLarge`]), number of passes ([`FailureReason::DispatchTooLarge`]);
//! 2. the WGSL module: no statement longer than `module::MAX_STATEMENT_TOKENS` tokens (2048), then parsed
//!    and validated by naga with the capabilities of a device without optional features
//!    ([`FailureReason::InvalidWgsl`], with the offending line);
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

mod floats;
mod interface;
mod job;
mod module;
mod passes;
mod shape;

use compute_primitives::failure::FailureReason;
use compute_primitives::KernelId;
use naga::valid::Capabilities;
use naga::Span;
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
    let (module, info) = module::parse(source, CAPABILITIES)?;
    interface::interface(source, &module, &info, false)
}

/// [`validate_wgsl`] with more than jobs get, [`DEVICE_VARIANT_CAPABILITIES`] and texel inputs: only for the
/// built-in kernels' device-specific variants, which their library asks for (`Validation::DeviceVariant`).
pub fn validate_device_variant(source: &str) -> Result<KernelInterface, Rejection> {
    let (module, info) = module::parse(source, DEVICE_VARIANT_CAPABILITIES)?;
    interface::interface(source, &module, &info, true)
}

/// Step 1 (`shape.rs`): the job's shape against the limits. `input_lens` are the inputs' lengths in bytes.
pub use shape::check_shape;

/// Steps 4 to 6 (`job.rs`, `floats.rs`, `passes.rs`): the job against a valid kernel's interface and the limits.
pub fn check_program(
    iface: &KernelInterface,
    program: &Program,
    input_lens: &[u64],
    limits: &ProtocolLimits,
) -> Result<(), Rejection> {
    job::check(iface, program, input_lens)?;
    floats::check(iface, program)?;
    passes::check(iface, program, limits)
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
