// Tiled u32 matrix multiply with wrapping arithmetic: C (m × n) = A (m × k) · B (k × n), row-major.
//
// Bindings (the worker's convention): A and B are inputs 0 and 1, C is the output (binding 2), the sizes are
// the uniform parameters (binding 3).
//
// A workgroup of 16 × 16 invocations computes a 128 × 128 tile of C; each invocation computes an 8 × 8 block
// of it in registers (16 vec4 accumulators). The k dimension is walked in steps of 8: each step stages a
// 128 × 8 slice of A (transposed) and an 8 × 128 slice of B in workgroup memory (8 KiB), so every element
// loaded from the storage buffers is used 128 times, and every element loaded from workgroup memory 8 times.
// Out-of-range elements are staged as zero, so any m, k, n works.

struct Params {
    m: u32,
    k: u32,
    n: u32,
    _pad: u32,
}

@group(0) @binding(0) var<storage, read> a: array<u32>;
@group(0) @binding(1) var<storage, read> b: array<u32>;
@group(0) @binding(2) var<storage, read_write> c: array<u32>;
@group(0) @binding(3) var<uniform> params: Params;

const TILE: u32 = 128u;  // rows and columns of C per workgroup
const KT: u32 = 8u;      // k values staged per step
const VECS: u32 = 32u;   // vec4s per staged row: TILE / 4

// tile_a[kk * VECS + r / 4][r % 4] = A[row0 + r][k0 + kk]: A transposed, 4 rows per vector.
var<workgroup> tile_a: array<vec4<u32>, 256>;  // KT * VECS
// tile_b[kk * VECS + c / 4][c % 4] = B[k0 + kk][col0 + c]: 4 columns per vector.
var<workgroup> tile_b: array<vec4<u32>, 256>;  // KT * VECS

@compute @workgroup_size(16, 16, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
    let m = params.m;
    let k = params.k;
    let n = params.n;
    let row0 = wid.y * TILE;
    let col0 = wid.x * TILE;
    let flat = lid.y * 16u + lid.x;  // 0..256

    // Staging assignment. A: invocation `flat` loads 4 consecutive k values of row `flat / 2` of the slice.
    // B: invocation `flat` loads 4 consecutive columns (group `flat % 32`) of row `flat / 32` of the slice.
    let a_r = flat / 2u;
    let a_row = row0 + a_r;
    let a_kq = (flat % 2u) * 4u;
    let b_kk = flat / 32u;
    let b_cq = flat % 32u;
    let b_col = col0 + b_cq * 4u;

    var c00 = vec4<u32>(0u);
    var c01 = vec4<u32>(0u);
    var c10 = vec4<u32>(0u);
    var c11 = vec4<u32>(0u);
    var c20 = vec4<u32>(0u);
    var c21 = vec4<u32>(0u);
    var c30 = vec4<u32>(0u);
    var c31 = vec4<u32>(0u);
    var c40 = vec4<u32>(0u);
    var c41 = vec4<u32>(0u);
    var c50 = vec4<u32>(0u);
    var c51 = vec4<u32>(0u);
    var c60 = vec4<u32>(0u);
    var c61 = vec4<u32>(0u);
    var c70 = vec4<u32>(0u);
    var c71 = vec4<u32>(0u);

    for (var k0 = 0u; k0 < k; k0 += KT) {
        // Stage A (transposed): 4 k values of one row.
        for (var j = 0u; j < 4u; j++) {
            let kk = a_kq + j;
            var v = 0u;
            if a_row < m && k0 + kk < k {
                v = a[a_row * k + k0 + kk];
            }
            tile_a[kk * VECS + a_r / 4u][a_r % 4u] = v;
        }
        // Stage B: 4 consecutive columns of one row.
        var w = vec4<u32>(0u);
        if k0 + b_kk < k {
            let base = (k0 + b_kk) * n;
            for (var j = 0u; j < 4u; j++) {
                if b_col + j < n {
                    w[j] = b[base + b_col + j];
                }
            }
        }
        tile_b[b_kk * VECS + b_cq] = w;
        workgroupBarrier();

        for (var kk = 0u; kk < KT; kk++) {
            // Rows lid.y * 8 .. + 8 of A, columns lid.x * 8 .. + 8 of B.
            let a0 = tile_a[kk * VECS + lid.y * 2u];
            let a1 = tile_a[kk * VECS + lid.y * 2u + 1u];
            let b0 = tile_b[kk * VECS + lid.x * 2u];
            let b1 = tile_b[kk * VECS + lid.x * 2u + 1u];
            c00 += a0.x * b0;
            c01 += a0.x * b1;
            c10 += a0.y * b0;
            c11 += a0.y * b1;
            c20 += a0.z * b0;
            c21 += a0.z * b1;
            c30 += a0.w * b0;
            c31 += a0.w * b1;
            c40 += a1.x * b0;
            c41 += a1.x * b1;
            c50 += a1.y * b0;
            c51 += a1.y * b1;
            c60 += a1.z * b0;
            c61 += a1.z * b1;
            c70 += a1.w * b0;
            c71 += a1.w * b1;
        }
        workgroupBarrier();
    }

    let r = row0 + lid.y * 8u;
    let col = col0 + lid.x * 8u;
    store_row(r, col, c00, c01, m, n);
    store_row(r + 1u, col, c10, c11, m, n);
    store_row(r + 2u, col, c20, c21, m, n);
    store_row(r + 3u, col, c30, c31, m, n);
    store_row(r + 4u, col, c40, c41, m, n);
    store_row(r + 5u, col, c50, c51, m, n);
    store_row(r + 6u, col, c60, c61, m, n);
    store_row(r + 7u, col, c70, c71, m, n);
}

fn store_row(row: u32, col: u32, lo: vec4<u32>, hi: vec4<u32>, m: u32, n: u32) {
    if row >= m {
        return;
    }
    let base = row * n + col;
    for (var j = 0u; j < 4u; j++) {
        if col + j < n {
            c[base + j] = lo[j];
        }
        if col + 4u + j < n {
            c[base + 4u + j] = hi[j];
        }
    }
}
