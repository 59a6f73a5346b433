//! PNG output for image kernels, so that a user can look at what a job computed.
//!
//! An output of 8-bit pixels (rows possibly padded, as `conv2d` writes them) is written as 8-bit grey. An
//! output of `width × height` u32 values (the Mandelbrot set's iteration counts) is mapped through a colour
//! ramp: the largest value is black (for the Mandelbrot set: the points inside), the others go from dark
//! blue to white with the square root of value ÷ (largest non-maximal value).

use std::fs::File;
use std::io::BufWriter;
use std::path::Path;

use crate::error::Error;

pub use compute_kernels::PixelFormat;

/// Parses `WxH`.
pub fn parse_size(s: &str) -> Option<(u32, u32)> {
    let (w, h) = s.split_once(['x', 'X'])?;
    Some((w.parse().ok()?, h.parse().ok()?))
}

fn ramp(t: f64) -> [u8; 3] {
    // Dark blue → orange → white.
    let t = t.clamp(0.0, 1.0);
    let r = (255.0 * (2.0 * t).min(1.0)) as u8;
    let g = (255.0 * t.powf(1.2)) as u8;
    let b = (255.0 * (0.35 + 0.65 * (2.0 * t - 1.0).max(0.0)).min(1.0) * (1.0 - 0.6 * (1.0 - t))) as u8;
    [r, g, b]
}

/// RGB pixels of an output of u32 values (see the module documentation).
pub fn colorize(values: &[u32]) -> Vec<u8> {
    let max = values.iter().copied().max().unwrap_or(0);
    let top = values.iter().copied().filter(|&v| v != max).max().unwrap_or(max).max(1);
    values
        .iter()
        .flat_map(|&v| if v == max { [0, 0, 0] } else { ramp((f64::from(v) / f64::from(top)).sqrt()) })
        .collect()
}

/// Writes `output` as a `width × height` PNG at `path`; `format` is guessed from the length when `None`.
pub fn write_png(
    path: &Path,
    output: &[u8],
    width: u32,
    height: u32,
    format: Option<PixelFormat>,
) -> Result<(), Error> {
    let (w, h) = (width as usize, height as usize);
    let size_error = || Error::ImageSize { len: output.len(), width, height };
    let (color, data) = match format.or_else(|| PixelFormat::guess(output.len(), width, height)) {
        Some(PixelFormat::Gray8 { stride }) if stride >= w && output.len() >= stride * h => (
            png::ColorType::Grayscale,
            output.chunks(stride.max(1)).take(h).flat_map(|row| &row[..w]).copied().collect(),
        ),
        Some(PixelFormat::U32) if output.len() == 4 * w * h => {
            (png::ColorType::Rgb, colorize(&compute_kernels::words(output)))
        }
        _ => return Err(size_error()),
    };
    let name = path.display().to_string();
    let file = File::create(path).map_err(|source| Error::Write { path: name.clone(), source })?;
    let mut encoder = png::Encoder::new(BufWriter::new(file), width, height);
    encoder.set_color(color);
    encoder.set_depth(png::BitDepth::Eight);
    let png_error = |source| Error::Png { path: name.clone(), source };
    let mut writer = encoder.write_header().map_err(png_error)?;
    writer.write_image_data(&data).map_err(png_error)?;
    writer.finish().map_err(png_error)
}

/// Writes a job's output to `path`: as raw bytes, or with `png = (width, height, format)` as a PNG (the
/// format guessed from the length when `None`). Says what it wrote.
pub fn write_output(
    path: &Path,
    output: &[u8],
    png: Option<(u32, u32, Option<PixelFormat>)>,
) -> Result<String, Error> {
    match png {
        Some((w, h, format)) => {
            write_png(path, output, w, h, format)?;
            Ok(format!("wrote a {w}x{h} PNG to {}", path.display()))
        }
        None => {
            std::fs::write(path, output)
                .map_err(|source| Error::Write { path: path.display().to_string(), source })?;
            Ok(format!("wrote {} bytes to {}", output.len(), path.display()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_sizes() {
        assert_eq!(parse_size("640x480"), Some((640, 480)));
        assert_eq!(parse_size("640"), None);
    }

    #[test]
    fn writes_a_png_of_u32_pixels() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.png");
        let values: Vec<u8> = (0..12u32).flat_map(|v| v.to_le_bytes()).collect();
        write_png(&path, &values, 4, 3, None).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(&bytes[1..4], b"PNG");
        assert!(matches!(write_png(&path, &values, 5, 3, None), Err(Error::ImageSize { .. })));
        // 8-bit pixels in rows padded to 4 bytes.
        write_png(&path, &[1, 2, 3, 0, 4, 5, 6, 0], 3, 2, None).unwrap();
        // The maximum is black.
        assert_eq!(&colorize(&[1, 5])[3..], &[0, 0, 0]);
    }
}
