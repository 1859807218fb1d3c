//! Cell values as the real apiserver renders them: ages as apimachinery's `HumanDuration`,
//! `string` columns printed as client-go's jsonpath `PrintResults` prints, typed columns
//! coerced as apiextensions' `cellForJSONValue` coerces.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

/// apimachinery `duration.HumanDuration`.
pub fn human_duration(d: chrono::Duration) -> String {
    let seconds = d.num_seconds();
    if seconds < -1 {
        return "<invalid>".into();
    } else if seconds < 0 {
        return "0s".into();
    } else if seconds < 60 * 2 {
        return format!("{seconds}s");
    }
    let minutes = seconds / 60;
    if minutes < 10 {
        let s = seconds % 60;
        return if s == 0 {
            format!("{minutes}m")
        } else {
            format!("{minutes}m{s}s")
        };
    } else if minutes < 60 * 3 {
        return format!("{minutes}m");
    }
    let hours = seconds / 3600;
    if hours < 8 {
        let m = minutes % 60;
        return if m == 0 {
            format!("{hours}h")
        } else {
            format!("{hours}h{m}m")
        };
    } else if hours < 48 {
        return format!("{hours}h");
    } else if hours < 24 * 8 {
        let h = hours % 24;
        return if h == 0 {
            format!("{}d", hours / 24)
        } else {
            format!("{}d{h}h", hours / 24)
        };
    } else if hours < 24 * 365 * 2 {
        return format!("{}d", hours / 24);
    } else if hours < 24 * 365 * 8 {
        let dy = (hours / 24) % 365;
        return if dy == 0 {
            format!("{}y", hours / 24 / 365)
        } else {
            format!("{}y{dy}d", hours / 24 / 365)
        };
    }
    format!("{}y", hours / 24 / 365)
}

/// metatable `ConvertToHumanReadableDateType` for an RFC 3339 timestamp string.
pub fn age(timestamp: Option<&str>, now: DateTime<Utc>) -> String {
    match timestamp.filter(|t| !t.is_empty()) {
        None => "<unknown>".into(),
        Some(t) => match DateTime::parse_from_rfc3339(t) {
            Ok(ts) => human_duration(now.signed_duration_since(ts.with_timezone(&Utc))),
            Err(_) => "<invalid>".into(),
        },
    }
}

/// A value printed as client-go's jsonpath prints one result: strings bare, maps and lists as
/// compact JSON with sorted keys (Go's `json.Marshal` of a map), scalars as Go's `fmt` does.
pub fn print_value(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(go_number(n)),
        Value::Array(_) | Value::Object(_) => Some(sorted(v).to_string()),
    }
}

fn go_number(n: &serde_json::Number) -> String {
    if let Some(i) = n.as_i64() {
        return i.to_string();
    }
    if let Some(u) = n.as_u64() {
        return u.to_string();
    }
    let f = n.as_f64().unwrap_or(0.0);
    // Go prints float64 with %v, i.e. the shortest form, switching to an exponent at 1e21.
    if f.fract() == 0.0 && f.abs() < 1e21 {
        format!("{f:.0}")
    } else {
        f.to_string()
    }
}

fn sorted(v: &Value) -> Value {
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            let mut out = Map::new();
            for k in keys {
                out.insert(k.clone(), sorted(&m[k]));
            }
            Value::Object(out)
        }
        Value::Array(a) => Value::Array(a.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

/// apiextensions `cellForJSONValue`: a typed (non-string) column's cell from the first result.
pub fn typed_cell(column_type: &str, v: &Value, now: DateTime<Utc>) -> Value {
    match (column_type, v) {
        ("integer", Value::Number(n)) => match n.as_i64() {
            Some(i) => Value::from(i),
            None => n.as_f64().map_or(Value::Null, |f| Value::from(f as i64)),
        },
        ("number", Value::Number(n)) => n.as_f64().map_or(Value::Null, Value::from),
        ("boolean", Value::Bool(b)) => Value::Bool(*b),
        ("string", Value::String(s)) => Value::String(s.clone()),
        ("date", Value::String(s)) => Value::String(age(Some(s), now)),
        _ => Value::Null,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn durations_match_apimachinery() {
        let d = chrono::Duration::seconds;
        assert_eq!(human_duration(d(-5)), "<invalid>");
        assert_eq!(human_duration(d(-1)), "0s");
        assert_eq!(human_duration(d(5)), "5s");
        assert_eq!(human_duration(d(119)), "119s");
        assert_eq!(human_duration(d(125)), "2m5s");
        assert_eq!(human_duration(d(600)), "10m");
        assert_eq!(human_duration(d(3 * 3600 + 60)), "3h1m");
        assert_eq!(human_duration(d(10 * 3600)), "10h");
        assert_eq!(human_duration(d(3 * 86400 + 7200)), "3d2h");
        assert_eq!(human_duration(d(30 * 86400)), "30d");
        assert_eq!(human_duration(d(3 * 365 * 86400)), "3y");
        assert_eq!(human_duration(d(3 * 365 * 86400 + 86400)), "3y1d");
    }

    #[test]
    fn prints_like_client_go() {
        assert_eq!(print_value(&json!("x")).unwrap(), "x");
        assert_eq!(print_value(&json!(3)).unwrap(), "3");
        assert_eq!(print_value(&json!(3.5)).unwrap(), "3.5");
        assert_eq!(print_value(&json!(true)).unwrap(), "true");
        assert_eq!(
            print_value(&json!({"b": 1, "a": ["x"]})).unwrap(),
            r#"{"a":["x"],"b":1}"#
        );
        assert_eq!(print_value(&json!(null)), None);
    }

    #[test]
    fn coerces_typed_cells() {
        let now = Utc::now();
        assert_eq!(typed_cell("integer", &json!(2.0), now), json!(2));
        assert_eq!(typed_cell("number", &json!(2), now), json!(2.0));
        assert_eq!(typed_cell("boolean", &json!("true"), now), json!(null));
        let ts = (now - chrono::Duration::seconds(30)).to_rfc3339();
        assert_eq!(typed_cell("date", &json!(ts), now), json!("30s"));
        assert_eq!(typed_cell("date", &json!("nope"), now), json!("<invalid>"));
    }
}
