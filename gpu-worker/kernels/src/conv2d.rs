//! `conv2d`: 2-D integer convolution of an 8-bit greyscale image, clamp-to-edge (`wgsl/conv2d.wgsl`).

use compute_executor::program::Pass;
use rayon::prelude::*;

use crate::args::{parse, unknown};
use crate::{Builtin, Error, Kernel, PixelFormat, RefInputs, RefOutput};

pub(crate) const TAKES: &str =
    "width, height, radius (at most 4), shift, weights (comma-separated i32, row-major)";

/// Largest radius of [`Conv2d`] (9 × 9 taps).
pub const CONV_MAX_RADIUS: u32 = 4;
/// Number of weight slots in the parameters of [`Conv2d`]: (2 · 4 + 1)² rounded up to vectors of 4.
const CONV_WEIGHT_SLOTS: usize = 84;

/// A 2-D convolution of a `width × height` 8-bit greyscale image (rows padded to 4-byte words) with
/// (2·radius + 1)² i32 weights, shifted right by `shift` and clamped to 0..=255.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Conv2d {
    /// Image width in pixels.
    pub width: u32,
    /// Image height in pixels.
    pub height: u32,
    /// Filter radius, at most [`CONV_MAX_RADIUS`].
    pub radius: u32,
    /// Arithmetic right shift of the sums.
    pub shift: u32,
    /// The weights, row-major; the first (2·radius + 1)² are used.
    pub weights: [i32; 81],
}

impl Conv2d {
    /// A binomial (Gaussian) blur of `radius`: weights C(2r, i)·C(2r, j), which sum to 2^(4r), and shift 4r.
    pub fn blur(width: u32, height: u32, radius: u32) -> Self {
        let side = 2 * radius.min(CONV_MAX_RADIUS) as usize + 1;
        let mut row = vec![1i32; side];
        for i in 1..side {
            row[i] = row[i - 1] * (side - i) as i32 / i as i32;
        }
        let mut weights = [0i32; 81];
        for (i, w) in weights.iter_mut().take(side * side).enumerate() {
            *w = row[i / side] * row[i % side];
        }
        Conv2d { width, height, radius, shift: 4 * radius, weights }
    }

    /// A filter with the given weights ((2·radius + 1)² of them, row-major).
    pub fn with_weights(width: u32, height: u32, radius: u32, shift: u32, weights: &[i32]) -> Self {
        let mut all = [0i32; 81];
        for (slot, w) in all.iter_mut().zip(weights) {
            *slot = *w;
        }
        Conv2d { width, height, radius, shift, weights: all }
    }

    /// A blur of its radius unless weights are given; then exactly (2·radius + 1)² of them.
    pub(crate) fn from_args(args: &[(String, String)]) -> Result<Self, Error> {
        let mut s = Conv2d::blur(1024, 768, 2);
        let mut shift = None;
        let mut weights = None;
        for (arg, value) in args {
            match arg.as_str() {
                "width" => s.width = parse(arg, value)?,
                "height" => s.height = parse(arg, value)?,
                "radius" => s.radius = parse(arg, value)?,
                "shift" => shift = Some(parse(arg, value)?),
                "weights" => {
                    let given =
                        value.split(',').map(|w| parse(arg, w.trim())).collect::<Result<Vec<i32>, _>>()?;
                    if given.len() > s.weights.len() {
                        return Err(Error::bad_arg(arg, "at most 81 weights"));
                    }
                    weights = Some(given);
                }
                _ => return Err(unknown(Builtin::Conv2d, arg)),
            }
        }
        match weights {
            None => {
                s = Conv2d::blur(s.width, s.height, s.radius);
                s.shift = shift.unwrap_or(s.shift);
            }
            Some(given) => {
                s = Conv2d::with_weights(s.width, s.height, s.radius, shift.unwrap_or(s.shift), &given);
                if given.len() as u64 != s.taps() {
                    let why =
                        format!("{} weights for radius {} (which takes {})", given.len(), s.radius, s.taps());
                    return Err(Error::bad_arg("weights", why));
                }
            }
        }
        Ok(s)
    }

    /// Number of weights.
    pub fn taps(&self) -> u64 {
        let side = 2 * u64::from(self.radius) + 1;
        side * side
    }

    /// The used weights.
    pub fn used_weights(&self) -> &[i32] {
        let taps = (self.taps() as usize).min(self.weights.len());
        &self.weights[..taps]
    }

    /// Words per image row: ceil(width / 4).
    pub fn stride(&self) -> u32 {
        self.width.div_ceil(4)
    }

    /// Bytes of an image (input or output): stride · 4 · height.
    pub fn image_len(&self) -> u64 {
        4 * u64::from(self.stride()) * u64::from(self.height)
    }

