//! `sha256`: SHA-256 (FIPS 180-4) of many fixed-length messages, one invocation each (`wgsl/sha256.wgsl`).

use compute_executor::program::{fold_dispatch, Pass};
use rayon::prelude::*;
use sha2::{Digest as _, Sha256};

use crate::args::{parse, unknown};
use crate::{Builtin, Error, Kernel, RefInputs, RefOutput};

pub(crate) const TAKES: &str = "count, len (message length in bytes, a multiple of 4)";

/// SHA-256 of `count` messages of `len` bytes each.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sha256Batch {
    /// Number of messages.
    pub count: u32,
    /// Bytes per message, a multiple of 4.
    pub len: u32,
}

impl Sha256Batch {
    /// Compression-function blocks per message (the message, 0x80, zeros and the 64-bit length).
    pub fn blocks_per_message(&self) -> u64 {
        (u64::from(self.len) + 8) / 64 + 1
    }

    pub(crate) fn from_args(args: &[(String, String)]) -> Result<Self, Error> {
        let mut s = Sha256Batch { count: 1 << 16, len: 80 };
        for (arg, value) in args {
            match arg.as_str() {
                "count" => s.count = parse(arg, value)?,
                "len" => s.len = parse(arg, value)?,
                _ => return Err(unknown(Builtin::Sha256, arg)),
            }
        }
        Ok(s)
    }
}

impl Kernel for Sha256Batch {
    fn builtin(&self) -> Builtin {
        Builtin::Sha256
    }

    fn describe(&self) -> String {
        format!("{} msgs x {} B", self.count, self.len)
    }

    /// 81 loop iterations per 64-byte block: 32 768 bytes stay under lavapipe's 65 535.
    fn check(&self) -> Result<(), Error> {
        if !self.len.is_multiple_of(4) || self.len > 32_768 {
            return Err(Error::bad_arg("len", "a multiple of 4, at most 32768"));
        }
        Ok(())
    }

    fn input_lens(&self) -> Vec<u64> {
        vec![u64::from(self.count) * u64::from(self.len)]
    }

    fn output_len(&self) -> u64 {
        32 * u64::from(self.count)
    }

    /// One invocation per message, 64 per workgroup.
    fn passes(&self, max_per_dimension: u32) -> Vec<Pass> {
        let groups = fold_dispatch(u64::from(self.count).div_ceil(64), max_per_dimension);
        vec![Pass::new("main", groups, &[self.count, self.len, 0, 0])]
    }

    fn reads_bytes(&self) -> bool {
        true
    }

    fn reference(&self, inputs: &RefInputs) -> RefOutput {
        RefOutput::Bytes(reference(inputs.bytes(0), self.count, self.len))
    }

    fn work(&self, _output: &[u8]) -> f64 {
        f64::from(self.count) * self.blocks_per_message() as f64
    }

    fn unit(&self) -> &'static str {
        "SHA-256 blocks"
    }
}

/// SHA-256 of `count` messages of `len` bytes (the `sha2` crate, messages in parallel).
fn reference(messages: &[u8], count: u32, len: u32) -> Vec<u8> {
    let len = len as usize;
    let mut out = vec![0u8; 32 * count as usize];
    if len == 0 {
        let empty = Sha256::digest([]);
        out.par_chunks_mut(32).for_each(|d| d.copy_from_slice(&empty));
        return out;
    }
    out.par_chunks_mut(32)
        .zip(messages.par_chunks(len))
        .for_each(|(d, m)| d.copy_from_slice(&Sha256::digest(m)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_hashes_each_message() {
        let messages: Vec<u8> = (0..3 * 72u32).map(|i| (i * 31 % 251) as u8).collect();
        let out = reference(&messages, 3, 72);
        for (i, digest) in out.chunks(32).enumerate() {
            assert_eq!(digest, Sha256::digest(&messages[i * 72..(i + 1) * 72]).as_slice());
        }
        // The empty message (FIPS 180-4 example).
        assert_eq!(
            hex::encode(reference(&[], 1, 0)),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
