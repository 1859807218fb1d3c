//! Unit tests of the review APIs.
