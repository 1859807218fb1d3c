//! Kubernetes JSONPath (client-go `util/jsonpath`, as CRD `additionalPrinterColumns` use it)
//! translated to RFC 9535 and evaluated with `jsonpath-rust`.
//!
//! The two dialects differ in ways printer columns hit: k8s escapes dots in member names with a
//! backslash (`.metadata.annotations.app\.oam\.dev/x`), accepts quoted keys with escapes inside
//! brackets (`['sharding\.projectsveltos\.io/key']`), writes filters as `[?(@.type=="Ready")]`
//! and wildcards as `[*]`; RFC 9535 wants `$['a.b/c']` and `[?@.type=="Ready"]`.

use jsonpath_rust::JsonPath;
use serde_json::Value;

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum JsonPathError {
    #[error("unrecognized JSONPath {path:?}: {reason}")]
    Syntax { path: String, reason: String },
}

fn syntax(path: &str, reason: impl Into<String>) -> JsonPathError {
    JsonPathError::Syntax {
        path: path.to_string(),
        reason: reason.into(),
    }
}

/// Translates a k8s JSONPath (with or without the surrounding `{}`) to an RFC 9535 query.
pub fn translate(k8s: &str) -> Result<String, JsonPathError> {
    let inner = k8s.trim();
    let inner = inner
        .strip_prefix('{')
        .and_then(|s| s.strip_suffix('}'))
        .unwrap_or(inner);
    let mut out = String::from("$");
    translate_segments(inner, &mut out).map_err(|r| syntax(k8s, r))?;
    Ok(out)
}

/// Appends the RFC 9535 segments for `src` (a k8s path relative to the current node) to `out`.
fn translate_segments(src: &str, out: &mut String) -> Result<(), String> {
    let chars: Vec<char> = src.chars().collect();
    let mut i = 0;
    // A leading `$` or `@` names the current node, which RFC 9535 already starts from.
    if matches!(chars.first(), Some('$') | Some('@')) {
        i = 1;
    }
    while i < chars.len() {
        match chars[i] {
            ' ' | '\t' => i += 1,
            '.' if chars.get(i + 1) == Some(&'.') => {
                out.push_str("..");
                i += 2;
                if chars.get(i).is_some_and(|c| !matches!(c, '[' | '.')) {
                    let (name, next) = read_field(&chars, i);
                    push_member(out, &name);
                    i = next;
                }
            }
            '.' => {
                let (name, next) = read_field(&chars, i + 1);
                if name.is_empty() {
                    // `.` alone (or before `[`) names the current object.
                } else if name == "*" {
                    out.push_str("[*]");
                } else {
                    push_member(out, &name);
                }
                i = next;
            }
            '[' => {
                let close = find_bracket_end(&chars, i)?;
                let body: String = chars[i + 1..close].iter().collect();
                translate_bracket(&body, out)?;
                i = close + 1;
            }
            c if c == '_' || c.is_alphanumeric() => {
                // A bare identifier at the start (`metadata.name`) is a member name too.
                let (name, next) = read_field(&chars, i);
                push_member(out, &name);
                i = next;
            }
            c => return Err(format!("unexpected character {c:?}")),
        }
    }
    Ok(())
}

/// Reads a member name up to the next unescaped terminator, dropping escape backslashes as
/// client-go's `parseField` does.
fn read_field(chars: &[char], mut i: usize) -> (String, usize) {
    let mut name = String::new();
    while i < chars.len() {
        match chars[i] {
            '\\' => {
                if let Some(&c) = chars.get(i + 1) {
                    name.push(c);
                }
                i += 2;
            }
            '.' | ',' | '[' | ']' | '$' | '@' | '{' | '}' | ' ' | '\t' => break,
            c => {
                name.push(c);
                i += 1;
            }
        }
    }
    (name, i)
}

