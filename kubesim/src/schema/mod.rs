//! Admission of custom resources against a CRD version's `openAPIV3Schema`, as the real
//! kube-apiserver does it: prune unknown fields, apply defaults, then validate (ObjectMeta,
//! embedded resources, OpenAPI value validation, list-type invariants) and answer a 422
//! `Invalid` Status whose causes and messages use the apiserver's wording.
//!
//! Why not the `jsonschema` crate: the apiserver's answer is defined by kube-openapi's
//! validator, not by JSON Schema semantics, and clients and tests read its exact words
//! (`spec.x in body must be of type integer: "string"`, `Unsupported value: ...: supported
//! values: ...`, `Too long: may not be more than N bytes`, `<nil>` causes for anyOf). A JSON
//! Schema validator reports different keyword errors (no `nullable`, no int-or-string, no
//! list-type map/set, no embedded resources, different float/int rules and no "run every
//! validator of a node" order), so the schema would need rewriting and every error re-worded
//! from its kind and keyword parameters anyway. A focused walk that follows kube-openapi
//! validator by validator is smaller and exact. Pruning and defaulting are walks in any case.
//!
//! CEL (`x-kubernetes-validations`) rules are evaluated with the `cel` crate after the schema
//! checks, as the apiserver does; when those checks already failed with a type, enum,
//! required, too-long or too-many error, the rules are skipped and the apiserver's
//! `some validation rules were not checked` cause is added instead. Transition rules
//! (`oldSelf`) run only through [`CompiledSchema::admit_update`]. `messageExpression` is not
//! evaluated (the static `message` is used).
//!
//! For speed, build a [`CompiledSchema`] once per CRD version and call
//! [`CompiledSchema::admit`] per object: it compiles the schema into a typed node tree with its
//! patterns and CEL programs, renders field paths only for errors, and remembers rule outcomes
//! per (node, value) where no transition rule is involved, since objects of one kind repeat
//! sub-objects. The free functions compile on each call and suit tests and one-off use.

mod cel;
mod combinators;
mod compile;
mod defaults;
mod errors;
mod formats;
mod labels;
mod listtype;
mod meta;
mod node;
mod path;
mod prune;
mod validate;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_admit;
#[cfg(test)]
mod tests_cel;
#[cfg(test)]
mod tests_structure;

use std::sync::Arc;

use serde_json::Value;

use compile::Compiled;
pub use errors::{CauseReason, FieldError, invalid_status};
pub use labels::{label_value_errors, qualified_name_errors};
pub use meta::{dns1123_label_errors, dns1123_subdomain_errors};

/// A schema that cannot be compiled: a `pattern` that is not a valid regular expression or a
/// CEL rule that does not parse (the apiserver refuses such a CRD).
#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    #[error("invalid pattern {pattern:?} in schema: {source}")]
    Pattern {
        pattern: String,
        #[source]
        source: Box<regex::Error>,
    },
    #[error("invalid x-kubernetes-validations rule {rule:?}: {message}")]
    Rule { rule: String, message: String },
}

/// A CRD version's `openAPIV3Schema` ready to admit objects; cheap to clone and share.
#[derive(Clone)]
pub struct CompiledSchema {
    schema: Arc<Value>,
    compiled: Arc<Compiled>,
}

impl std::fmt::Debug for CompiledSchema {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CompiledSchema")
            .field("patterns", &self.compiled.patterns)
            .field("rules", &self.compiled.rules)
            .finish_non_exhaustive()
    }
}

fn result(errors: Vec<FieldError>) -> Result<(), Vec<FieldError>> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

impl CompiledSchema {
    pub fn new(schema: &Value) -> Result<Self, SchemaError> {
        Ok(Self {
            schema: Arc::new(schema.clone()),
            compiled: Arc::new(Compiled::strict(schema)?),
        })
    }

    pub fn schema(&self) -> &Value {
        &self.schema
    }

    /// Prune, default, then validate `obj` in place; on error `obj` is left pruned and
    /// defaulted, and the errors are ready for [`invalid_status`].
    pub fn admit(&self, obj: &mut Value) -> Result<(), Vec<FieldError>> {
        self.prune(obj);
        self.apply_defaults(obj);
        result(self.validate(obj))
    }

    /// `admit` for an update from `old`: transition rules (`oldSelf`) are checked too.
    pub fn admit_update(&self, old: &Value, obj: &mut Value) -> Result<(), Vec<FieldError>> {
        self.prune(obj);
        self.apply_defaults(obj);
        result(self.compiled.validate(obj, Some(old)))
    }

    pub fn prune(&self, obj: &mut Value) {
        prune::prune_node(&self.compiled.root, obj, true);
    }

    pub fn apply_defaults(&self, obj: &mut Value) {
        defaults::default_node(&self.compiled.root, obj);
    }

    /// All checks of the apiserver's `customResourceStrategy.Validate`, in its order:
    /// ObjectMeta, embedded resources, OpenAPI schema, list types, CEL rules.
    pub fn validate(&self, obj: &Value) -> Vec<FieldError> {
        self.compiled.validate(obj, None)
    }
}

/// Prune, default and validate `obj` against `schema` (see [`CompiledSchema::admit`]).
pub fn admit(schema: &Value, obj: &mut Value) -> Result<(), Vec<FieldError>> {
    let compiled = Compiled::lenient(schema);
    prune::prune_node(&compiled.root, obj, true);
    defaults::default_node(&compiled.root, obj);
    result(compiled.validate(obj, None))
}

/// Drop the fields `schema` does not know, and null values it does not allow (see the
/// `prune` module doc).
pub fn prune(schema: &Value, obj: &mut Value) {
    prune::prune_node(&Compiled::lenient(schema).root, obj, true);
}

/// Fill in `default:` values, recursively.
pub fn apply_defaults(schema: &Value, obj: &mut Value) {
    defaults::default_node(&Compiled::lenient(schema).root, obj);
}

/// Every validation error for `obj`, empty when valid. Patterns and rules that do not
/// compile are not checked.
pub fn validate(schema: &Value, obj: &Value) -> Vec<FieldError> {
    Compiled::lenient(schema).validate(obj, None)
}
