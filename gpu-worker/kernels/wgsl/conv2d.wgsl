// 2-D integer convolution of an 8-bit greyscale image (an image filter), clamp-to-edge.
//
// out[y][x] = clamp((Σ_{dy,dx ∈ [-r, r]} w[dy + r][dx + r] · img[clamp(y + dy)][clamp(x + dx)]) >> (shift & 31),
//                   0, 255)
//
// Images are `width × height` bytes, row-major, each row padded with zeros to `stride` 4-byte words
// (stride = ceil(width / 4)); pixels are read as unsigned bytes, the weights are i32, the sum wraps (two's
// complement) and the shift is arithmetic. The padding bytes of the output are zero. The radius is at most 4
// (9 × 9 taps).
//
// Bindings: input 0 is the image, the output (binding 1) the filtered image, the parameters (sizes and the
// (2r + 1)² weights, row-major, 4 per vector) binding 2.
//
// Each invocation computes 8 × 4 pixels. For each of the 4 + 2r source rows it loads the 16 pixels
// x0 − 4 .. x0 + 11 (4 words; pixel by pixel, clamped, at the left and right edges) and adds every tap's
// contribution to the output rows that use that source row, as vec4 windows of the 16 pixels: each word
// loaded serves up to 4 · 9 · 2 multiply-adds. The weights are uniform. Entry point `main_rR` serves radius
// R: with R a constant, the rows, taps and windows are all resolved at compile time.

struct Params {
    width: u32,
    height: u32,
    stride: u32,
    shift: u32,
    weights: array<vec4<i32>, 21>,  // ceil(81 / 4)
}

@group(0) @binding(0) var<storage, read> img: array<u32>;
@group(0) @binding(1) var<storage, read_write> out: array<u32>;
@group(0) @binding(2) var<uniform> params: Params;

// 16 consecutive pixels of a source row.
struct Seg {
    q0: vec4<i32>,
    q1: vec4<i32>,
    q2: vec4<i32>,
    q3: vec4<i32>,
}

// Accumulators of the 8 × 4 output pixels: row 0 is a0 (x0 .. x0 + 3) and a1 (x0 + 4 .. x0 + 7), and so on.
struct Acc {
    a0: vec4<i32>,
    a1: vec4<i32>,
    b0: vec4<i32>,
    b1: vec4<i32>,
    c0: vec4<i32>,
    c1: vec4<i32>,
    d0: vec4<i32>,
    d1: vec4<i32>,
}

fn unpack(word: u32) -> vec4<i32> {
    return vec4<i32>(vec4<u32>(word & 0xffu, (word >> 8u) & 0xffu, (word >> 16u) & 0xffu, word >> 24u));
}

// Pixel x of the row starting at word `row`, with x clamped to the image.
fn pixel(row: u32, x: i32) -> i32 {
    let cx = u32(clamp(x, 0, i32(params.width) - 1));
    return i32((img[row + cx / 4u] >> ((cx % 4u) * 8u)) & 0xffu);
}

// Pixels o .. o + 3 of a segment (0 ≤ o ≤ 12).
fn window(s: Seg, o: i32) -> vec4<i32> {
    switch o {
        case 0: {
            return s.q0;
        }
        case 1: {
            return vec4<i32>(s.q0.y, s.q0.z, s.q0.w, s.q1.x);
        }
        case 2: {
            return vec4<i32>(s.q0.z, s.q0.w, s.q1.x, s.q1.y);
        }
        case 3: {
            return vec4<i32>(s.q0.w, s.q1.x, s.q1.y, s.q1.z);
        }
        case 4: {
            return s.q1;
        }
        case 5: {
            return vec4<i32>(s.q1.y, s.q1.z, s.q1.w, s.q2.x);
        }
        case 6: {
            return vec4<i32>(s.q1.z, s.q1.w, s.q2.x, s.q2.y);
        }
        case 7: {
            return vec4<i32>(s.q1.w, s.q2.x, s.q2.y, s.q2.z);
        }
        case 8: {
            return s.q2;
        }
        case 9: {
            return vec4<i32>(s.q2.y, s.q2.z, s.q2.w, s.q3.x);
        }
        case 10: {
            return vec4<i32>(s.q2.z, s.q2.w, s.q3.x, s.q3.y);
        }
        case 11: {
            return vec4<i32>(s.q2.w, s.q3.x, s.q3.y, s.q3.z);
        }
        case 12: {
            return s.q3;
        }
        default: {
            return vec4<i32>(0);
        }
    }
}

fn weight(t: i32) -> i32 {
    return params.weights[t / 4][t % 4];
}

// Adds tap column dx of source row iy (relative to y0 − r) to the output rows that use it.
fn tap(acc: ptr<function, Acc>, s: Seg, iy: i32, dx: i32, r: i32) {
    let side = 2 * r + 1;
    let lo = window(s, 4 - r + dx);
    let hi = window(s, 8 - r + dx);
    if iy < side {
        let w = weight(iy * side + dx);
        (*acc).a0 += w * lo;
        (*acc).a1 += w * hi;
    }
    if iy >= 1 && iy - 1 < side {
        let w = weight((iy - 1) * side + dx);
        (*acc).b0 += w * lo;
        (*acc).b1 += w * hi;
    }
    if iy >= 2 && iy - 2 < side {
        let w = weight((iy - 2) * side + dx);
        (*acc).c0 += w * lo;
        (*acc).c1 += w * hi;
    }
    if iy >= 3 && iy - 3 < side {
        let w = weight((iy - 3) * side + dx);
        (*acc).d0 += w * lo;
        (*acc).d1 += w * hi;
    }
}

