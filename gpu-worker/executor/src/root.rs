//! Result roots: `blake3(output)`, the same digest as [`compute_primitives::result_root`], computed with
//! blake3's multithreaded mode (rayon) for large outputs.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use blake3::hazmat::{self, ChainingValue, HasherExt, Mode};
use compute_primitives::ResultRoot;

/// Outputs at least this large are hashed on all cores; below it threads cost more than they save.
pub const PARALLEL_THRESHOLD: usize = 256 * 1024;

/// The result root of `output`: `blake3(output)`.
pub fn result_root(output: &[u8]) -> ResultRoot {
    if output.len() < PARALLEL_THRESHOLD {
        return compute_primitives::result_root(output);
    }
    let mut hasher = blake3::Hasher::new();
    hasher.update_rayon(output);
    ResultRoot(*hasher.finalize().as_bytes())
}

/// Pieces [`copy_with_root`] copies and hashes at once: small enough to stay in a core's L2 cache between the
/// copy and the hash, large enough for blake3's SIMD paths.
const PIECE: usize = 256 * 1024;

/// A copy of `src` and its result root, computed in the same pass: each piece of the output is hashed right
/// after it is copied, while it is still in cache, instead of reading the whole output from memory a second
/// time. Large outputs are split along blake3's own tree (`hazmat::left_subtree_len`), so the pieces are
/// complete subtrees hashed in parallel on all cores and merged into exactly `blake3(src)`.
///
/// Also returns the time the hashing took: the hashing time of all pieces divided by the threads that
/// shared them, i.e. how much longer the pass took than the copy alone would have.
pub fn copy_with_root(src: &[u8]) -> (Vec<u8>, ResultRoot, Duration) {
    let mut dst = vec![0u8; src.len()];
    if src.len() < PARALLEL_THRESHOLD {
        dst.copy_from_slice(src);
        let start = Instant::now();
        let root = compute_primitives::result_root(&dst);
        return (dst, root, start.elapsed());
    }
    let hashing = HashingTime::default();
    // Above one chunk (the threshold is far above), the root has two children.
    let (left_cv, right_cv) = copy_children(src, &mut dst, 0, &hashing);
    let start = Instant::now();
    let root = hazmat::merge_subtrees_root(&left_cv, &right_cv, Mode::Hash);
    let merge = start.elapsed();
    let threads = rayon::current_num_threads().min(hashing.pieces.load(Ordering::Relaxed)).max(1) as u64;
    let per_thread = Duration::from_nanos(hashing.nanos.load(Ordering::Relaxed) / threads);
    (dst, ResultRoot(*root.as_bytes()), per_thread + merge)
}

#[derive(Default)]
struct HashingTime {
    nanos: AtomicU64,
    pieces: AtomicUsize,
}

/// Copies the subtree at `offset` (`src.len()` bytes, a valid blake3 subtree there) and returns its chaining
/// value.
fn copy_subtree(src: &[u8], dst: &mut [u8], offset: u64, hashing: &HashingTime) -> ChainingValue {
    if src.len() <= PIECE {
        dst.copy_from_slice(src);
        let start = Instant::now();
        let cv = blake3::Hasher::new().set_input_offset(offset).update(dst).finalize_non_root();
        hashing.nanos.fetch_add(start.elapsed().as_nanos() as u64, Ordering::Relaxed);
        hashing.pieces.fetch_add(1, Ordering::Relaxed);
        return cv;
    }
    let (left_cv, right_cv) = copy_children(src, dst, offset, hashing);
    hazmat::merge_subtrees_non_root(&left_cv, &right_cv, Mode::Hash)
}

/// The chaining values of the two children of the tree node over `src` (more than one chunk) at `offset`,
/// copied and hashed in parallel.
fn copy_children(
    src: &[u8],
    dst: &mut [u8],
    offset: u64,
    hashing: &HashingTime,
) -> (ChainingValue, ChainingValue) {
    let left = hazmat::left_subtree_len(src.len() as u64) as usize;
    let (src_left, src_right) = src.split_at(left);
    let (dst_left, dst_right) = dst.split_at_mut(left);
    rayon::join(
        || copy_subtree(src_left, dst_left, offset, hashing),
        || copy_subtree(src_right, dst_right, offset + left as u64, hashing),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equals_the_primitives_root_on_both_paths() {
        for len in [0, 1, 1023, 1024, PARALLEL_THRESHOLD - 1, PARALLEL_THRESHOLD, 3 * PARALLEL_THRESHOLD + 17]
        {
            let mut data = vec![0u8; len];
            compute_primitives::generate_input(&[9; 32], &mut data);
            assert_eq!(result_root(&data), compute_primitives::result_root(&data), "length {len}");
        }
    }

    #[test]
    fn copy_with_root_copies_and_hashes_every_length() {
        let piece = PIECE;
        for len in [
            0,
            1,
            1025,
            PARALLEL_THRESHOLD - 1,
            PARALLEL_THRESHOLD,
            PARALLEL_THRESHOLD + 1024,
            3 * piece + 17,
            8 * piece,
            8 * piece + 1,
            21 * piece - 5,
        ] {
            let mut data = vec![0u8; len];
            compute_primitives::generate_input(&[4; 32], &mut data);
            let (copy, root, _) = copy_with_root(&data);
            assert_eq!(copy, data, "length {len}");
            assert_eq!(root, compute_primitives::result_root(&data), "length {len}");
        }
    }

    #[test]
    fn parallel_path_matches_the_reference_vector() {
        // blake3 of 1 MiB of zeros, computed with the Python `blake3` package.
        let zeros = vec![0u8; 1 << 20];
        assert_eq!(hex::encode(result_root(&zeros).0), ZEROS_1MIB);
    }

    const ZEROS_1MIB: &str = "488de202f73bd976de4e7048f4e1f39a776d86d582b7348ff53bf432b987fca8";
}
