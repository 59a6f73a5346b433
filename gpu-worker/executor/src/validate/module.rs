//! Step 2: the WGSL module, parsed and validated by naga with the capabilities of a device without optional
//! features (the device variants: with theirs), refused with the offending line.
//!
//! Before naga sees it, no statement may have more than [`MAX_STATEMENT_TOKENS`] tokens. naga bounds how deep
//! brackets and blocks nest, but a flat chain such as `v + v + … + v` becomes an expression tree as deep as
//! the chain is long, which naga then walks recursively: about 4 000 terms (16 KB) overflow a 2 MiB stack
//! and abort the process. A chain within the bound needs well under 2 MiB; the bound is a rule of the
//! protocol, so every provider refuses the same kernels, whatever its stack.

use compute_primitives::failure::FailureReason;
use naga::valid::{Capabilities, ModuleInfo, ValidationFlags, Validator};
use naga::Module;

use super::Rejection;

/// The most tokens a statement may have: identifiers, literals and punctuation characters between `;`, `{`
/// and `}`, comments excluded. The built-in kernels' longest statement has 171.
pub const MAX_STATEMENT_TOKENS: usize = 2048;

/// Step 2: the module and naga's analysis of it.
pub(super) fn parse(source: &str, capabilities: Capabilities) -> Result<(Module, ModuleInfo), Rejection> {
    check_statement_sizes(source)?;
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

/// Refuses a statement of more than [`MAX_STATEMENT_TOKENS`] tokens, naming its line.
fn check_statement_sizes(source: &str) -> Result<(), Rejection> {
    let bytes = source.as_bytes();
    let (mut i, mut line, mut tokens, mut start_line) = (0, 1, 0usize, 1);
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'.' || b >= 0x80;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'\n' => {
                line += 1;
                i += 1;
            }
            _ if b.is_ascii_whitespace() => i += 1,
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                // Block comments nest in WGSL.
                let mut depth = 0usize;
                while i < bytes.len() {
                    if bytes[i..].starts_with(b"/*") {
                        depth += 1;
                        i += 2;
                    } else if bytes[i..].starts_with(b"*/") {
                        depth -= 1;
                        i += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        line += usize::from(bytes[i] == b'\n');
                        i += 1;
                    }
                }
            }
            b';' | b'{' | b'}' => {
                tokens = 0;
                i += 1;
            }
            _ => {
                if tokens == 0 {
                    start_line = line;
                }
                tokens += 1;
                if tokens > MAX_STATEMENT_TOKENS {
                    return Err(Rejection::new(
                        FailureReason::InvalidWgsl,
                        format!(
                            "line {start_line}: a statement of more than {MAX_STATEMENT_TOKENS} tokens (split \
                             it: a chain that long nests too deep to analyse safely)"
                        ),
                    ));
                }
                if word(b) {
                    while i < bytes.len() && word(bytes[i]) {
                        i += 1;
                    }
                } else {
                    i += 1;
                }
            }
        }
    }
    Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;

    fn kernel(expression: &str) -> String {
        format!("@compute @workgroup_size(1) fn main() {{ var v: i32 = 1; v = {expression}; }}")
    }

    #[test]
    fn a_long_chain_is_refused_before_naga_walks_it() {
        // 30 000 terms, 60 KB: under the chain's kernel size limit, and deep enough to overflow naga's stack.
        let bomb = kernel(&vec!["v"; 30_000].join("+"));
        assert!(bomb.len() < 64 * 1024);
        let refused = parse(&bomb, Capabilities::empty()).unwrap_err();
        assert_eq!(refused.reason, FailureReason::InvalidWgsl);
        assert!(
            refused.message.starts_with("line 1: a statement of more than 2048 tokens"),
            "{}",
            refused.message
        );
        // Within the bound it parses (on the test thread's 2 MiB stack).
        let terms = MAX_STATEMENT_TOKENS / 2 - 4;
        assert!(parse(&kernel(&vec!["v"; terms].join(" + ")), Capabilities::empty()).is_ok());
        // Comments do not count, and statements are counted apart.
        let long_comment = format!("/* {} /* nested */ */ // {}\n", "x ".repeat(5000), "y ".repeat(5000));
        assert!(parse(&(long_comment + &kernel("v + v")), Capabilities::empty()).is_ok());
        let many = format!(
            "@compute @workgroup_size(1) fn main() {{ var v: i32 = 1; {} }}",
            "v = v + 1;".repeat(3000)
        );
        assert!(parse(&many, Capabilities::empty()).is_ok());
    }
}
