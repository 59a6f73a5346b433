// SHA-256 of many independent messages (FIPS 180-4), one invocation per message: the inner loop of a
// proof-of-work search, where every message is a candidate (a header and a nonce).
//
// The input holds `count` messages of `msg_len` bytes each, back to back; `msg_len` is a multiple of 4 (the
// worker reads words). The output holds the 32-byte digests, in message order, as the standard byte string
// (big-endian words), so it equals sha256(message) byte for byte.
//
// Bindings: input 0 is the messages, the output (binding 1) the digests, the parameters binding 2.

struct Params {
    count: u32,
    msg_len: u32,
    _pad0: u32,
    _pad1: u32,
}

@group(0) @binding(0) var<storage, read> messages: array<u32>;
@group(0) @binding(1) var<storage, read_write> digests: array<u32>;
@group(0) @binding(2) var<uniform> params: Params;

var<private> K: array<u32, 64> = array<u32, 64>(
    0x428a2f98u, 0x71374491u, 0xb5c0fbcfu, 0xe9b5dba5u, 0x3956c25bu, 0x59f111f1u, 0x923f82a4u, 0xab1c5ed5u,
    0xd807aa98u, 0x12835b01u, 0x243185beu, 0x550c7dc3u, 0x72be5d74u, 0x80deb1feu, 0x9bdc06a7u, 0xc19bf174u,
    0xe49b69c1u, 0xefbe4786u, 0x0fc19dc6u, 0x240ca1ccu, 0x2de92c6fu, 0x4a7484aau, 0x5cb0a9dcu, 0x76f988dau,
    0x983e5152u, 0xa831c66du, 0xb00327c8u, 0xbf597fc7u, 0xc6e00bf3u, 0xd5a79147u, 0x06ca6351u, 0x14292967u,
    0x27b70a85u, 0x2e1b2138u, 0x4d2c6dfcu, 0x53380d13u, 0x650a7354u, 0x766a0abbu, 0x81c2c92eu, 0x92722c85u,
    0xa2bfe8a1u, 0xa81a664bu, 0xc24b8b70u, 0xc76c51a3u, 0xd192e819u, 0xd6990624u, 0xf40e3585u, 0x106aa070u,
    0x19a4c116u, 0x1e376c08u, 0x2748774cu, 0x34b0bcb5u, 0x391c0cb3u, 0x4ed8aa4au, 0x5b9cca4fu, 0x682e6ff3u,
    0x748f82eeu, 0x78a5636fu, 0x84c87814u, 0x8cc70208u, 0x90befffau, 0xa4506cebu, 0xbef9a3f7u, 0xc67178f2u,
);

fn bswap(x: u32) -> u32 {
    return (x >> 24u) | ((x >> 8u) & 0xff00u) | ((x << 8u) & 0xff0000u) | (x << 24u);
}

fn rotr(x: u32, n: u32) -> u32 {
    return (x >> n) | (x << (32u - n));
}

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let msg = gid.x + gid.y * nwg.x * 64u;
    if msg >= params.count {
        return;
    }
    let len = params.msg_len;
    let words = len / 4u;
    let base = msg * words;
    // Padded length: the message, the 0x80 byte, zeros, the 64-bit bit length; a multiple of 64 bytes.
    let blocks = (len + 8u) / 64u + 1u;
    let last = blocks * 16u - 1u;

    var h0 = 0x6a09e667u;
    var h1 = 0xbb67ae85u;
    var h2 = 0x3c6ef372u;
    var h3 = 0xa54ff53au;
    var h4 = 0x510e527fu;
    var h5 = 0x9b05688cu;
    var h6 = 0x1f83d9abu;
    var h7 = 0x5be0cd19u;

    var w: array<u32, 16>;
    for (var blk = 0u; blk < blocks; blk++) {
        for (var t = 0u; t < 16u; t++) {
            let wi = blk * 16u + t;
            var x = 0u;
            if wi < words {
                x = bswap(messages[base + wi]);
            } else if wi == words {
                x = 0x80000000u;
            }
            if wi == last - 1u {
                x = len >> 29u;
            } else if wi == last {
                x = len << 3u;
            }
            w[t] = x;
        }

        var a = h0;
        var b = h1;
        var c = h2;
        var d = h3;
        var e = h4;
        var f = h5;
        var g = h6;
        var h = h7;
        for (var t = 0u; t < 64u; t++) {
            var wt: u32;
            if t < 16u {
                wt = w[t];
            } else {
                let w15 = w[(t + 1u) & 15u];
                let w2 = w[(t + 14u) & 15u];
                let s0 = rotr(w15, 7u) ^ rotr(w15, 18u) ^ (w15 >> 3u);
                let s1 = rotr(w2, 17u) ^ rotr(w2, 19u) ^ (w2 >> 10u);
                wt = w[t & 15u] + s0 + w[(t + 9u) & 15u] + s1;
                w[t & 15u] = wt;
            }
            let big_s1 = rotr(e, 6u) ^ rotr(e, 11u) ^ rotr(e, 25u);
            let ch = (e & f) ^ (~e & g);
            let t1 = h + big_s1 + ch + K[t] + wt;
            let big_s0 = rotr(a, 2u) ^ rotr(a, 13u) ^ rotr(a, 22u);
            let maj = (a & b) ^ (a & c) ^ (b & c);
            let t2 = big_s0 + maj;
            h = g;
            g = f;
            f = e;
            e = d + t1;
            d = c;
            c = b;
            b = a;
            a = t1 + t2;
        }
        h0 += a;
        h1 += b;
        h2 += c;
        h3 += d;
        h4 += e;
        h5 += f;
        h6 += g;
        h7 += h;
    }

    let out = msg * 8u;
    digests[out] = bswap(h0);
    digests[out + 1u] = bswap(h1);
    digests[out + 2u] = bswap(h2);
    digests[out + 3u] = bswap(h3);
    digests[out + 4u] = bswap(h4);
    digests[out + 5u] = bswap(h5);
    digests[out + 6u] = bswap(h6);
    digests[out + 7u] = bswap(h7);
}
