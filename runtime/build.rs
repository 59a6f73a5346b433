//! Builds the runtime's Wasm blob (embedded in the node and in the raw chain specs).

fn main() {
    #[cfg(feature = "std")]
    {
        use std::path::PathBuf;

        let mut builder = substrate_wasm_builder::WasmBuilder::new()
            .with_current_project()
            .export_heap_base()
            .import_memory();
        // Panic locations embed source paths in the blob. Remapping the checkout and the cargo home to fixed
        // names makes the blob, and so the raw chain specs, byte-identical wherever the repository is cloned.
        let manifest_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default());
        if let Some(workspace) = manifest_dir.parent() {
            builder = builder
                .append_to_rust_flags(format!("--remap-path-prefix={}=/compute-chain", workspace.display()));
        }
        let cargo_home = std::env::var("CARGO_HOME")
            .ok()
            .or_else(|| std::env::var("HOME").ok().map(|home| format!("{home}/.cargo")));
        if let Some(cargo_home) = cargo_home {
            builder = builder.append_to_rust_flags(format!("--remap-path-prefix={cargo_home}=/cargo"));
        }
        // The standard library is compiled from the toolchain's sources, which live under the rustup home.
        let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
        if let Ok(output) = std::process::Command::new(rustc).args(["--print", "sysroot"]).output() {
            let sysroot = String::from_utf8_lossy(&output.stdout).trim().to_owned();
            if !sysroot.is_empty() {
                builder =
                    builder.append_to_rust_flags(format!("--remap-path-prefix={sysroot}=/rust-sysroot"));
            }
        }
        println!("cargo:rerun-if-env-changed=CARGO_HOME");
        builder.build();
    }
}
