// Multi-pass bitonic sort of u32 keys, ascending, for any n.
//
// The sorting network is the variant in which every comparator puts the smaller key at the lower index: the
// first step of each stage k compares i with i XOR (k − 1) ("flip"), the following steps compare i with
// i + j for j = k/4, ..., 1 ("disperse"). The keys are padded, virtually, to the next power of two with
// u32::MAX; a comparator whose upper index is ≥ n would leave its lower key in place, so it is skipped and
// the padding never exists in memory.
//
// Program (the worker builds it; see `kernels::BitonicSort`):
// 1. `local_sort`: copies the input into the output and sorts every block of BLOCK keys in workgroup memory
//    (all stages k ≤ BLOCK).
// 2. For every stage k = 2·BLOCK, 4·BLOCK, ... ≤ next_pow2(n): `flip` (k), `disperse` for every j ≥ BLOCK,
//    then `local_disperse` (all j < BLOCK in workgroup memory).
//
// Bindings: input 0 is the keys, the output (binding 1) the sorted keys, the pass parameters binding 2.

struct Params {
    n: u32,  // number of keys
    k: u32,  // stage (flip)
    j: u32,  // distance (disperse)
    _pad: u32,
}

@group(0) @binding(0) var<storage, read> src: array<u32>;
@group(0) @binding(1) var<storage, read_write> dst: array<u32>;
@group(0) @binding(2) var<uniform> params: Params;

const WG: u32 = 256u;
const BLOCK: u32 = 1024u;  // keys per workgroup in the local passes
const MAX: u32 = 0xffffffffu;

var<workgroup> tile: array<u32, 1024>;

fn exchange_tile(i: u32, l: u32) {
    let a = tile[i];
    let b = tile[l];
    if a > b {
        tile[i] = b;
        tile[l] = a;
    }
}

fn exchange_global(i: u32, l: u32) {
    if l >= params.n {
        return;
    }
    let a = dst[i];
    let b = dst[l];
    if a > b {
        dst[i] = b;
        dst[l] = a;
    }
}

// All disperse steps j = first_j, ..., 1 of a block held in `tile` (512 comparators per step, 2 per
// invocation).
fn disperse_tile(first_j: u32, lid: u32) {
    for (var j = first_j; j > 0u; j >>= 1u) {
        for (var c = 0u; c < 2u; c++) {
            let t = lid + c * WG;
            let i = (t / j) * 2u * j + t % j;
            exchange_tile(i, i + j);
        }
        workgroupBarrier();
    }
}

fn load_tile(base: u32, lid: u32, from_input: bool) {
    for (var q = 0u; q < 4u; q++) {
        let local = q * WG + lid;
        let idx = base + local;
        var v = MAX;
        if idx < params.n {
            if from_input {
                v = src[idx];
            } else {
                v = dst[idx];
            }
        }
        tile[local] = v;
    }
    workgroupBarrier();
}

fn store_tile(base: u32, lid: u32) {
    for (var q = 0u; q < 4u; q++) {
        let local = q * WG + lid;
        let idx = base + local;
        if idx < params.n {
            dst[idx] = tile[local];
        }
    }
}

@compute @workgroup_size(256, 1, 1)
fn local_sort(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    let base = (wid.x + wid.y * nwg.x) * BLOCK;
    load_tile(base, lid, true);
    for (var k = 2u; k <= BLOCK; k <<= 1u) {
        let h = k / 2u;
        for (var c = 0u; c < 2u; c++) {
            let t = lid + c * WG;
            let start = (t / h) * k;
            let off = t % h;
            exchange_tile(start + off, start + k - 1u - off);
        }
        workgroupBarrier();
        disperse_tile(k / 4u, lid);
    }
    store_tile(base, lid);
}

@compute @workgroup_size(256, 1, 1)
fn local_disperse(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    let base = (wid.x + wid.y * nwg.x) * BLOCK;
    load_tile(base, lid, false);
    disperse_tile(BLOCK / 2u, lid);
    store_tile(base, lid);
}

@compute @workgroup_size(256, 1, 1)
fn flip(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    let t = (wid.x + wid.y * nwg.x) * WG + lid;
    let h = params.k / 2u;
    let start = (t / h) * params.k;
    let off = t % h;
    let i = start + off;
    if i >= params.n {
        return;
    }
    exchange_global(i, start + params.k - 1u - off);
}

@compute @workgroup_size(256, 1, 1)
fn disperse(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    let t = (wid.x + wid.y * nwg.x) * WG + lid;
    let j = params.j;
    let i = (t / j) * 2u * j + t % j;
    if i >= params.n {
        return;
    }
    exchange_global(i, i + j);
}
