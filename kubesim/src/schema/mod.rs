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
//! CEL (`x-kubernetes-validations`) is not evaluated: rules in these CRDs are accepted
//! without checking, so an object that only breaks a CEL rule is admitted.
//!
//! For speed, build a [`CompiledSchema`] once per CRD version (it pre-compiles every
//! `pattern`) and call [`CompiledSchema::admit`] per object; the free functions compile on
//! each call and suit tests and one-off use.

mod defaults;
mod errors;
mod formats;
mod listtype;
mod meta;
mod prune;
mod validate;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_admit;

use std::collections::HashMap;

use regex::Regex;
use serde_json::Value;

pub use errors::{CauseReason, FieldError, invalid_status};
pub use meta::{dns1123_label_errors, dns1123_subdomain_errors};

/// A schema that cannot be compiled: a `pattern` that is not a valid regular expression.
#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    #[error("invalid pattern {pattern:?} in schema: {source}")]
    Pattern {
        pattern: String,
        #[source]
        source: Box<regex::Error>,
    },
}

/// A CRD version's `openAPIV3Schema` ready to admit objects; cheap to share behind an `Arc`.
#[derive(Debug, Clone)]
pub struct CompiledSchema {
    schema: Value,
    patterns: HashMap<String, Regex>,
}

impl CompiledSchema {
    pub fn new(schema: &Value) -> Result<Self, SchemaError> {
        let mut patterns = HashMap::new();
        collect_patterns(schema, &mut patterns, true)?;
        Ok(Self {
            schema: schema.clone(),
            patterns,
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
        let errors = self.validate(obj);
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    pub fn prune(&self, obj: &mut Value) {
        prune::prune_node(&self.schema, obj, true);
    }

    pub fn apply_defaults(&self, obj: &mut Value) {
        defaults::default_node(&self.schema, obj);
    }

    /// All checks of the apiserver's `customResourceStrategy.Validate` but CEL, in its order:
    /// ObjectMeta, embedded resources, OpenAPI schema, list types.
    pub fn validate(&self, obj: &Value) -> Vec<FieldError> {
        run_validation(&self.schema, &self.patterns, obj)
    }
}

fn run_validation(
    schema: &Value,
    patterns: &HashMap<String, Regex>,
    obj: &Value,
) -> Vec<FieldError> {
    let mut out = Vec::new();
    meta::check_object_meta(obj, &mut out);
    meta::check_embedded(schema, obj, "", &mut out);
    validate::Validator { patterns }.node(schema, obj, "", &mut out);
    listtype::check(schema, obj, "", &mut out);
    out
}

/// Patterns of `schema`; those that do not compile are not checked.
fn lenient_patterns(schema: &Value) -> HashMap<String, Regex> {
    let mut patterns = HashMap::new();
    let _ = collect_patterns(schema, &mut patterns, false);
    patterns
}

fn collect_patterns(
    s: &Value,
    out: &mut HashMap<String, Regex>,
    strict: bool,
) -> Result<(), SchemaError> {
    let Some(node) = s.as_object() else {
        return Ok(());
    };
    if let Some(p) = node.get("pattern").and_then(Value::as_str)
        && !out.contains_key(p)
    {
        match Regex::new(p) {
            Ok(re) => {
                out.insert(p.to_string(), re);
            }
            Err(e) if strict => {
                return Err(SchemaError::Pattern {
                    pattern: p.to_string(),
                    source: Box::new(e),
                });
            }
            Err(_) => {}
        }
    }
    for key in ["properties", "patternProperties", "definitions"] {
        if let Some(m) = node.get(key).and_then(Value::as_object) {
            for sub in m.values() {
                collect_patterns(sub, out, strict)?;
            }
        }
    }
    for key in ["items", "additionalProperties", "not"] {
        if let Some(sub) = node.get(key) {
            collect_patterns(sub, out, strict)?;
        }
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        if let Some(a) = node.get(key).and_then(Value::as_array) {
            for sub in a {
                collect_patterns(sub, out, strict)?;
            }
        }
    }
    Ok(())
}

/// Prune, default and validate `obj` against `schema` (see [`CompiledSchema::admit`]).
pub fn admit(schema: &Value, obj: &mut Value) -> Result<(), Vec<FieldError>> {
    prune(schema, obj);
    apply_defaults(schema, obj);
    let errors = validate(schema, obj);
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// Drop the fields `schema` does not know (see the `prune` module doc).
pub fn prune(schema: &Value, obj: &mut Value) {
    prune::prune_node(schema, obj, true);
}

/// Fill in `default:` values, recursively.
pub fn apply_defaults(schema: &Value, obj: &mut Value) {
    defaults::default_node(schema, obj);
}

/// Every validation error for `obj`, empty when valid.
pub fn validate(schema: &Value, obj: &Value) -> Vec<FieldError> {
    run_validation(schema, &lenient_patterns(schema), obj)
}
