//! Unit tests: keywords, messages, pruning, defaulting, list types, Status shape.
