//! `matmul`: C (m × n) = A (m × k) · B (k × n), u32, row-major, wrapping (`wgsl/matmul.wgsl`).

use compute_executor::program::Pass;
use rayon::prelude::*;

use crate::args::{parse, unknown};
use crate::{Builtin, Error, Kernel, RefInputs, RefOutput};

pub(crate) const TAKES: &str = "m, k, n (or size for all three)";

/// `C (m × n) = A (m × k) · B (k × n)`, u32, row-major, wrapping.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Matmul {
    /// Rows of A and C.
    pub m: u32,
    /// Columns of A, rows of B.
    pub k: u32,
    /// Columns of B and C.
    pub n: u32,
}

impl Matmul {
    pub(crate) fn from_args(args: &[(String, String)]) -> Result<Self, Error> {
        let mut s = Matmul { m: 256, k: 256, n: 256 };
        for (arg, value) in args {
            match arg.as_str() {
                "size" => {
                    let size = parse(arg, value)?;
                    (s.m, s.k, s.n) = (size, size, size);
                }
                "m" => s.m = parse(arg, value)?,
                "k" => s.k = parse(arg, value)?,
                "n" => s.n = parse(arg, value)?,
                _ => return Err(unknown(Builtin::Matmul, arg)),
            }
        }
        Ok(s)
    }
}

impl Kernel for Matmul {
    fn builtin(&self) -> Builtin {
        Builtin::Matmul
    }

    fn describe(&self) -> String {
        format!("{}x{}x{}", self.m, self.k, self.n)
    }

    /// About 1.6 loop iterations per k in each invocation: k ≤ 32 768 stays under lavapipe's 65 535.
    fn check(&self) -> Result<(), Error> {
        if self.k > 32_768 {
            return Err(Error::bad_arg("k", "at most 32768"));
        }
        Ok(())
    }

    fn input_lens(&self) -> Vec<u64> {
        let (m, k, n) = (u64::from(self.m), u64::from(self.k), u64::from(self.n));
        vec![4 * m * k, 4 * k * n]
    }

    fn output_len(&self) -> u64 {
        4 * u64::from(self.m) * u64::from(self.n)
    }

    /// One workgroup per 128 × 128 tile of C.
    fn passes(&self, _max_per_dimension: u32) -> Vec<Pass> {
        let groups = [self.n.div_ceil(128), self.m.div_ceil(128), 1];
        vec![Pass::new("main", groups, &[self.m, self.k, self.n, 0])]
    }

    fn reference(&self, inputs: &RefInputs) -> RefOutput {
        RefOutput::Words(reference(inputs.words(0), inputs.words(1), self.m, self.k, self.n))
    }

    fn work(&self, _output: &[u8]) -> f64 {
        f64::from(self.m) * f64::from(self.k) * f64::from(self.n)
    }

    fn unit(&self) -> &'static str {
        "multiply-adds"
    }
}

/// `C = A · B`, A m × k, B k × n, row-major, wrapping. Rows of C in parallel; the i-k-j loop order keeps
/// the inner loop a vectorizable sweep over a row of B.
fn reference(a: &[u32], b: &[u32], m: u32, k: u32, n: u32) -> Vec<u32> {
    let (m, k, n) = (m as usize, k as usize, n as usize);
    let mut c = vec![0u32; m * n];
    if n == 0 {
        return c;
    }
    c.par_chunks_mut(n).enumerate().for_each(|(i, row)| {
        for (kk, &aik) in a[i * k..(i + 1) * k].iter().enumerate() {
            let b_row = &b[kk * n..(kk + 1) * n];
            for (cj, &bj) in row.iter_mut().zip(b_row) {
                *cj = cj.wrapping_add(aik.wrapping_mul(bj));
            }
        }
    });
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_small() {
        // [1 2; 3 4] · [5 6; 7 8] = [19 22; 43 50]
        assert_eq!(reference(&[1, 2, 3, 4], &[5, 6, 7, 8], 2, 2, 2), [19, 22, 43, 50]);
        // Wrapping.
        assert_eq!(reference(&[u32::MAX], &[2], 1, 1, 1), [u32::MAX - 1]);
    }
}
