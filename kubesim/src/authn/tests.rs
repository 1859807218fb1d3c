//! Unit tests of token authentication and impersonation.
