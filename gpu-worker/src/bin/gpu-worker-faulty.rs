//! `gpu-worker-faulty`: the end-to-end tests' lying worker, `gpu-worker` with the test-only fault switch
//! (`run --fault-wrong-results`). It is built only with the `fault-injection` feature
//! (`scripts/build-faulty-worker.sh`), in the release profile next to the real worker, whose binary never
//! has the switch: a build of `gpu-worker` without the feature compiles none of it.
//!
//! The worker's crate root is included whole (not as a module) so that its modules' `crate::` paths are
//! this binary's too.

include!("../main.rs");
