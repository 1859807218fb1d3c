//! Field paths built as a chain of borrowed segments, rendered only when an error needs one:
//! admission of a valid object then allocates no path strings.

use std::fmt;

#[derive(Clone, Copy)]
pub(crate) enum Path<'a> {
    Root,
    /// `.name`, or `name` at the root.
    Field(&'a Path<'a>, &'a str),
    /// `[i]`
    Index(&'a Path<'a>, usize),
    /// `[key]`, as Go's `field.Path.Key` prints a map key.
    Key(&'a Path<'a>, &'a str),
}

impl Path<'_> {
    pub fn is_root(&self) -> bool {
        matches!(self, Path::Root)
    }
}

impl fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Path::Root => Ok(()),
            Path::Field(parent, name) if parent.is_root() => f.write_str(name),
            Path::Field(parent, name) => write!(f, "{parent}.{name}"),
            Path::Index(parent, i) => write!(f, "{parent}[{i}]"),
            Path::Key(parent, k) => write!(f, "{parent}[{k}]"),
        }
    }
}
