//! Result roots: `blake3(output)`, the same digest as [`compute_primitives::result_root`], computed with
//! blake3's multithreaded mode (rayon) for large outputs.

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
    fn parallel_path_matches_the_reference_vector() {
        // blake3 of 1 MiB of zeros, computed with the Python `blake3` package.
        let zeros = vec![0u8; 1 << 20];
        assert_eq!(hex::encode(result_root(&zeros).0), ZEROS_1MIB);
    }

    const ZEROS_1MIB: &str = "488de202f73bd976de4e7048f4e1f39a776d86d582b7348ff53bf432b987fca8";
}
