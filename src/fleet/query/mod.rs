//! Reads over a fleet snapshot: filtering and ordering, kept out of the resolvers.

pub mod addons;
pub mod classifiers;
pub mod clusters;
pub mod events;
pub mod labels;
pub mod matching;
pub mod profiles;
