//! A schema compiled for admission (see `node`) and the validation pipeline over it.

use std::sync::Arc;

use serde_json::Value;

use super::node::{Builder, Node};
use super::path::Path;
use super::{CauseReason, FieldError, SchemaError, cel, listtype, meta, validate};

pub(crate) struct Compiled {
    pub root: Node,
    pub patterns: usize,
    pub rules: usize,
    /// Whether the schema has any rule at all: the apiserver runs its CEL step (and adds the
    /// "not checked" cause) only then.
    has_rules: bool,
    env: Arc<::cel::Env>,
    memo: cel::Memo,
}

impl Compiled {
    fn build(schema: &Value, strict: bool) -> Result<Self, SchemaError> {
        let mut b = Builder::new(strict);
        let root = b.build(schema)?;
        Ok(Self {
            root,
            patterns: b.pattern_count(),
            rules: b.rule_count(),
            has_rules: b.has_rules,
            env: Arc::new(::cel::Env::stdlib()),
            memo: cel::Memo::default(),
        })
    }

    pub fn strict(schema: &Value) -> Result<Self, SchemaError> {
        Self::build(schema, true)
    }

    /// Patterns and rules that do not compile are left out, and so not checked.
    pub fn lenient(schema: &Value) -> Self {
        // Only a strict build can fail; the fallback accepts everything.
        Self::build(schema, false).unwrap_or_else(|_| Self {
            root: Node::default(),
            patterns: 0,
            rules: 0,
            has_rules: false,
            env: Arc::new(::cel::Env::stdlib()),
            memo: cel::Memo::default(),
        })
    }

    pub fn validate(&self, obj: &Value, old: Option<&Value>) -> Vec<FieldError> {
        let mut out = Vec::new();
        meta::check_object_meta(obj, &mut out);
        meta::check_embedded(&self.root, obj, &Path::Root, &mut out);
        validate::node(&self.root, obj, &Path::Root, &mut out);
        listtype::check(&self.root, obj, &Path::Root, &mut out);
        if self.has_rules {
            if out.iter().any(blocks_cel) {
                out.push(FieldError::invalid(
                    "<nil>",
                    &Value::Null,
                    "some validation rules were not checked because the object was invalid; \
                     correct the existing errors to complete validation",
                ));
            } else {
                cel::Evaluator {
                    env: self.env.clone(),
                    memo: &self.memo,
                }
                .node(&self.root, obj, old, &Path::Root, &mut out);
            }
        }
        out
    }
}

/// Error types after which the apiserver does not run CEL rules (its `hasBlockingErr`).
fn blocks_cel(e: &FieldError) -> bool {
    use CauseReason::*;
    matches!(
        e.reason,
        FieldValueNotSupported
            | FieldValueRequired
            | FieldValueTooLong
            | FieldValueTooMany
            | FieldValueTypeInvalid
    )
}