fn find_bracket_end(chars: &[char], open: usize) -> Result<usize, String> {
    let mut quote: Option<char> = None;
    let mut depth = 0;
    let mut i = open;
    while i < chars.len() {
        let c = chars[i];
        match quote {
            Some(q) => {
                if c == '\\' {
                    i += 1;
                } else if c == q {
                    quote = None;
                }
            }
            None => match c {
                '\'' | '"' => quote = Some(c),
                '[' | '(' => depth += 1,
                ']' | ')' => {
                    depth -= 1;
                    if depth == 0 && c == ']' {
                        return Ok(i);
                    }
                }
                _ => {}
            },
        }
        i += 1;
    }
    Err("unterminated [".into())
}

fn translate_bracket(body: &str, out: &mut String) -> Result<(), String> {
    let body = body.trim();
    if let Some(filter) = body.strip_prefix("?(").and_then(|s| s.strip_suffix(')')) {
        out.push_str("[?");
        translate_filter(filter.trim(), out)?;
        out.push(']');
        return Ok(());
    }
    if body == "*" {
        out.push_str("[*]");
        return Ok(());
    }
    if let Some(key) = quoted(body) {
        // client-go re-parses a quoted dict key as a dotted field, so escapes are dropped.
        let chars: Vec<char> = key.chars().collect();
        let (name, _) = read_field_all(&chars);
        push_member(out, &name);
        return Ok(());
    }
    // Index, slice or union of those: the syntax is the same in both dialects.
    let ok = body
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '-' | '+' | ':' | ',' | ' '));
    if !ok || body.is_empty() {
        return Err(format!("invalid array index {body}"));
    }
    out.push('[');
    out.push_str(&body.replace(['+', ' '], ""));
    out.push(']');
    Ok(())
}

fn read_field_all(chars: &[char]) -> (String, usize) {
    let mut name = String::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '\\' {
            if let Some(&c) = chars.get(i + 1) {
                name.push(c);
            }
            i += 2;
        } else {
            name.push(chars[i]);
            i += 1;
        }
    }
    (name, i)
}

fn quoted(s: &str) -> Option<&str> {
    let first = s.chars().next()?;
    if (first == '\'' || first == '"') && s.len() >= 2 && s.ends_with(first) {
        Some(&s[1..s.len() - 1])
    } else {
        None
    }
}

/// `@.type=="Ready"`, `@.x>3`, or `@.x` (existence) → RFC 9535 filter expression.
fn translate_filter(filter: &str, out: &mut String) -> Result<(), String> {
    let op_start = filter.find(['!', '<', '>', '=']);
    let Some(start) = op_start else {
        return translate_operand(filter, out);
    };
    let op_end = filter[start..]
        .find(|c: char| !matches!(c, '!' | '<' | '>' | '='))
        .map(|n| start + n)
        .ok_or("filter without right operand")?;
    let op = match &filter[start..op_end] {
        "=" | "==" => "==",
        o @ ("!=" | "<" | "<=" | ">" | ">=") => o,
        o => return Err(format!("unsupported filter operator {o}")),
    };
    translate_operand(filter[..start].trim(), out)?;
    out.push_str(op);
    translate_operand(filter[op_end..].trim(), out)
}

fn translate_operand(operand: &str, out: &mut String) -> Result<(), String> {
    if let Some(text) = quoted(operand) {
        out.push_str(&Value::String(unescape_quoted(text)).to_string());
    } else if operand.starts_with('@') || operand.starts_with('$') {
        out.push_str(&operand[..1]);
        translate_segments(&operand[1..], out)?;
    } else if operand == "true" || operand == "false" || operand.parse::<f64>().is_ok() {
        out.push_str(operand);
    } else {
        return Err(format!("unsupported filter operand {operand}"));
    }
    Ok(())
}

fn unescape_quoted(text: &str) -> String {
    let mut s = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(n) = chars.next() {
                s.push(n);
            }
        } else {
            s.push(c);
        }
    }
    s
}