fn pack(lo: vec4<i32>, shift: u32) -> u32 {
    let v = vec4<u32>(clamp(lo >> vec4<u32>(shift), vec4<i32>(0), vec4<i32>(255)));
    return v.x | (v.y << 8u) | (v.z << 16u) | (v.w << 24u);
}

// Writes one output row (8 pixels, 2 words); pixels at x ≥ width are padding, written as 0.
fn store_row(y: i32, x0: i32, lo: vec4<i32>, hi: vec4<i32>) {
    let w = i32(params.width);
    if y >= i32(params.height) {
        return;
    }
    let shift = params.shift & 31u;
    let xs = vec4<i32>(0, 1, 2, 3);
    let keep_lo = vec4<i32>(xs + vec4<i32>(x0) < vec4<i32>(w));
    let keep_hi = vec4<i32>(xs + vec4<i32>(x0 + 4) < vec4<i32>(w));
    let base = u32(y) * params.stride + u32(x0 / 4);
    out[base] = pack(lo * keep_lo, shift);
    if x0 + 4 < w {
        out[base + 1u] = pack(hi * keep_hi, shift);
    }
}

// Source row iy (image row y0 + iy − r, clamped): loads its 16 pixels around the tile and adds all its taps.
fn source_row(acc: ptr<function, Acc>, x0: i32, y0: i32, iy: i32, r: i32) {
    let w = i32(params.width);
    let h = i32(params.height);
    let side = 2 * r + 1;
    let row = u32(clamp(y0 + iy - r, 0, h - 1)) * params.stride;
    var s: Seg;
    if x0 >= 4 && x0 + 11 < w {
        let base = row + u32(x0 / 4 - 1);
        s = Seg(unpack(img[base]), unpack(img[base + 1u]), unpack(img[base + 2u]), unpack(img[base + 3u]));
    } else {
        let x = x0 - 4;
        s = Seg(
            vec4<i32>(pixel(row, x), pixel(row, x + 1), pixel(row, x + 2), pixel(row, x + 3)),
            vec4<i32>(pixel(row, x + 4), pixel(row, x + 5), pixel(row, x + 6), pixel(row, x + 7)),
            vec4<i32>(pixel(row, x + 8), pixel(row, x + 9), pixel(row, x + 10), pixel(row, x + 11)),
            vec4<i32>(pixel(row, x + 12), pixel(row, x + 13), pixel(row, x + 14), pixel(row, x + 15)),
        );
    }
    tap(acc, s, iy, 0, r);
    if side > 1 {
        tap(acc, s, iy, 1, r);
    }
    if side > 2 {
        tap(acc, s, iy, 2, r);
    }
    if side > 3 {
        tap(acc, s, iy, 3, r);
    }
    if side > 4 {
        tap(acc, s, iy, 4, r);
    }
    if side > 5 {
        tap(acc, s, iy, 5, r);
    }
    if side > 6 {
        tap(acc, s, iy, 6, r);
    }
    if side > 7 {
        tap(acc, s, iy, 7, r);
    }
    if side > 8 {
        tap(acc, s, iy, 8, r);
    }
}

// The 8 × 4 pixels at (8 gid.x, 4 gid.y). The source rows are unrolled by hand (4 + 2r ≤ 12 of them) so
// that, with r a constant, every row, tap and window index is a constant.
fn conv_tile(gid: vec3<u32>, r: i32) {
    let x0 = i32(gid.x) * 8;
    let y0 = i32(gid.y) * 4;
    if x0 >= i32(params.width) || y0 >= i32(params.height) {
        return;
    }
    var acc: Acc;
    source_row(&acc, x0, y0, 0, r);
    source_row(&acc, x0, y0, 1, r);
    source_row(&acc, x0, y0, 2, r);
    source_row(&acc, x0, y0, 3, r);
    if 4 + 2 * r > 4 {
        source_row(&acc, x0, y0, 4, r);
    }
    if 4 + 2 * r > 5 {
        source_row(&acc, x0, y0, 5, r);
    }
    if 4 + 2 * r > 6 {
        source_row(&acc, x0, y0, 6, r);
    }
    if 4 + 2 * r > 7 {
        source_row(&acc, x0, y0, 7, r);
    }
    if 4 + 2 * r > 8 {
        source_row(&acc, x0, y0, 8, r);
    }
    if 4 + 2 * r > 9 {
        source_row(&acc, x0, y0, 9, r);
    }
    if 4 + 2 * r > 10 {
        source_row(&acc, x0, y0, 10, r);
    }
    if 4 + 2 * r > 11 {
        source_row(&acc, x0, y0, 11, r);
    }
    store_row(y0, x0, acc.a0, acc.a1);
    store_row(y0 + 1, x0, acc.b0, acc.b1);
    store_row(y0 + 2, x0, acc.c0, acc.c1);
    store_row(y0 + 3, x0, acc.d0, acc.d1);
}

@compute @workgroup_size(8, 8, 1)
fn main_r0(@builtin(global_invocation_id) gid: vec3<u32>) {
    conv_tile(gid, 0);
}

@compute @workgroup_size(8, 8, 1)
fn main_r1(@builtin(global_invocation_id) gid: vec3<u32>) {
    conv_tile(gid, 1);
}

@compute @workgroup_size(8, 8, 1)
fn main_r2(@builtin(global_invocation_id) gid: vec3<u32>) {
    conv_tile(gid, 2);
}

@compute @workgroup_size(8, 8, 1)
fn main_r3(@builtin(global_invocation_id) gid: vec3<u32>) {
    conv_tile(gid, 3);
}

@compute @workgroup_size(8, 8, 1)
fn main_r4(@builtin(global_invocation_id) gid: vec3<u32>) {
    conv_tile(gid, 4);
}
