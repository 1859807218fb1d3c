//! Label and field selectors as the apiserver parses them from query strings.
//!
//! Hand-written because no well-kept crate parses the selector string grammar: kube-core has
//! `Selector`/`Expression` types for building selectors on the client side but no parser.

use serde_json::Value;

use crate::status::ApiError;

#[derive(Clone, Debug, PartialEq)]
pub enum Requirement {
    Eq(String, String),
    NotEq(String, String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    NotExists(String),
    Gt(String, i64),
    Lt(String, i64),
}

/// A parsed label selector; empty selects everything.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LabelSelector(pub Vec<Requirement>);

/// Splits on commas outside parentheses.
fn split_top(s: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&s[start..]);
    parts
}

fn valid_key(k: &str) -> bool {
    !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'))
}

fn parse_set(rest: &str, whole: &str) -> Result<Vec<String>, ApiError> {
    let rest = rest.trim();
    let inner = rest
        .strip_prefix('(')
        .and_then(|r| r.strip_suffix(')'))
        .ok_or_else(|| bad(whole, "expected ( and )"))?;
    Ok(inner
        .split(',')
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .collect())
}

fn bad(whole: &str, why: &str) -> ApiError {
    ApiError::bad_request(format!(
        "unable to parse requirement: found '{whole}', {why}"
    ))
}

fn parse_requirement(part: &str) -> Result<Requirement, ApiError> {
    let p = part.trim();
    if let Some(k) = p.strip_prefix('!') {
        let k = k.trim();
        return if valid_key(k) {
            Ok(Requirement::NotExists(k.to_string()))
        } else {
            Err(bad(p, "invalid key"))
        };
    }
    for (op, is_ne) in [("!=", true), ("==", false), ("=", false)] {
        if let Some(i) = p.find(op) {
            let k = p[..i].trim();
            let v = p[i + op.len()..].trim();
            if !valid_key(k) {
                return Err(bad(p, "invalid key"));
            }
            return Ok(if is_ne {
                Requirement::NotEq(k.into(), v.into())
            } else {
                Requirement::Eq(k.into(), v.into())
            });
        }
    }
    for (op, gt) in [(">", true), ("<", false)] {
        if let Some(i) = p.find(op) {
            let k = p[..i].trim();
            let n: i64 = p[i + 1..]
                .trim()
                .parse()
                .map_err(|_| bad(p, "for 'Gt', 'Lt' operators, the value must be an integer"))?;
            return Ok(if gt {
                Requirement::Gt(k.into(), n)
            } else {
                Requirement::Lt(k.into(), n)
            });
        }
    }
    let mut words = p.splitn(2, char::is_whitespace);
    let key = words.next().unwrap_or("").trim();
    let rest = words.next().unwrap_or("").trim();
    if !valid_key(key) {
        return Err(bad(p, "invalid key"));
    }
    if rest.is_empty() {
        return Ok(Requirement::Exists(key.into()));
    }
    if let Some(r) = rest.strip_prefix("notin") {
        return Ok(Requirement::NotIn(key.into(), parse_set(r, p)?));
    }
    if let Some(r) = rest.strip_prefix("in") {
        return Ok(Requirement::In(key.into(), parse_set(r, p)?));
    }
    Err(bad(
        p,
        "expected: in, notin, =, ==, !=, gt, lt, or end of string",
    ))
}