    /// The uniform parameters: width, height, stride, shift, then the weights in 84 i32 slots.
    pub fn params(&self) -> Vec<u8> {
        let mut words = vec![self.width, self.height, self.stride(), self.shift];
        let mut slots = [0i32; CONV_WEIGHT_SLOTS];
        slots[..self.used_weights().len()].copy_from_slice(self.used_weights());
        words.extend(slots.iter().map(|&w| w as u32));
        words.iter().flat_map(|w| w.to_le_bytes()).collect()
    }
}

impl Kernel for Conv2d {
    fn builtin(&self) -> Builtin {
        Builtin::Conv2d
    }

    fn describe(&self) -> String {
        let side = 2 * self.radius + 1;
        format!("{}x{} {side}x{side} taps", self.width, self.height)
    }

    /// The kernel holds a 16-pixel window: radius at most 4.
    fn check(&self) -> Result<(), Error> {
        if self.radius > CONV_MAX_RADIUS {
            return Err(Error::bad_arg("radius", "at most 4"));
        }
        Ok(())
    }

    fn input_lens(&self) -> Vec<u64> {
        vec![self.image_len()]
    }

    fn output_len(&self) -> u64 {
        self.image_len()
    }

    /// 8 × 4 pixels per invocation, 8 × 8 invocations per workgroup, one entry point per radius.
    fn passes(&self, _max_per_dimension: u32) -> Vec<Pass> {
        vec![Pass {
            entry_point: format!("main_r{}", self.radius),
            workgroups: [self.width.div_ceil(8).div_ceil(8), self.height.div_ceil(4).div_ceil(8), 1],
            params: self.params(),
        }]
    }

    fn reads_bytes(&self) -> bool {
        true
    }

    fn reference(&self, inputs: &RefInputs) -> RefOutput {
        RefOutput::Bytes(reference(inputs.bytes(0), self))
    }

    fn work(&self, _output: &[u8]) -> f64 {
        f64::from(self.width) * f64::from(self.height) * self.taps() as f64
    }

    fn unit(&self) -> &'static str {
        "multiply-adds"
    }

    fn image(&self) -> Option<(u32, u32, PixelFormat)> {
        Some((self.width, self.height, PixelFormat::Gray8 { stride: 4 * self.stride() as usize }))
    }
}

/// 2-D convolution of an 8-bit image with clamp-to-edge, as `wgsl/conv2d.wgsl` computes it: rows padded to 4
/// bytes, output clamped to 0..=255. Rows in parallel; each tap is accumulated over the row, the interior
/// as a plain (vectorizable) slice sweep, the borders clamped.
fn reference(image: &[u8], s: &Conv2d) -> Vec<u8> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_matches_the_definition() {
        let (w, h) = (13usize, 7usize);
        let stride = 16usize; // 13 pixels padded to 4 words
        let image: Vec<u8> =
            (0..stride * h).map(|i| if i % stride < w { (i * 37 % 251) as u8 } else { 0 }).collect();
        let weights: Vec<i32> = (0..25).map(|i| (i % 7) - 2).collect();
        let spec = Conv2d::with_weights(w as u32, h as u32, 2, 1, &weights);
        let got = reference(&image, &spec);
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
    fn reference_narrower_than_the_filter() {
        let image = [5u8, 9, 0, 0];
        let got = reference(&image, &Conv2d::blur(2, 1, 3));
        // Every tap reads one of the two pixels; the blur of a 2-pixel row stays between them.
        assert!(got[..2].iter().all(|&p| (5..=9).contains(&p)), "{got:?}");
        assert_eq!(&got[2..], &[0, 0], "padding");
    }

    #[test]
    fn blur_weights_sum_to_the_shift() {
        for r in 0..=CONV_MAX_RADIUS {
            let spec = Conv2d::blur(8, 8, r);
            assert_eq!(spec.used_weights().iter().sum::<i32>(), 1 << spec.shift);
            assert_eq!(spec.params().len(), 16 + 4 * 84);
        }
    }

    #[test]
    fn args_give_a_blur_or_exactly_the_taps_of_the_radius() {
        let args = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
            pairs.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
        };
        let blur = Conv2d::from_args(&args(&[("radius", "1"), ("shift", "3")])).unwrap();
        assert_eq!((blur.used_weights(), blur.shift), (Conv2d::blur(1024, 768, 1).used_weights(), 3));
        let custom = Conv2d::from_args(&args(&[("radius", "1"), ("weights", "1,2,3,4,5,6,7,8,9")])).unwrap();
        assert_eq!((custom.used_weights(), custom.shift), (&[1, 2, 3, 4, 5, 6, 7, 8, 9][..], 8));
        assert!(Conv2d::from_args(&args(&[("radius", "1"), ("weights", "1,2")])).is_err());
    }
}
