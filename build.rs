//! Rebuilds the binary when the folders it embeds change: `include_dir!` reads
//! them at compile time, and cargo does not track files a macro reads.

fn main() {
    println!("cargo:rerun-if-changed=themes/default");
    println!("cargo:rerun-if-changed=src/init");
    println!("cargo:rerun-if-changed=build.rs");
}
