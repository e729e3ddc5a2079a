//! Rebuilds the crate when a migration is added or changed: `sqlx::migrate!` embeds
//! `migrations/` at compile time, and cargo cannot see that dependency on stable Rust.

fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
