//! What the executor runs.
//!
//! A [`Job`] is the chain-facing job of DESIGN §3.2: one WGSL module, one entry point, one dispatch. A
//! [`Program`] is what the executor actually runs: the same module, inputs and output, and one or more
//! [`Pass`]es (entry point, dispatch size, uniform parameters) executed in order on the same buffers, each
//! seeing the writes of the passes before it. User jobs are single-pass programs; the built-in kernels
//! (`compute-kernels`) build multi-pass programs (prefix sum, bitonic sort) whose pass list is a function
//! of the job's size, so it never has to travel on chain.
//!
//! Inputs are [`Input::Inline`] bytes, [`Input::Generated`] (expanded with the blake3 XOF by
//! [`compute_primitives::generate_input`], exactly as every other worker does) or, for local use only,
//! [`Input::File`].

use std::borrow::Cow;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;

use compute_primitives::Digest;

use crate::Error;

/// One input buffer of a job.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Input {
    /// The bytes themselves.
    Inline(Arc<[u8]>),
    /// `len` bytes of the blake3 extendable output of `seed` ([`compute_primitives::generate_input`]).
    Generated {
        /// The seed.
        seed: Digest,
        /// Number of bytes.
        len: u64,
    },
    /// The contents of a local file (command line use; not a chain input).
    File(PathBuf),
}

impl Input {
    /// Inline bytes.
    pub fn inline(bytes: impl Into<Arc<[u8]>>) -> Self {
        Input::Inline(bytes.into())
    }

    /// Inline u32 values, little-endian.
    pub fn words(words: &[u32]) -> Self {
        Input::Inline(words.iter().flat_map(|w| w.to_le_bytes()).collect::<Vec<u8>>().into())
    }

    /// A generated input whose seed is `seed` as 8 little-endian bytes followed by zeros.
    pub fn generated(seed: u64, len: u64) -> Self {
        Input::Generated { seed: seed_from_u64(seed), len }
    }

    /// The length in bytes, without reading the data (a file's length is its metadata).
    pub fn len(&self) -> Result<u64, Error> {
        match self {
            Input::Inline(bytes) => Ok(bytes.len() as u64),
            Input::Generated { len, .. } => Ok(*len),
            Input::File(path) => std::fs::metadata(path)
                .map(|m| m.len())
                .map_err(|source| Error::InputFile { path: path.clone(), source }),
        }
    }

    /// Whether the input is empty.
    pub fn is_empty(&self) -> Result<bool, Error> {
        self.len().map(|len| len == 0)
    }

    /// The bytes: borrowed when inline, generated or read otherwise.
    pub fn materialize(&self) -> Result<Cow<'_, [u8]>, Error> {
        match self {
            Input::Inline(bytes) => Ok(Cow::Borrowed(bytes)),
            Input::Generated { seed, len } => {
                let len = usize::try_from(*len).map_err(|_| Error::InputTooLarge { len: *len })?;
                let mut out = vec![0u8; len];
                compute_primitives::generate_input(seed, &mut out);
                Ok(Cow::Owned(out))
            }
            Input::File(path) => std::fs::read(path)
                .map(Cow::Owned)
                .map_err(|source| Error::InputFile { path: path.clone(), source }),
        }
    }
}

/// The seed `n` as 8 little-endian bytes followed by 24 zeros.
pub fn seed_from_u64(n: u64) -> Digest {
    let mut seed = [0u8; 32];
    seed[..8].copy_from_slice(&n.to_le_bytes());
    seed
}

impl FromStr for Input {
    type Err = Error;

    /// `inline:HEX`, `file:PATH` or `gen:SEED:LEN`, where SEED is 64 hex digits (the 32-byte seed) or a
    /// decimal number n (the seed n as 8 little-endian bytes, then zeros) and LEN a number of bytes.
    fn from_str(spec: &str) -> Result<Self, Self::Err> {
        let invalid = |why: &str| Error::InvalidInputSpec { spec: spec.to_owned(), why: why.to_owned() };
        if let Some(hex_digits) = spec.strip_prefix("inline:") {
            let bytes = hex::decode(hex_digits).map_err(|e| invalid(&format!("bad hex: {e}")))?;
            Ok(Input::Inline(bytes.into()))
        } else if let Some(path) = spec.strip_prefix("file:") {
            if path.is_empty() {
                return Err(invalid("empty path"));
            }
            Ok(Input::File(PathBuf::from(path)))
        } else if let Some(rest) = spec.strip_prefix("gen:") {
            let (seed, len) = rest.split_once(':').ok_or_else(|| invalid("missing `:LEN`"))?;
            let seed = if seed.len() == 64 {
                let mut digest = [0u8; 32];
                hex::decode_to_slice(seed, &mut digest)
                    .map_err(|e| invalid(&format!("bad hex seed: {e}")))?;
                digest
            } else {
                seed_from_u64(
                    seed.parse().map_err(|_| invalid("SEED is neither 64 hex digits nor a number"))?,
                )
            };
            let len = len.parse().map_err(|_| invalid("LEN is not a number of bytes"))?;
            Ok(Input::Generated { seed, len })
        } else {
            Err(invalid("unknown kind"))
        }
    }
}

