//! Texel inputs: an input bound as a texture instead of a storage buffer, for the built-in kernels' device
//! variants only (see [`crate::validate::BindingKind::TexelInput`]).
//!
//! Why: lavapipe (Mesa's CPU Vulkan driver) loads from a storage buffer one invocation at a time with a
//! bounds check each, about 220 cycles for 8 invocations whatever the width, while a texel fetch gathers all 8
//! in about 100 cycles and returns four u32 at once (`RGBA32Uint`): a fifth of the cost per element.
//!
//! Layout: the input's bytes in order, 16 bytes per texel, [`TEXELS_PER_ROW`] texels per texture row, the
//! last row zero-padded; byte `i` is in texel `i / 16`, which is at `(t % 1024, t / 1024)`. A kernel finds
//! texel `t` with `textureLoad(input, vec2<u32>(t & 1023u, t >> 10u), 0)`.

/// Texels per texture row.
pub const TEXELS_PER_ROW: u32 = 1024;

/// Bytes per texel (`RGBA32Uint`).
pub const TEXEL_BYTES: u64 = 16;

/// Bytes per texture row.
pub const ROW_BYTES: u64 = TEXELS_PER_ROW as u64 * TEXEL_BYTES;

/// The texture format of a texel input.
pub const FORMAT: wgpu::TextureFormat = wgpu::TextureFormat::Rgba32Uint;

/// Texture rows for an input of `len` bytes (at least one: a texture cannot be empty).
pub fn rows(len: u64) -> u64 {
    len.div_ceil(ROW_BYTES).max(1)
}

/// The largest input a device with `limits` can bind as texels.
pub fn max_input_bytes(limits: &wgpu::Limits) -> u64 {
    u64::from(limits.max_texture_dimension_2d) * ROW_BYTES
}

/// A texture holding `data` in the texel layout, ready to bind. Every input the protocol allows fits
/// ([`max_input_bytes`] of the device limits the worker requests; a unit test checks it).
pub fn upload(device: &wgpu::Device, queue: &wgpu::Queue, data: &[u8]) -> wgpu::TextureView {
    let rows = rows(data.len() as u64) as u32;
    let texture = device.create_texture(&wgpu::TextureDescriptor {
        label: Some("gpu-worker texel input"),
        size: wgpu::Extent3d { width: TEXELS_PER_ROW, height: rows, depth_or_array_layers: 1 },
        mip_level_count: 1,
        sample_count: 1,
        dimension: wgpu::TextureDimension::D2,
        format: FORMAT,
        usage: wgpu::TextureUsages::TEXTURE_BINDING | wgpu::TextureUsages::COPY_DST,
        view_formats: &[],
    });
    let row_bytes = ROW_BYTES as usize;
    let full_rows = data.len() / row_bytes;
    let write = |first_row: usize, bytes: &[u8], rows: usize| {
        queue.write_texture(
            wgpu::TexelCopyTextureInfo {
                texture: &texture,
                mip_level: 0,
                origin: wgpu::Origin3d { x: 0, y: first_row as u32, z: 0 },
                aspect: wgpu::TextureAspect::All,
            },
            bytes,
            wgpu::TexelCopyBufferLayout {
                offset: 0,
                bytes_per_row: Some(ROW_BYTES as u32),
                rows_per_image: None,
            },
            wgpu::Extent3d { width: TEXELS_PER_ROW, height: rows as u32, depth_or_array_layers: 1 },
        );
    };
    if full_rows > 0 {
        write(0, &data[..full_rows * row_bytes], full_rows);
    }
    // The last, partial row is written zero-padded: texture memory starts undefined, and a kernel may read
    // the padding of its last texel.
    if full_rows < rows as usize {
        let mut last = vec![0u8; row_bytes];
        let tail = &data[full_rows * row_bytes..];
        last[..tail.len()].copy_from_slice(tail);
        write(full_rows, &last, 1);
    }
    texture.create_view(&wgpu::TextureViewDescriptor::default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_cover_every_byte() {
        assert_eq!(rows(0), 1);
        assert_eq!(rows(1), 1);
        assert_eq!(rows(ROW_BYTES), 1);
        assert_eq!(rows(ROW_BYTES + 1), 2);
        // The protocol's largest input fits the WebGPU default texture size.
        let limits = crate::gpu::limits::ProtocolLimits::default();
        assert!(
            limits.max_input_bytes <= max_input_bytes(&crate::gpu::limits::ProtocolLimits::device_limits())
        );
    }
}