fn push_member(out: &mut String, name: &str) {
    out.push_str("['");
    for c in name.chars() {
        match c {
            '\'' => out.push_str("\\'"),
            '\\' => out.push_str("\\\\"),
            c => out.push(c),
        }
    }
    out.push_str("']");
}

/// A printer column's compiled path.
#[derive(Clone, Debug)]
pub struct ColumnPath {
    rfc9535: String,
}

impl ColumnPath {
    pub fn parse(k8s: &str) -> Result<Self, JsonPathError> {
        let rfc9535 = translate(k8s)?;
        // Parse once up front so a bad column is reported when the table is built.
        jsonpath_rust::parser::parse_json_path(&rfc9535).map_err(|e| syntax(k8s, e.to_string()))?;
        Ok(Self { rfc9535 })
    }

    pub fn rfc9535(&self) -> &str {
        &self.rfc9535
    }

    /// Every value the path selects, in document order (client-go's `FindResults()[0]`).
    pub fn find<'a>(&self, obj: &'a Value) -> Vec<&'a Value> {
        obj.query(&self.rfc9535).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn translates_the_printer_columns_of_the_shared_crds() {
        let cases = [
            (".status.ready", "$['status']['ready']"),
            (
                ".metadata.annotations['sharding\\.projectsveltos\\.io/key']",
                "$['metadata']['annotations']['sharding.projectsveltos.io/key']",
            ),
            (
                ".status.featureSummaries[?(@.featureID==\"Helm\")].status",
                "$['status']['featureSummaries'][?@['featureID']==\"Helm\"]['status']",
            ),
            (
                ".spec.components[*].name",
                "$['spec']['components'][*]['name']",
            ),
            (
                ".metadata.annotations['app\\.oam\\.dev\\/publishVersion']",
                "$['metadata']['annotations']['app.oam.dev/publishVersion']",
            ),
            (
                ".metadata.annotations.definition\\.oam\\.dev/description",
                "$['metadata']['annotations']['definition.oam.dev/description']",
            ),
            (
                "{.items[0].metadata.name}",
                "$['items'][0]['metadata']['name']",
            ),
            (".a[-1]", "$['a'][-1]"),
            (".a[1:3]", "$['a'][1:3]"),
            ("..name", "$..['name']"),
            (".a[?(@.x>2)]", "$['a'][?@['x']>2]"),
            (".a[?(@.n=='x')]", "$['a'][?@['n']==\"x\"]"),
        ];
        for (k8s, want) in cases {
            assert_eq!(translate(k8s).unwrap(), want, "{k8s}");
            ColumnPath::parse(k8s).unwrap();
        }
    }

    #[test]
    fn rejects_garbage() {
        assert!(translate(".a[").is_err());
        assert!(translate(".a[x]").is_err());
        assert!(ColumnPath::parse(".a[?(@.x==)]").is_err());
    }

    #[test]
    fn evaluates_against_objects() {
        let obj = json!({
            "metadata": {"annotations": {"sharding.projectsveltos.io/key": "s1"}},
            "status": {"conditions": [
                {"type": "Paused", "status": "False"},
                {"type": "Ready", "status": "True"}
            ]},
            "spec": {"components": [{"name": "a"}, {"name": "b"}]}
        });
        let p = ColumnPath::parse(".metadata.annotations['sharding\\.projectsveltos\\.io/key']")
            .unwrap();
        assert_eq!(p.find(&obj), vec![&json!("s1")]);
        let p = ColumnPath::parse(".status.conditions[?(@.type==\"Ready\")].status").unwrap();
        assert_eq!(p.find(&obj), vec![&json!("True")]);
        let p = ColumnPath::parse(".spec.components[*].name").unwrap();
        assert_eq!(p.find(&obj), vec![&json!("a"), &json!("b")]);
        let p = ColumnPath::parse(".status.missing.deeper").unwrap();
        assert!(p.find(&obj).is_empty());
    }
}