impl LabelSelector {
    pub fn parse(s: &str) -> Result<Self, ApiError> {
        if s.trim().is_empty() {
            return Ok(Self::default());
        }
        split_top(s)
            .into_iter()
            .map(parse_requirement)
            .collect::<Result<_, _>>()
            .map(Self)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn matches_labels(&self, labels: &dyn Fn(&str) -> Option<String>) -> bool {
        self.0.iter().all(|r| match r {
            Requirement::Eq(k, v) => labels(k).as_deref() == Some(v.as_str()),
            Requirement::NotEq(k, v) => labels(k).as_deref() != Some(v.as_str()),
            Requirement::In(k, vs) => labels(k).is_some_and(|l| vs.contains(&l)),
            Requirement::NotIn(k, vs) => labels(k).is_none_or(|l| !vs.contains(&l)),
            Requirement::Exists(k) => labels(k).is_some(),
            Requirement::NotExists(k) => labels(k).is_none(),
            Requirement::Gt(k, n) => labels(k)
                .and_then(|l| l.parse::<i64>().ok())
                .is_some_and(|l| l > *n),
            Requirement::Lt(k, n) => labels(k)
                .and_then(|l| l.parse::<i64>().ok())
                .is_some_and(|l| l < *n),
        })
    }

    pub fn matches(&self, obj: &Value) -> bool {
        if self.0.is_empty() {
            return true;
        }
        let labels = obj.pointer("/metadata/labels");
        self.matches_labels(&|k| {
            labels
                .and_then(|l| l.get(k))
                .and_then(Value::as_str)
                .map(str::to_string)
        })
    }
}

/// A field selector over `metadata.name` and `metadata.namespace` (plus any field path the
/// object has, compared as a string, as some built-ins allow).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FieldSelector(pub Vec<(String, bool, String)>);

impl FieldSelector {
    pub fn parse(s: &str) -> Result<Self, ApiError> {
        let mut out = Vec::new();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (k, eq, v) = if let Some((k, v)) = part.split_once("!=") {
                (k, false, v)
            } else if let Some((k, v)) = part.split_once("==") {
                (k, true, v)
            } else if let Some((k, v)) = part.split_once('=') {
                (k, true, v)
            } else {
                return Err(ApiError::bad_request(format!(
                    "invalid selector: '{s}'; can't understand '{part}'"
                )));
            };
            out.push((k.trim().to_string(), eq, v.trim().to_string()));
        }
        Ok(Self(out))
    }

    /// Checks field names against those the real server accepts for every kind.
    pub fn validate(&self, kind: &str, api_version: &str) -> Result<(), ApiError> {
        for (k, _, _) in &self.0 {
            if k != "metadata.name" && k != "metadata.namespace" {
                return Err(
                    ApiError::bad_request(format!("field label not supported: {k}"))
                        .with_details(serde_json::json!({"kind": kind, "group": api_version})),
                );
            }
        }
        Ok(())
    }

    pub fn matches(&self, obj: &Value) -> bool {
        self.0.iter().all(|(k, eq, v)| {
            let pointer = format!("/{}", k.replace('.', "/"));
            let actual = match obj.pointer(&pointer) {
                Some(Value::String(s)) => s.clone(),
                Some(Value::Null) | None => String::new(),
                Some(other) => other.to_string(),
            };
            (actual == *v) == *eq
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(labels: Value) -> Value {
        json!({"metadata": {"name": "a", "namespace": "ns1", "labels": labels}})
    }

    #[test]
    fn every_operator() {
        let o = obj(json!({"app": "web", "tier": "front", "n": "5"}));
        let yes = [
            "app=web",
            "app==web",
            "app!=db",
            "missing!=x",
            "app in (web,db)",
            "app notin (db)",
            "missing notin (db)",
            "app",
            "!missing",
            "app=web,tier in (front, back),!missing",
            "n>3",
            "n<6",
            "",
        ];
        for s in yes {
            assert!(LabelSelector::parse(s).unwrap().matches(&o), "{s}");
        }
        let no = [
            "app=db",
            "app!=web",
            "app in (db)",
            "app notin (web)",
            "missing",
            "!app",
            "n>5",
        ];
        for s in no {
            assert!(!LabelSelector::parse(s).unwrap().matches(&o), "{s}");
        }
    }

    #[test]
    fn rejects_garbage() {
        assert!(LabelSelector::parse("app in web").is_err());
        assert!(LabelSelector::parse("a b c").is_err());
        assert!(LabelSelector::parse("=x").is_err());
    }

    #[test]
    fn fields() {
        let o = obj(json!({}));
        assert!(FieldSelector::parse("metadata.name=a").unwrap().matches(&o));
        assert!(
            FieldSelector::parse("metadata.namespace!=ns2,metadata.name==a")
                .unwrap()
                .matches(&o)
        );
        assert!(
            !FieldSelector::parse("metadata.name!=a")
                .unwrap()
                .matches(&o)
        );
    }
}
