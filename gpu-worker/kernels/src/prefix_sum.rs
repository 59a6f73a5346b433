//! `prefix_sum`: inclusive u32 prefix sum, wrapping, in passes (`wgsl/prefix_sum.wgsl`): blocks of
//! [`BLOCK`] scanned in workgroup memory, block totals scanned recursively in place, carries added back.

use compute_executor::program::{fold_dispatch, Pass};
use rayon::prelude::*;

use crate::args::length_arg;
use crate::{Builtin, Error, Kernel, RefInputs, RefOutput, BLOCK};

pub(crate) const TAKES: &str = "n";

/// Inclusive prefix sum of `n` u32 values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PrefixSum {
    /// Number of values.
    pub n: u32,
}

impl PrefixSum {
    pub(crate) fn from_args(args: &[(String, String)]) -> Result<Self, Error> {
        Ok(PrefixSum { n: length_arg(Builtin::PrefixSum, 1 << 20, args)? })
    }
}

impl Kernel for PrefixSum {
    fn builtin(&self) -> Builtin {
        Builtin::PrefixSum
    }

    fn describe(&self) -> String {
        format!("{} u32", self.n)
    }

    fn input_lens(&self) -> Vec<u64> {
        vec![4 * u64::from(self.n)]
    }

    fn output_len(&self) -> u64 {
        4 * u64::from(self.n)
    }

    fn passes(&self, max_per_dimension: u32) -> Vec<Pass> {
        prefix_sum_passes(self.n, max_per_dimension)
    }

    fn reference(&self, inputs: &RefInputs) -> RefOutput {
        RefOutput::Words(reference(inputs.words(0)))
    }

    fn work(&self, _output: &[u8]) -> f64 {
        f64::from(self.n)
    }

    fn unit(&self) -> &'static str {
        "elements"
    }
}

/// Number of elements at `stride` in an array of `n`: positions (i + 1)·stride − 1 < n.
fn count_at(n: u32, stride: u64) -> u64 {
    u64::from(n) / stride
}

/// The passes of the prefix sum of `n` values: one scan per level of [`BLOCK`], then the carries added back
/// from the top level down.
pub fn prefix_sum_passes(n: u32, max_per_dimension: u32) -> Vec<Pass> {
    let block = u64::from(BLOCK);
    let mut passes = Vec::new();
    let mut strides = vec![1u64];
    passes.push(Pass::new(
        "scan_blocks",
        fold_dispatch(count_at(n, 1).div_ceil(block), max_per_dimension),
        &[n, 1, 1, 0],
    ));
    let mut stride = 1u64;
    while count_at(n, stride).div_ceil(block) > 1 {
        stride *= block;
        strides.push(stride);
        passes.push(Pass::new(
            "scan_blocks",
            fold_dispatch(count_at(n, stride).div_ceil(block), max_per_dimension),
            &[n, stride as u32, 0, 0],
        ));
    }
    for &stride in strides.iter().rev().skip(1) {
        passes.push(Pass::new(
            "add_block_sums",
            fold_dispatch(count_at(n, stride).div_ceil(block), max_per_dimension),
            &[n, stride as u32, 0, 0],
        ));
    }
    passes
}

/// Inclusive prefix sum, wrapping: chunks scanned in parallel, their carries summed in order, then added in
/// parallel.
fn reference(data: &[u32]) -> Vec<u32> {
    let mut out = data.to_vec();
    if out.is_empty() {
        return out;
    }
    let chunk = out.len().div_ceil(4 * rayon::current_num_threads()).max(4096);
    let totals: Vec<u32> = out
        .par_chunks_mut(chunk)
        .map(|c| {
            let mut run = 0u32;
            for v in c.iter_mut() {
                run = run.wrapping_add(*v);
                *v = run;
            }
            run
        })
        .collect();
    let carries: Vec<u32> = totals
        .iter()
        .scan(0u32, |sum, t| {
            let carry = *sum;
            *sum = sum.wrapping_add(*t);
            Some(carry)
        })
        .collect();
    out.par_chunks_mut(chunk).zip(carries).skip(1).for_each(|(c, carry)| {
        for v in c.iter_mut() {
            *v = v.wrapping_add(carry);
        }
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_matches_a_sequential_scan() {
        let data: Vec<u32> = (0..100_003u32).map(|i| i.wrapping_mul(2_654_435_761)).collect();
        let mut run = 0u32;
        let expected: Vec<u32> = data
            .iter()
            .map(|v| {
                run = run.wrapping_add(*v);
                run
            })
            .collect();
        assert_eq!(reference(&data), expected);
    }

    #[test]
    fn levels() {
        let entries =
            |n| prefix_sum_passes(n, 65535).iter().map(|p| p.entry_point.clone()).collect::<Vec<_>>();
        assert_eq!(entries(1000), ["scan_blocks"]);
        assert_eq!(entries(1025), ["scan_blocks", "scan_blocks", "add_block_sums"]);
        assert_eq!(entries(1 << 24).len(), 5);
    }
}
