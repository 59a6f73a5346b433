//! Multithreaded (rayon) CPU references of the built-in kernels.
//!
//! Each is the straightforward, parallel Rust a competent user would write for the same function, with the
//! same integer semantics (wrapping, arithmetic shifts) as the WGSL kernel: the tests check that the GPU
//! output is byte-identical, and `gpu-worker bench` compares the throughputs.

use rayon::prelude::*;
use sha2::{Digest as _, Sha256};

use crate::kernels::{Conv2d, Mandelbrot};

/// Little-endian u32 words of `bytes` (a trailing partial word is ignored).
pub fn words(bytes: &[u8]) -> Vec<u32> {
    bytes.chunks_exact(4).map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect()
}

/// `C = A · B`, A m × k, B k × n, row-major, wrapping. Rows of C in parallel; the i-k-j loop order keeps
/// the inner loop a vectorizable sweep over a row of B.
pub fn matmul(a: &[u32], b: &[u32], m: u32, k: u32, n: u32) -> Vec<u32> {
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

/// Iterations of the fixed-point Mandelbrot set (see `kernels/mandelbrot.wgsl`). Rows in parallel.
pub fn mandelbrot(s: &Mandelbrot) -> Vec<u32> {
    const FRAC: u32 = 12;
    const ESCAPE: i32 = 4 << FRAC;
    let (width, height) = (s.width as usize, s.height as usize);
    let mut image = vec![0u32; width * height];
    if width == 0 {
        return image;
    }
    image.par_chunks_mut(width).enumerate().for_each(|(py, row)| {
        let ci = s.y0.wrapping_add((py as i32).wrapping_mul(s.step));
        for (px, pixel) in row.iter_mut().enumerate() {
            let cr = s.x0.wrapping_add((px as i32).wrapping_mul(s.step));
            let (mut zr, mut zi, mut i) = (0i32, 0i32, 0u32);
            while i < s.max_iter {
                let zr2 = zr.wrapping_mul(zr) >> FRAC;
                let zi2 = zi.wrapping_mul(zi) >> FRAC;
                if zr2.wrapping_add(zi2) > ESCAPE {
                    break;
                }
                let t = zr2.wrapping_sub(zi2).wrapping_add(cr);
                zi = (zr.wrapping_mul(zi) >> (FRAC - 1)).wrapping_add(ci);
                zr = t;
                i += 1;
            }
            *pixel = i;
        }
    });
    image
}

/// 2-D convolution of an 8-bit image with clamp-to-edge (see `kernels/conv2d.wgsl`): rows padded to 4
/// bytes, output clamped to 0..=255. Rows in parallel; each tap is accumulated over the row, the interior
/// as a plain (vectorizable) slice sweep, the borders clamped.
pub fn conv2d(image: &[u8], s: &Conv2d) -> Vec<u8> {
    let (w, h, r) = (s.width as usize, s.height as usize, s.radius as usize);
    let stride = 4 * s.stride() as usize;
    let side = 2 * r + 1;
    let weights = s.used_weights();
    let mut out = vec![0u8; stride * h];
    if w == 0 || h == 0 {
        return out;
    }
    let shift = s.shift & 31;
    out.par_chunks_mut(stride).enumerate().for_each(|(y, out_row)| {
        let mut acc = vec![0i32; w];
        for dy in 0..side {
            let sy = (y + dy).saturating_sub(r).min(h - 1);
            let src = &image[sy * stride..sy * stride + w];
            for dx in 0..side {
                let wt = weights[dy * side + dx];
                // x + dx - r inside [0, w) for x in [lo, hi).
                let lo = r.saturating_sub(dx).min(w);
                let hi = (w + r).saturating_sub(dx).min(w).max(lo);
                for x in (0..lo).chain(hi..w) {
                    let sx = (x + dx).saturating_sub(r).min(w - 1);
                    acc[x] = acc[x].wrapping_add(wt.wrapping_mul(i32::from(src[sx])));
                }
                if hi > lo {
                    let offset = lo + dx - r;
                    for (a, &p) in acc[lo..hi].iter_mut().zip(&src[offset..offset + (hi - lo)]) {
                        *a = a.wrapping_add(wt.wrapping_mul(i32::from(p)));
                    }
                }
            }
        }
        for (o, a) in out_row.iter_mut().zip(acc) {
            *o = (a >> shift).clamp(0, 255) as u8;
        }
    });
    out
}

/// Inclusive prefix sum, wrapping: chunks scanned in parallel, their carries summed in order, then added in
/// parallel.
pub fn prefix_sum(data: &[u32]) -> Vec<u32> {
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

/// Ascending sort (rayon's parallel unstable sort).
pub fn sort(data: &[u32]) -> Vec<u32> {
    let mut out = data.to_vec();
    out.par_sort_unstable();
    out
}

/// SHA-256 of `count` messages of `len` bytes (the `sha2` crate, messages in parallel).
pub fn sha256_batch(messages: &[u8], count: u32, len: u32) -> Vec<u8> {
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
    fn matmul_small() {
        // [1 2; 3 4] · [5 6; 7 8] = [19 22; 43 50]
        assert_eq!(matmul(&[1, 2, 3, 4], &[5, 6, 7, 8], 2, 2, 2), [19, 22, 43, 50]);
        // Wrapping.
        assert_eq!(matmul(&[u32::MAX], &[2], 1, 1, 1), [u32::MAX - 1]);
    }

    #[test]
    fn prefix_sum_matches_a_sequential_scan() {
        let data: Vec<u32> = (0..100_003u32).map(|i| i.wrapping_mul(2_654_435_761)).collect();
        let mut run = 0u32;
        let expected: Vec<u32> = data
            .iter()
            .map(|v| {
                run = run.wrapping_add(*v);
                run
            })
            .collect();
        assert_eq!(prefix_sum(&data), expected);
    }

    #[test]
    fn conv2d_matches_the_definition() {
        let (w, h) = (13usize, 7usize);
        let stride = 16usize; // 13 pixels padded to 4 words
        let image: Vec<u8> =
            (0..stride * h).map(|i| if i % stride < w { (i * 37 % 251) as u8 } else { 0 }).collect();
        let weights: Vec<i32> = (0..25).map(|i| (i % 7) - 2).collect();
        let spec = Conv2d::with_weights(w as u32, h as u32, 2, 1, &weights);
        let got = conv2d(&image, &spec);
        for y in 0..h as i32 {
            for x in 0..stride as i32 {
                let expected = if x < w as i32 {
                    let mut sum = 0i32;
                    for dy in -2..=2i32 {
                        for dx in -2..=2i32 {
                            let sy = (y + dy).clamp(0, h as i32 - 1) as usize;
                            let sx = (x + dx).clamp(0, w as i32 - 1) as usize;
                            let wt = weights[((dy + 2) * 5 + dx + 2) as usize];
                            sum = sum.wrapping_add(wt.wrapping_mul(i32::from(image[sy * stride + sx])));
                        }
                    }
                    (sum >> 1).clamp(0, 255) as u8
                } else {
                    0
                };
                assert_eq!(got[y as usize * stride + x as usize], expected, "pixel ({x}, {y})");
            }
        }
    }

    #[test]
    fn conv2d_narrower_than_the_filter() {
        let image = [5u8, 9, 0, 0];
        let got = conv2d(&image, &Conv2d::blur(2, 1, 3));
        // Every tap reads one of the two pixels; the blur of a 2-pixel row stays between them.
        assert!(got[..2].iter().all(|&p| (5..=9).contains(&p)), "{got:?}");
        assert_eq!(&got[2..], &[0, 0], "padding");
    }

    #[test]
    fn sha256_batch_hashes_each_message() {
        let messages: Vec<u8> = (0..3 * 72u32).map(|i| (i * 31 % 251) as u8).collect();
        let out = sha256_batch(&messages, 3, 72);
        for (i, digest) in out.chunks(32).enumerate() {
            assert_eq!(digest, Sha256::digest(&messages[i * 72..(i + 1) * 72]).as_slice());
        }
        // The empty message (FIPS 180-4 example).
        assert_eq!(
            hex::encode(sha256_batch(&[], 1, 0)),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn mandelbrot_origin_is_inside_and_far_points_escape() {
        let s = Mandelbrot { width: 2, height: 1, max_iter: 50, x0: 0, y0: 0, step: 3 * 4096 };
        // c = 0 stays at 0; c = 3 escapes after one iteration.
        assert_eq!(mandelbrot(&s), [50, 1]);
    }
}
