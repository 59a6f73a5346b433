// Fixed-point Mandelbrot set: one u32 per pixel, the number of iterations before |z|² > 4 (at most
// `max_iter`).
//
// Numbers are Q19.12 fixed point in i32 (value × 4096) with wrapping arithmetic, so every device computes
// the same bits: c = (x0 + px · step, y0 + py · step); z ← z² + c where a product is (a · b) >> 12 with an
// arithmetic shift. For |c| ≤ 2 no product overflows before escape.
//
// Bindings: no inputs; the image is the output (binding 0); the parameters are binding 1.

struct Params {
    width: u32,
    height: u32,
    max_iter: u32,
    _pad: u32,
    x0: i32,
    y0: i32,
    step: i32,
    _pad2: i32,
}

@group(0) @binding(0) var<storage, read_write> image: array<u32>;
@group(0) @binding(1) var<uniform> params: Params;

const FRAC: u32 = 12u;
const ESCAPE: i32 = 16384;  // 4.0 in Q.12

@compute @workgroup_size(16, 16, 1)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
    // Parameters are read once, outside the loop (llvmpipe would reload them every iteration).
    let width = params.width;
    let max_iter = params.max_iter;
    let px = gid.x;
    let py = gid.y;
    if px >= width || py >= params.height {
        return;
    }
    let cr = params.x0 + i32(px) * params.step;
    let ci = params.y0 + i32(py) * params.step;
    var zr = 0i;
    var zi = 0i;
    var i = 0u;
    loop {
        if i >= max_iter {
            break;
        }
        let zr2 = (zr * zr) >> FRAC;
        let zi2 = (zi * zi) >> FRAC;
        if zr2 + zi2 > ESCAPE {
            break;
        }
        let t = zr2 - zi2 + cr;
        zi = ((zr * zi) >> (FRAC - 1u)) + ci;
        zr = t;
        i++;
    }
    image[py * width + px] = i;
}
