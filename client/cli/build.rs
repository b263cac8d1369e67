//! Embeds the built program (`target/deploy/data_pool.so`) in the binary, so `datapool demo`
//! runs from any directory. Rebuilt whenever that file changes, so the embedded program is the
//! one in `target/deploy`; when it has not been built, nothing is embedded and the CLI looks for
//! the file at run time (`DATAPOOL_PROGRAM_SO`, then `target/deploy` above the current
//! directory).

use std::path::PathBuf;

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("manifest dir"));
    let so = manifest.join("../../target/deploy/data_pool.so");
    println!("cargo:rerun-if-changed={}", so.display());
    println!("cargo:rerun-if-env-changed=DATAPOOL_EMBED_SO");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("out dir")).join("data_pool.so");
    let source = std::env::var_os("DATAPOOL_EMBED_SO").map_or(so, PathBuf::from);
    match std::fs::read(&source) {
        Ok(bytes) => std::fs::write(&out, bytes).expect("copy the program"),
        Err(_) => {
            println!(
                "cargo:warning=no {} to embed: `datapool demo` will look for it at run time (build it with scripts/build-sbf.sh)",
                source.display()
            );
            std::fs::write(&out, []).expect("write an empty program");
        }
    }
}
