//! What this binary is: version, commit, and the capabilities compiled and configured in.

/// Crate version from Cargo.toml.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Commit the binary was built from (`build.rs` asks git; `FLEETGRAPH_GIT_COMMIT` overrides;
/// "unknown" outside a checkout).
pub const GIT_COMMIT: &str = env!("FLEETGRAPH_GIT_COMMIT");
