//! Unit tests of admit on small schemas.
