//! Every built-in kernel: the GPU output is byte-identical to the multithreaded CPU reference, over several
//! sizes, including sizes that are not multiples of the workgroup size (or of the kernels' 1024-element
//! blocks).

mod common;

use common::{check_against_reference, executor};
use compute_executor::program::Input;
use compute_kernels::{
    runs_cpu_variants, BitonicSort, BuiltinJob, Conv2d, Mandelbrot, Matmul, PrefixSum, Sha256Batch,
};

#[test]
fn matmul_matches_reference() {
    let mut ex = executor();
    for (m, k, n) in [(1, 1, 1), (17, 33, 65), (64, 64, 64), (100, 7, 129), (130, 200, 70), (256, 256, 256)] {
        let job = BuiltinJob::Matmul(Matmul { m, k, n });
        check_against_reference(&mut ex, job, job.default_inputs(u64::from(m * 1000 + n)));
    }
}

/// The variant for devices with 8-wide subgroups (lavapipe on AVX2 CPUs) reads A and B as texels and takes k
/// and n multiples of 4; these sizes cover partial tiles in every direction, a single texel, matrices that
/// end inside a texture row and ones that span several (1024 texels = 4096 elements per row).
#[test]
fn matmul_device_variant_matches_reference() {
    let mut ex = executor();
    let traits = ex.device_traits().expect("a device");
    for (m, k, n) in [(1, 4, 4), (130, 68, 72), (257, 36, 132), (64, 128, 64), (33, 516, 200), (70, 4100, 8)]
    {
        let job = BuiltinJob::Matmul(Matmul { m, k, n });
        let had_variant = check_against_reference(&mut ex, job, job.default_inputs(u64::from(m * 1000 + n)));
        assert_eq!(had_variant, runs_cpu_variants(&traits), "{m}x{k}x{n}: {traits:?}");
    }
    for (k, n) in [(3, 4), (6, 8), (8, 6)] {
        let unaligned = BuiltinJob::Matmul(Matmul { m: 9, k, n });
        assert!(!check_against_reference(&mut ex, unaligned, unaligned.default_inputs(1)), "k {k}, n {n}");
    }
}

#[test]
fn mandelbrot_matches_reference() {
    let mut ex = executor();
    for (w, h, iters) in [(1, 1, 10), (17, 13, 50), (100, 75, 64), (333, 200, 300)] {
        let job = BuiltinJob::Mandelbrot(Mandelbrot::view(w, h, iters));
        check_against_reference(&mut ex, job, vec![]);
    }
    // A zoom on the boundary (seahorse valley), where escape times vary from pixel to pixel.
    let zoom = Mandelbrot { width: 160, height: 120, max_iter: 500, x0: -3113, y0: -500, step: 1 };
    check_against_reference(&mut ex, BuiltinJob::Mandelbrot(zoom), vec![]);
    // The largest iteration limit the built-in allows, at a point inside the set: every iteration runs
    // (llvmpipe silently stops an invocation's loops after 65 535 iterations; the limit stays below that).
    let deep = Mandelbrot { width: 1, height: 1, max_iter: 60_000, x0: 0, y0: 0, step: 1 };
    check_against_reference(&mut ex, BuiltinJob::Mandelbrot(deep), vec![]);
    // Coordinates far outside the set: wrapping arithmetic must agree too.
    let wild = Mandelbrot { width: 50, height: 40, max_iter: 40, x0: -400_000, y0: -300_000, step: 20_000 };
    check_against_reference(&mut ex, BuiltinJob::Mandelbrot(wild), vec![]);
}

