//! `mandelbrot`: the fixed-point (Q19.12) Mandelbrot set, one u32 iteration count per pixel
//! (`wgsl/mandelbrot.wgsl`).

use compute_executor::program::Pass;
use rayon::prelude::*;

use crate::args::{parse, unknown};
use crate::{words, Builtin, Error, Kernel, PixelFormat, RefInputs, RefOutput};

pub(crate) const TAKES: &str = "width, height, max_iter, x0, y0, step (decimal numbers, stored as Q19.12)";

/// Fixed-point scale of [`Mandelbrot`] coordinates: Q19.12.
pub const MANDELBROT_ONE: i32 = 1 << 12;

/// The Mandelbrot set over `width × height` pixels; pixel (px, py) is c = (x0 + px·step, y0 + py·step), in
/// Q19.12 fixed point.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mandelbrot {
    /// Image width.
    pub width: u32,
    /// Image height.
    pub height: u32,
    /// Iteration limit.
    pub max_iter: u32,
    /// Real part of the top-left pixel (Q19.12).
    pub x0: i32,
    /// Imaginary part of the top-left pixel (Q19.12).
    pub y0: i32,
    /// Distance between pixels (Q19.12).
    pub step: i32,
}

impl Mandelbrot {
    /// The whole set, x ∈ [−2.5, 1.0], centred vertically.
    pub fn view(width: u32, height: u32, max_iter: u32) -> Self {
        let span = 7 * MANDELBROT_ONE / 2; // 3.5
        let step = (span / width.max(1) as i32).max(1);
        Mandelbrot {
            width,
            height,
            max_iter,
            x0: -5 * MANDELBROT_ONE / 2,
            y0: -(height as i32 / 2).saturating_mul(step),
            step,
        }
    }

    /// The view follows the size unless `x0`, `y0` or `step` are given.
    pub(crate) fn from_args(args: &[(String, String)]) -> Result<Self, Error> {
        let mut s = Mandelbrot::view(1024, 768, 256);
        let mut whole_set = true;
        for (arg, value) in args {
            match arg.as_str() {
                "width" => s.width = parse(arg, value)?,
                "height" => s.height = parse(arg, value)?,
                "max_iter" => s.max_iter = parse(arg, value)?,
                "x0" => (s.x0, whole_set) = (fixed(arg, value)?, false),
                "y0" => (s.y0, whole_set) = (fixed(arg, value)?, false),
                "step" => (s.step, whole_set) = (fixed(arg, value)?, false),
                _ => return Err(unknown(Builtin::Mandelbrot, arg)),
            }
        }
        if whole_set {
            s = Mandelbrot::view(s.width, s.height, s.max_iter);
        }
        Ok(s)
    }
}

/// A decimal number in Q19.12.
fn fixed(arg: &str, value: &str) -> Result<i32, Error> {
    let v: f64 = parse(arg, value)?;
    let q = (v * f64::from(MANDELBROT_ONE)).round();
    if !(f64::from(i32::MIN)..=f64::from(i32::MAX)).contains(&q) {
        return Err(Error::bad_arg(arg, "out of the Q19.12 range"));
    }
    Ok(q as i32)
}

impl Kernel for Mandelbrot {
    fn builtin(&self) -> Builtin {
        Builtin::Mandelbrot
    }

    fn describe(&self) -> String {
        format!("{}x{} max_iter {}", self.width, self.height, self.max_iter)
    }

    /// One loop iteration per iteration of the set: at most 60 000, under lavapipe's 65 535.
    fn check(&self) -> Result<(), Error> {
        if self.max_iter > 60_000 {
            return Err(Error::bad_arg("max_iter", "at most 60000"));
        }
        Ok(())
    }

    fn input_lens(&self) -> Vec<u64> {
        vec![]
    }

    fn output_len(&self) -> u64 {
        4 * u64::from(self.width) * u64::from(self.height)
    }

    /// One invocation per pixel, 16 × 16 per workgroup.
    fn passes(&self, _max_per_dimension: u32) -> Vec<Pass> {
        let s = self;
        vec![Pass::new(
            "main",
            [s.width.div_ceil(16), s.height.div_ceil(16), 1],
            &[s.width, s.height, s.max_iter, 0, s.x0 as u32, s.y0 as u32, s.step as u32, 0],
        )]
    }

    fn reference(&self, _inputs: &RefInputs) -> RefOutput {
        RefOutput::Words(reference(self))
    }

    /// The iterations actually run: the sum of the output.
    fn work(&self, output: &[u8]) -> f64 {
        words(output).iter().map(|&i| f64::from(i)).sum::<f64>().max(1.0)
    }

    fn unit(&self) -> &'static str {
        "iterations"
    }

    fn image(&self) -> Option<(u32, u32, PixelFormat)> {
        Some((self.width, self.height, PixelFormat::U32))
    }
}

/// Iterations of the fixed-point Mandelbrot set, as `wgsl/mandelbrot.wgsl` computes them. Rows in parallel.
fn reference(s: &Mandelbrot) -> Vec<u32> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origin_is_inside_and_far_points_escape() {
        let s = Mandelbrot { width: 2, height: 1, max_iter: 50, x0: 0, y0: 0, step: 3 * 4096 };
        // c = 0 stays at 0; c = 3 escapes after one iteration.
        assert_eq!(reference(&s), [50, 1]);
    }
}
