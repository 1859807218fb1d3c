//! `x-kubernetes-validations` (CEL) rules, evaluated with the `cel` crate the way the
//! apiextensions-apiserver's `cel.Validator` does: `self` is the node's value, `oldSelf` the
//! correlated old value (transition rules are skipped on create and wherever no old value
//! correlates: object properties and map keys correlate, list-type map items correlate by their
//! keys, other list items never do). A false rule gives `Invalid value: "<schema type>":
//! <message>` (or the cause its `reason` names); an evaluation error gives
//! `<error> evaluating rule: <message>`. `messageExpression` is not evaluated: the static
//! `message` (or `failed rule: <rule>`) is used.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Arc;

use cel::{Context, Env, ExecutionError};
use parking_lot::Mutex;
use serde_json::Value;

use super::errors::FieldError;
use super::node::{ListType, Node, Rule};
use super::path::Path;

pub(crate) struct Evaluator<'a> {
    pub env: Arc<Env>,
    pub memo: &'a Memo,
}

fn rule_message(rule: &Rule) -> String {
    match rule
        .message
        .as_deref()
        .map(str::trim)
        .filter(|m| !m.is_empty())
    {
        Some(m) => m.to_string(),
        None => rule.text.trim().to_string(),
    }
}

/// cel-go's wording for the runtime errors a rule over these schemas can hit.
fn go_error(e: &ExecutionError) -> String {
    match e {
        ExecutionError::NoSuchKey(k) => format!("no such key: {k}"),
        other => other.to_string(),
    }
}

impl Evaluator<'_> {
    pub fn node(
        &self,
        s: &Node,
        v: &Value,
        old: Option<&Value>,
        path: &Path<'_>,
        out: &mut Vec<FieldError>,
    ) {
        if v.is_null() || !s.rules_below {
            return;
        }
        if !s.rules.is_empty() {
            self.rules(s, v, old, path, out);
        }
        match v {
            Value::Object(map) => {
                for (k, child) in map {
                    let old_child = old.and_then(|o| o.get(k));
                    if let Some(sub) = s.property(k) {
                        self.node(sub, child, old_child, &Path::Field(path, k), out);
                    } else if let Some(sub) = s.additional_schema() {
                        self.node(sub, child, old_child, &Path::Key(path, k), out);
                    }
                }
            }
            Value::Array(items) => {
                if let Some(sub) = &s.items {
                    for (i, item) in items.iter().enumerate() {
                        let old_item = correlate(s, item, old);
                        self.node(sub, item, old_item, &Path::Index(path, i), out);
                    }
                }
            }
            _ => {}
        }
    }

    fn rules(
        &self,
        s: &Node,
        v: &Value,
        old: Option<&Value>,
        path: &Path<'_>,
        out: &mut Vec<FieldError>,
    ) {
        // Without transition rules the outcome depends on the value alone, and objects of one
        // kind repeat the same sub-objects (a ClusterSummary copies its ClusterProfile's
        // spec), so it is remembered per node and value.
        let outcomes = match old {
            Some(_) if s.rules.iter().any(|r| r.uses_old_self) => {
                Arc::new(self.evaluate(s, v, old))
            }
            _ => self.memo.get_or_insert(s, v, || self.evaluate(s, v, None)),
        };
        for (rule, outcome) in s.rules.iter().zip(outcomes.iter()) {
            let detail = match outcome {
                Outcome::Pass | Outcome::Skipped => continue,
                Outcome::False => None,
                Outcome::NotBool(got) => Some(format!(
                    "rule did not evaluate to a bool: {got} evaluating rule: {}",
                    rule_message(rule)
                )),
                Outcome::Error(e) => Some(format!("{e} evaluating rule: {}", rule_message(rule))),
            };
            let field = match rule.field_path.as_deref().filter(|f| !f.is_empty()) {
                Some(fp) if fp.starts_with('.') => format!("{path}{fp}"),
                Some(fp) => format!("{path}.{fp}"),
                None if path.is_root() => "<nil>".to_string(),
                None => path.to_string(),
            };
            let type_name = Value::from(s.type_name.as_str());
            let Some(detail) = detail else {
                let msg = match rule
                    .message
                    .as_deref()
                    .map(str::trim)
                    .filter(|m| !m.is_empty())
                {
                    Some(m) => m.to_string(),
                    None => format!("failed rule: {}", rule.text.trim()),
                };
                out.push(match rule.reason.as_deref() {
                    Some("FieldValueForbidden") => FieldError::forbidden(&field, &msg),
                    Some("FieldValueRequired") => FieldError::required(&field, &msg),
                    Some("FieldValueDuplicate") => FieldError::duplicate(&field, &type_name),
                    _ => FieldError::invalid(&field, &type_name, &msg),
                });
                continue;
            };
            out.push(FieldError::invalid(&field, &type_name, &detail));
        }
    }

    /// The outcome of each of the node's rules, in order.
    fn evaluate(&self, s: &Node, v: &Value, old: Option<&Value>) -> Vec<Outcome> {
        let Ok(this) = cel::to_value(v) else {
            return vec![Outcome::Skipped; s.rules.len()];
        };
        let mut ctx = Context::with_env(self.env.clone());
        ctx.add_variable_from_value("self", this);
        if let Some(Ok(o)) = old.map(cel::to_value) {
            ctx.add_variable_from_value("oldSelf", o);
        }
        s.rules
            .iter()
            .map(|rule| match &rule.program {
                None => Outcome::Skipped,
                Some(_) if rule.uses_old_self && old.is_none() => Outcome::Skipped,
                Some(program) => match program.execute(&ctx) {
                    Ok(cel::Value::Bool(true)) => Outcome::Pass,
                    Ok(cel::Value::Bool(false)) => Outcome::False,
                    Ok(other) => Outcome::NotBool(format!("{other:?}")),
                    Err(e) => Outcome::Error(go_error(&e)),
                },
            })
            .collect()
    }
}