/// One dispatch of a program.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pass {
    /// The compute entry point.
    pub entry_point: String,
    /// Number of workgroups in x, y, z.
    pub workgroups: [u32; 3],
    /// The uniform parameter block of this pass (bound after the output); empty when the kernel declares
    /// no uniform parameters.
    pub params: Vec<u8>,
}

impl Pass {
    /// A pass with parameters given as u32 words (little-endian).
    pub fn new(entry_point: &str, workgroups: [u32; 3], params: &[u32]) -> Self {
        Pass {
            entry_point: entry_point.to_owned(),
            workgroups,
            params: params.iter().flat_map(|w| w.to_le_bytes()).collect(),
        }
    }
}

/// What the executor runs: a module, its inputs, the output length, and the passes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Program {
    /// The WGSL source; its kernel id is `blake3(wgsl)`.
    pub wgsl: Arc<str>,
    /// The inputs, bound read-only at bindings `0..n` of group 0.
    pub inputs: Vec<Input>,
    /// The output length in bytes; the output is bound read-write at binding `n`, zero-filled.
    pub output_len: u64,
    /// The passes, run in order.
    pub passes: Vec<Pass>,
    /// Whether the job requires an exact (bit-reproducible) result: floating point is then rejected.
    pub exact: bool,
}

/// The chain-facing job (DESIGN §3.2): one entry point and one dispatch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Job {
    /// The WGSL source.
    pub wgsl: Arc<str>,
    /// The compute entry point.
    pub entry_point: String,
    /// The inputs.
    pub inputs: Vec<Input>,
    /// The output length in bytes.
    pub output_len: u64,
    /// Number of workgroups in x, y, z.
    pub workgroups: [u32; 3],
    /// The uniform parameter block; empty for none.
    pub params: Vec<u8>,
    /// Whether floating point is forbidden.
    pub exact: bool,
}

impl From<Job> for Program {
    fn from(job: Job) -> Self {
        Program {
            wgsl: job.wgsl,
            inputs: job.inputs,
            output_len: job.output_len,
            passes: vec![Pass {
                entry_point: job.entry_point,
                workgroups: job.workgroups,
                params: job.params,
            }],
            exact: job.exact,
        }
    }
}

/// Workgroup counts for `groups` workgroups along one logical dimension, folded into y when x would exceed
/// `max_per_dimension`; kernels recover the linear index as `wid.x + wid.y * num_workgroups.x`.
pub fn fold_dispatch(groups: u64, max_per_dimension: u32) -> [u32; 3] {
    let max = u64::from(max_per_dimension.max(1));
    if groups <= max {
        [groups as u32, 1, 1]
    } else {
        let y = groups.div_ceil(max);
        [max as u32, u32::try_from(y).unwrap_or(u32::MAX), 1]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_input_specs() {
        assert_eq!("inline:00ff10".parse::<Input>().unwrap(), Input::inline(vec![0, 255, 16]));
        assert_eq!("file:/tmp/x".parse::<Input>().unwrap(), Input::File("/tmp/x".into()));
        assert_eq!("gen:7:100".parse::<Input>().unwrap(), Input::generated(7, 100));
        let hex_seed = "ab".repeat(32);
        assert_eq!(
            format!("gen:{hex_seed}:4").parse::<Input>().unwrap(),
            Input::Generated { seed: [0xab; 32], len: 4 }
        );
        for bad in ["inline:0", "gen:1", "gen:x:1", "gen:1:x", "url:x", "file:"] {
            assert!(bad.parse::<Input>().is_err(), "{bad} must not parse");
        }
    }

    #[test]
    fn generated_input_is_the_primitives_stream() {
        let input = Input::generated(3, 1000);
        let mut expected = vec![0u8; 1000];
        compute_primitives::generate_input(&seed_from_u64(3), &mut expected);
        assert_eq!(input.materialize().unwrap().as_ref(), expected.as_slice());
    }

    #[test]
    fn folds_large_dispatches() {
        assert_eq!(fold_dispatch(10, 65535), [10, 1, 1]);
        assert_eq!(fold_dispatch(65535, 65535), [65535, 1, 1]);
        assert_eq!(fold_dispatch(65536, 65535), [65535, 2, 1]);
    }
}
