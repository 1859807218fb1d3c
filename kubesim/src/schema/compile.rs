//! What a schema needs compiled before objects are checked against it (its `pattern`
//! regular expressions and CEL rules), and the validation pipeline that uses them.

use std::collections::HashMap;
use std::sync::Arc;

use regex::Regex;
use serde_json::Value;

use super::{CauseReason, FieldError, SchemaError, cel, listtype, meta, validate};

pub(crate) struct Compiled {
    pub patterns: HashMap<String, Regex>,
    pub programs: cel::Programs,
    /// Whether the schema has any rule at all: the apiserver runs its CEL step (and adds the
    /// "not checked" cause) only then.
    has_rules: bool,
    env: Arc<::cel::Env>,
}

impl Compiled {
    fn empty() -> Self {
        Self {
            patterns: HashMap::new(),
            programs: HashMap::new(),
            has_rules: false,
            env: Arc::new(::cel::Env::stdlib()),
        }
    }

    pub fn strict(schema: &Value) -> Result<Self, SchemaError> {
        let mut c = Self::empty();
        c.collect(schema, true)?;
        Ok(c)
    }

    /// Patterns and rules that do not compile are left out, and so not checked.
    pub fn lenient(schema: &Value) -> Self {
        let mut c = Self::empty();
        let _ = c.collect(schema, false);
        c
    }

    fn collect(&mut self, s: &Value, strict: bool) -> Result<(), SchemaError> {
        let Some(node) = s.as_object() else {
            return Ok(());
        };
        let rules = node
            .get("x-kubernetes-validations")
            .and_then(Value::as_array);
        for text in rules
            .into_iter()
            .flatten()
            .filter_map(|r| r.get("rule")?.as_str())
        {
            self.has_rules = true;
            if self.programs.contains_key(text) {
                continue;
            }
            match cel::compile(text) {
                Ok(program) => {
                    self.programs.insert(text.to_string(), program);
                }
                Err(message) if strict => {
                    return Err(SchemaError::Rule {
                        rule: text.to_string(),
                        message,
                    });
                }
                Err(_) => {}
            }
        }
        if let Some(p) = node.get("pattern").and_then(Value::as_str)
            && !self.patterns.contains_key(p)
        {
            match Regex::new(p) {
                Ok(re) => {
                    self.patterns.insert(p.to_string(), re);
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
            for sub in node
                .get(key)
                .and_then(Value::as_object)
                .into_iter()
                .flat_map(|m| m.values())
            {
                self.collect(sub, strict)?;
            }
        }
        for key in ["items", "additionalProperties", "not"] {
            if let Some(sub) = node.get(key) {
                self.collect(sub, strict)?;
            }
        }
        for key in ["allOf", "anyOf", "oneOf"] {
            for sub in node
                .get(key)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                self.collect(sub, strict)?;
            }
        }
        Ok(())
    }

    pub fn validate(&self, schema: &Value, obj: &Value, old: Option<&Value>) -> Vec<FieldError> {
        let mut out = Vec::new();
        meta::check_object_meta(obj, &mut out);
        meta::check_embedded(schema, obj, "", &mut out);
        validate::Validator {
            patterns: &self.patterns,
        }
        .node(schema, obj, "", &mut out);
        listtype::check(schema, obj, "", &mut out);
        if self.has_rules {
            if out.iter().any(blocks_cel) {
                out.push(FieldError::invalid(
                    "<nil>",
                    &Value::Null,
                    "some validation rules were not checked because the object was invalid; \
                     correct the existing errors to complete validation",
                ));
            } else {
                let evaluator = cel::Evaluator {
                    programs: &self.programs,
                    env: self.env.clone(),
                };
                evaluator.node(schema, obj, old, "", &mut out);
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
