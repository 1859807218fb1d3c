//! The Sveltos / Cluster API side of the fleet: typed views of the kinds the graph reads, and a
//! deterministic generator of consistent worlds made of them (tests, demo mode, benchmarks).

pub mod cache;
pub mod generator;
pub mod kinds;
pub mod query;
