// Multi-pass inclusive prefix sum of u32 values with wrapping addition: out[i] = in[0] + ... + in[i].
//
// A program of passes over the output buffer, in place (the worker builds it; see `kernels::PrefixSum`):
//
// 1. `scan_blocks` with stride 1, from the input: every block of BLOCK consecutive elements is scanned
//    on its own.
// 2. `scan_blocks` with stride BLOCK, BLOCK², ... in place: the elements at positions (i + 1)·stride − 1 (the
//    last element of each block of the level below) are scanned in blocks of BLOCK, until one block covers
//    them all. Afterwards the element at the end of every stride-s block holds its full prefix.
// 3. `add_block_sums` with stride ..., BLOCK, 1: every element of a block at that stride, except the block's
//    last one (already final), adds the final prefix that ends just before the block.
//
// Each pass reads and writes disjoint elements or only its own, so no pass races with itself.
//
// Bindings: input 0 is the data, the output (binding 1) the prefix sums, the pass parameters binding 2.

struct Params {
    n: u32,          // number of elements
    stride: u32,     // distance between the elements this pass works on
    from_input: u32, // 1: read the input (first pass), 0: read the output in place
    _pad: u32,
}

@group(0) @binding(0) var<storage, read> src: array<u32>;
@group(0) @binding(1) var<storage, read_write> dst: array<u32>;
@group(0) @binding(2) var<uniform> params: Params;

const WG: u32 = 256u;
const PER: u32 = 4u;
const BLOCK: u32 = 1024u;  // WG * PER

var<workgroup> totals: array<u32, 256>;

// Position in the buffer of the element `e` at the pass's stride.
fn position(e: u32) -> u32 {
    return (e + 1u) * params.stride - 1u;
}

@compute @workgroup_size(256, 1, 1)
fn scan_blocks(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    let count = params.n / params.stride;
    let block = wid.x + wid.y * nwg.x;
    let first = block * BLOCK + lid * PER;

    var vals: array<u32, 4>;
    var run = 0u;
    for (var j = 0u; j < PER; j++) {
        let e = first + j;
        var x = 0u;
        if e < count {
            if params.from_input != 0u {
                x = src[position(e)];
            } else {
                x = dst[position(e)];
            }
        }
        run += x;
        vals[j] = run;
    }

    // Inclusive scan of the 256 invocation totals (Hillis–Steele).
    totals[lid] = run;
    workgroupBarrier();
    for (var offset = 1u; offset < WG; offset <<= 1u) {
        var add = 0u;
        if lid >= offset {
            add = totals[lid - offset];
        }
        workgroupBarrier();
        totals[lid] += add;
        workgroupBarrier();
    }
    var base = 0u;
    if lid > 0u {
        base = totals[lid - 1u];
    }

    for (var j = 0u; j < PER; j++) {
        let e = first + j;
        if e < count {
            dst[position(e)] = base + vals[j];
        }
    }
}

@compute @workgroup_size(256, 1, 1)
fn add_block_sums(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    let count = params.n / params.stride;
    let block = wid.x + wid.y * nwg.x;
    if block == 0u {
        return;
    }
    // The last element of the previous block: final since the pass at the next stride.
    let carry = dst[position(block * BLOCK - 1u)];
    for (var j = 0u; j < PER; j++) {
        let local = j * WG + lid;
        let e = block * BLOCK + local;
        if e < count && local != BLOCK - 1u {
            let p = position(e);
            dst[p] = dst[p] + carry;
        }
    }
}