#[derive(Clone)]
pub(crate) enum Outcome {
    Pass,
    /// Not evaluated: a transition rule on create, or a rule that did not compile.
    Skipped,
    False,
    NotBool(String),
    Error(String),
}

/// Outcomes of nodes without transition rules, per schema node and value. Bounded: it is
/// emptied when full.
/// Values seen at one (node, value hash), with their rules' outcomes.
type Bucket = Vec<(Value, Arc<Vec<Outcome>>)>;

#[derive(Default)]
pub(crate) struct Memo {
    map: Mutex<HashMap<(usize, u64), Bucket>>,
}

const MEMO_CAPACITY: usize = 4096;

impl Memo {
    fn get_or_insert(
        &self,
        s: &Node,
        v: &Value,
        evaluate: impl FnOnce() -> Vec<Outcome>,
    ) -> Arc<Vec<Outcome>> {
        // The node lives as long as the compiled schema, so its address identifies it.
        let key = (std::ptr::from_ref(s) as usize, hash_value(v));
        if let Some(hit) = self
            .map
            .lock()
            .get(&key)
            .and_then(|b| b.iter().find(|(x, _)| x == v))
        {
            return hit.1.clone();
        }
        let outcomes = Arc::new(evaluate());
        let mut map = self.map.lock();
        if map.len() >= MEMO_CAPACITY {
            map.clear();
        }
        map.entry(key)
            .or_default()
            .push((v.clone(), outcomes.clone()));
        outcomes
    }
}

fn hash_value(v: &Value) -> u64 {
    fn feed(v: &Value, h: &mut DefaultHasher) {
        match v {
            Value::Null => 0u8.hash(h),
            Value::Bool(b) => (1u8, b).hash(h),
            Value::Number(n) => (2u8, n.to_string()).hash(h),
            Value::String(s) => (3u8, s).hash(h),
            Value::Array(a) => {
                (4u8, a.len()).hash(h);
                a.iter().for_each(|x| feed(x, h));
            }
            Value::Object(m) => {
                (5u8, m.len()).hash(h);
                for (k, x) in m {
                    k.hash(h);
                    feed(x, h);
                }
            }
        }
    }
    let mut h = DefaultHasher::new();
    feed(v, &mut h);
    h.finish()
}

/// The old item of a list-type map with the same key values.
fn correlate<'o>(s: &Node, item: &Value, old: Option<&'o Value>) -> Option<&'o Value> {
    if s.list_type != Some(ListType::Map) {
        return None;
    }
    let keys = &s.list_map_keys;
    old?.as_array()?
        .iter()
        .find(|o| keys.iter().all(|k| o.get(k) == item.get(k)))
}
