//! `x-kubernetes-validations` (CEL) rules, evaluated with the `cel` crate the way the
//! apiextensions-apiserver's `cel.Validator` does: `self` is the node's value, `oldSelf` the
//! correlated old value (transition rules are skipped on create and wherever no old value
//! correlates: object properties and map keys correlate, list-type map items correlate by their
//! keys, other list items never do). A false rule gives `Invalid value: "<schema type>":
//! <message>` (or the cause its `reason` names); an evaluation error gives
//! `<error> evaluating rule: <message>`. `messageExpression` is not evaluated: the static
//! `message` (or `failed rule: <rule>`) is used.

use std::collections::HashMap;
use std::sync::Arc;

use cel::{Context, Env, ExecutionError, Program};
use serde_json::Value;

use super::errors::FieldError;
use super::validate::str_of;

/// The rules of a schema, compiled once, keyed by their source text.
pub(crate) type Programs = HashMap<String, Program>;

pub(crate) fn compile(rule: &str) -> Result<Program, String> {
    Program::compile(rule).map_err(|e| e.to_string())
}

pub(crate) struct Evaluator<'a> {
    pub programs: &'a Programs,
    pub env: Arc<Env>,
}

fn rule_message(rule: &Value) -> String {
    match str_of(rule, "message")
        .map(str::trim)
        .filter(|m| !m.is_empty())
    {
        Some(m) => m.to_string(),
        None => str_of(rule, "rule").unwrap_or_default().trim().to_string(),
    }
}

/// Go's cel-go wording for the runtime errors a rule over these schemas can hit.
fn go_error(e: &ExecutionError) -> String {
    match e {
        ExecutionError::NoSuchKey(k) => format!("no such key: {k}"),
        other => other.to_string(),
    }
}

fn join(path: &str, k: &str) -> String {
    if path.is_empty() {
        k.to_string()
    } else {
        format!("{path}.{k}")
    }
}

impl Evaluator<'_> {
    pub fn node(
        &self,
        s: &Value,
        v: &Value,
        old: Option<&Value>,
        path: &str,
        out: &mut Vec<FieldError>,
    ) {
        if v.is_null() {
            return;
        }
        if let Some(rules) = s.get("x-kubernetes-validations").and_then(Value::as_array) {
            self.rules(s, rules, v, old, path, out);
        }
        match v {
            Value::Object(map) => {
                let props = s.get("properties").and_then(Value::as_object);
                let addl = s.get("additionalProperties").filter(|a| a.is_object());
                for (k, child) in map {
                    let old_child = old.and_then(|o| o.get(k));
                    if let Some(sub) = props.and_then(|p| p.get(k)) {
                        self.node(sub, child, old_child, &join(path, k), out);
                    } else if let Some(sub) = addl {
                        self.node(sub, child, old_child, &format!("{path}[{k}]"), out);
                    }
                }
            }
            Value::Array(items) => {
                if let Some(sub) = s.get("items").filter(|i| i.is_object()) {
                    for (i, item) in items.iter().enumerate() {
                        let old_item = correlate(s, item, old);
                        self.node(sub, item, old_item, &format!("{path}[{i}]"), out);
                    }
                }
            }
            _ => {}
        }
    }

    fn rules(
        &self,
        s: &Value,
        rules: &[Value],
        v: &Value,
        old: Option<&Value>,
        path: &str,
        out: &mut Vec<FieldError>,
    ) {
        let type_name = Value::from(str_of(s, "type").unwrap_or(""));
        // Built on first use: most nodes with rules are evaluated once per object.
        let mut ctx: Option<Context> = None;
        for rule in rules {
            let Some(program) = str_of(rule, "rule").and_then(|r| self.programs.get(r)) else {
                continue;
            };
            if old.is_none() && program.references().has_variable("oldSelf") {
                continue;
            }
            let ctx = match &mut ctx {
                Some(c) => c,
                None => {
                    let mut c = Context::with_env(self.env.clone());
                    let (Ok(this), old_val) = (cel::to_value(v), old.map(cel::to_value)) else {
                        return;
                    };
                    c.add_variable_from_value("self", this);
                    if let Some(Ok(o)) = old_val {
                        c.add_variable_from_value("oldSelf", o);
                    }
                    ctx.insert(c)
                }
            };
            let field = match str_of(rule, "fieldPath").filter(|f| !f.is_empty()) {
                Some(fp) => format!(
                    "{path}{}",
                    if fp.starts_with('.') {
                        fp.to_string()
                    } else {
                        format!(".{fp}")
                    }
                ),
                None => path.to_string(),
            };
            let field = if field.is_empty() {
                "<nil>".to_string()
            } else {
                field
            };
            match program.execute(ctx) {
                Ok(cel::Value::Bool(true)) => {}
                Ok(cel::Value::Bool(false)) => {
                    let msg = match str_of(rule, "message")
                        .map(str::trim)
                        .filter(|m| !m.is_empty())
                    {
                        Some(m) => m.to_string(),
                        None => format!(
                            "failed rule: {}",
                            str_of(rule, "rule").unwrap_or_default().trim()
                        ),
                    };
                    out.push(match str_of(rule, "reason") {
                        Some("FieldValueForbidden") => FieldError::forbidden(&field, &msg),
                        Some("FieldValueRequired") => FieldError::required(&field, &msg),
                        Some("FieldValueDuplicate") => FieldError::duplicate(&field, &type_name),
                        _ => FieldError::invalid(&field, &type_name, &msg),
                    });
                }
                Ok(other) => {
                    let detail = format!(
                        "rule did not evaluate to a bool: {other:?} evaluating rule: {}",
                        rule_message(rule)
                    );
                    out.push(FieldError::invalid(&field, &type_name, &detail));
                }
                Err(e) => {
                    let detail =
                        format!("{} evaluating rule: {}", go_error(&e), rule_message(rule));
                    out.push(FieldError::invalid(&field, &type_name, &detail));
                }
            }
        }
    }
}

/// The old item of a list-type map with the same key values.
fn correlate<'o>(s: &Value, item: &Value, old: Option<&'o Value>) -> Option<&'o Value> {
    if str_of(s, "x-kubernetes-list-type") != Some("map") {
        return None;
    }
    let keys: Vec<&str> = s
        .get("x-kubernetes-list-map-keys")
        .and_then(Value::as_array)?
        .iter()
        .filter_map(Value::as_str)
        .collect();
    old?.as_array()?
        .iter()
        .find(|o| keys.iter().all(|k| o.get(*k) == item.get(*k)))
}
