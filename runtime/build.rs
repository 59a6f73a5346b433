//! Builds the runtime's Wasm blob (embedded in the node and in the raw chain specs).

fn main() {
    #[cfg(feature = "std")]
    substrate_wasm_builder::WasmBuilder::build_using_defaults();
}
