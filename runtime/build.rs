//! Builds the runtime's Wasm blob (embedded in the node and in the raw chain specs).

fn main() {
    #[cfg(feature = "std")]
    {
        // The Wasm is built by a nested cargo inside the target directory. When that directory lives outside
        // the checkout (CI keeps one in ~/.cache), the nested build must be told where our Cargo.lock is, or it
        // resolves dependencies afresh. Only this build script sets it: dependencies that build their own
        // Wasm (test runtimes of the benchmarking CLI) must keep looking in their own packages.
        // Read when the script runs, not when it is compiled: a compiled build script is reused by
        // checkouts at other paths that share the target directory.
        if let Some(manifest_dir) = std::env::var_os("CARGO_MANIFEST_DIR") {
            if let Some(workspace) = std::path::Path::new(&manifest_dir).parent() {
                std::env::set_var("WASM_BUILD_WORKSPACE_HINT", workspace);
            }
        }
        substrate_wasm_builder::WasmBuilder::build_using_defaults();
    }
}
