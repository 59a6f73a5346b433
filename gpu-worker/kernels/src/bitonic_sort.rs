//! `bitonic_sort`: u32 ascending sort of any n, in passes (`wgsl/bitonic_sort.wgsl`): blocks of [`BLOCK`]
//! sorted in workgroup memory, then per stage a global flip, global disperses for distances ≥ [`BLOCK`] and a
//! local disperse.

use compute_executor::program::{fold_dispatch, Pass};
use rayon::prelude::*;

use crate::args::length_arg;
use crate::{Builtin, Error, Kernel, RefInputs, RefOutput, BLOCK};

pub(crate) const TAKES: &str = "n";

/// Sort of `n` u32 keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BitonicSort {
    /// Number of keys.
    pub n: u32,
}

impl BitonicSort {
    pub(crate) fn from_args(args: &[(String, String)]) -> Result<Self, Error> {
        Ok(BitonicSort { n: length_arg(Builtin::BitonicSort, 1 << 16, args)? })
    }
}

impl Kernel for BitonicSort {
    fn builtin(&self) -> Builtin {
        Builtin::BitonicSort
    }

    fn describe(&self) -> String {
        format!("{} u32 keys", self.n)
    }

    fn input_lens(&self) -> Vec<u64> {
        vec![4 * u64::from(self.n)]
    }

    fn output_len(&self) -> u64 {
        4 * u64::from(self.n)
    }

    fn passes(&self, max_per_dimension: u32) -> Vec<Pass> {
        bitonic_passes(self.n, max_per_dimension)
    }

    fn reference(&self, inputs: &RefInputs) -> RefOutput {
        let mut out = inputs.words(0).to_vec();
        out.par_sort_unstable();
        RefOutput::Words(out)
    }

    fn work(&self, _output: &[u8]) -> f64 {
        f64::from(self.n)
    }

    fn unit(&self) -> &'static str {
        "keys"
    }
}

/// The passes of the bitonic sort of `n` keys (padded to a power of two with the largest key).
pub fn bitonic_passes(n: u32, max_per_dimension: u32) -> Vec<Pass> {
    let padded = u64::from(n.max(1)).next_power_of_two();
    let local_groups = fold_dispatch(u64::from(n).div_ceil(u64::from(BLOCK)), max_per_dimension);
    let global_groups = fold_dispatch((padded / 2).div_ceil(256), max_per_dimension);
    let mut passes = vec![Pass::new("local_sort", local_groups, &[n, 0, 0, 0])];
    let mut k = 2 * u64::from(BLOCK);
    while k <= padded {
        passes.push(Pass::new("flip", global_groups, &[n, k as u32, 0, 0]));
        let mut j = k / 4;
        while j >= u64::from(BLOCK) {
            passes.push(Pass::new("disperse", global_groups, &[n, 0, j as u32, 0]));
            j /= 2;
        }
        passes.push(Pass::new("local_disperse", local_groups, &[n, 0, 0, 0]));
        k *= 2;
    }
    passes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pass_counts() {
        assert_eq!(bitonic_passes(1000, 65535).len(), 1);
        // Local sort, flip 2048, local disperse.
        assert_eq!(bitonic_passes(1025, 65535).len(), 3);
        // 2^20 keys: 1 + sum over k = 2^11..2^20 of (2 + log2(k) - 11).
        assert_eq!(bitonic_passes(1 << 20, 65535).len(), 1 + 20 + 45);
    }
}