#[test]
fn conv2d_matches_reference() {
    let mut ex = executor();
    // Every radius (each has its own entry point), widths around the 8-pixel tiles and the 4-byte rows,
    // images narrower and shorter than the filter.
    for (w, h, r) in
        [(1, 1, 1), (2, 3, 3), (5, 2, 4), (37, 19, 2), (64, 32, 0), (130, 97, 1), (203, 150, 4), (301, 67, 3)]
    {
        let job = BuiltinJob::Conv2d(Conv2d::blur(w, h, r));
        check_against_reference(&mut ex, job, job.default_inputs(u64::from(w)));
    }
    // Signed weights (a Sobel edge filter: the sums go negative and are clamped), no shift.
    let sobel = Conv2d::with_weights(61, 45, 1, 0, &[-1, -2, -1, 0, 0, 0, 1, 2, 1]);
    let job = BuiltinJob::Conv2d(sobel);
    check_against_reference(&mut ex, job, job.default_inputs(5));
    // Large weights: the sums wrap around i32.
    let wrapping =
        Conv2d::with_weights(40, 20, 1, 3, &[i32::MAX, -7, 1 << 30, 3, i32::MIN, 9, -1, 1 << 29, 77]);
    let job = BuiltinJob::Conv2d(wrapping);
    check_against_reference(&mut ex, job, job.default_inputs(6));
}

/// The variant for CPU devices reads the image as texels and takes rows of a multiple of 4 words; these sizes
/// cover several strips in both directions, partial strips, every radius and the clamped edges.
#[test]
fn conv2d_device_variant_matches_reference() {
    let mut ex = executor();
    let traits = ex.device_traits().expect("a device");
    // Rows of 4 words (one texel) and more, widths that end inside a word and inside a texel, image rows
    // that straddle texture rows (1024 texels each), strips cut by the image's last row.
    for (w, h, r) in
        [(16, 200, 1), (256, 64, 2), (525, 130, 4), (1005, 70, 3), (29, 9, 0), (605, 131, 2), (4112, 20, 2)]
    {
        let job = BuiltinJob::Conv2d(Conv2d::blur(w, h, r));
        let had_variant = check_against_reference(&mut ex, job, job.default_inputs(u64::from(w + h)));
        assert_eq!(had_variant, runs_cpu_variants(&traits), "{w}x{h} radius {r}: {traits:?}");
    }
    let sobel = BuiltinJob::Conv2d(Conv2d::with_weights(333, 100, 1, 0, &[-1, -2, -1, 0, 0, 0, 1, 2, 1]));
    check_against_reference(&mut ex, sobel, sobel.default_inputs(3));
    for w in [9, 24] {
        let unaligned = BuiltinJob::Conv2d(Conv2d::blur(w, 9, 1));
        assert!(!check_against_reference(&mut ex, unaligned, unaligned.default_inputs(1)), "width {w}");
    }
}

#[test]
fn prefix_sum_matches_reference() {
    let mut ex = executor();
    // One block, block boundaries, two and three levels of blocks.
    for n in [1, 5, 1023, 1024, 1025, 4097, 300_001, 1_100_003] {
        let job = BuiltinJob::PrefixSum(PrefixSum { n });
        check_against_reference(&mut ex, job, job.default_inputs(u64::from(n)));
    }
}

#[test]
fn bitonic_sort_matches_reference() {
    let mut ex = executor();
    for n in [1, 2, 3, 1000, 1024, 1025, 5000, 65_553] {
        let job = BuiltinJob::BitonicSort(BitonicSort { n });
        check_against_reference(&mut ex, job, job.default_inputs(u64::from(n)));
    }
    // Many duplicates, and keys equal to the virtual padding (u32::MAX).
    let keys: Vec<u32> = (0..3000u32).map(|i| if i % 7 == 0 { u32::MAX } else { i % 13 }).collect();
    let job = BuiltinJob::BitonicSort(BitonicSort { n: keys.len() as u32 });
    check_against_reference(&mut ex, job, vec![Input::words(&keys)]);
}

#[test]
fn sha256_matches_reference() {
    let mut ex = executor();
    // Empty messages, one block, two blocks (80-byte headers), three blocks, block-boundary lengths.
    // The longest messages the built-in allows (513 blocks each).
    for (count, len) in [(1, 0), (3, 4), (100, 80), (1000, 64), (257, 132), (70, 56), (65, 52), (2, 32_768)] {
        let job = BuiltinJob::Sha256(Sha256Batch { count, len });
        check_against_reference(&mut ex, job, job.default_inputs(u64::from(count + len)));
    }
}
