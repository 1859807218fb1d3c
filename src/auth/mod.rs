//! Who is calling and what they may do: fleetgraph JWTs, Kubernetes tokens (TokenReview),
//! roles for the tenancy side, and per-principal rate limits.

pub mod jwt;
pub mod principal;
pub mod rate_limit;
pub mod roles;
pub mod rules;
pub mod sar;
pub mod token_review;

pub mod authenticator;

pub use authenticator::Authenticator;
pub use principal::{AuthKind, Principal};
pub use roles::Role;
