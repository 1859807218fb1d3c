//! Reads over a fleet snapshot: filtering and ordering, kept out of the resolvers.

pub mod addons;
pub mod clusters;
pub mod labels;
pub mod profiles;
