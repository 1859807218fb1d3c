//! The structural difference between two revisions: an RFC 6902 JSON Patch from one
//! revision's Application spec to the other's.

use serde::Serialize;
use serde_json::Value;

/// One change. `path` is a JSON Pointer into the Application spec.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Change {
    /// `add`, `remove`, `replace`, `move`, `copy` or `test`.
    pub op: String,
    pub path: String,
    /// The new value (add, replace, test).
    pub value: Option<Value>,
    /// The source pointer (move, copy).
    pub from: Option<String>,
}

/// The operations that turn `from` into `to`.
pub fn diff(from: &Value, to: &Value) -> Vec<Change> {
    let patch = json_patch::diff(from, to);
    patch
        .0
        .into_iter()
        .map(|op| {
            let v = serde_json::to_value(&op).unwrap_or(Value::Null);
            Change {
                op: v["op"].as_str().unwrap_or_default().to_string(),
                path: v["path"].as_str().unwrap_or_default().to_string(),
                value: v.get("value").cloned(),
                from: v.get("from").and_then(Value::as_str).map(str::to_string),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn image_change_and_added_policy() {
        let a = json!({"components": [{"name": "web", "type": "webservice",
            "properties": {"image": "nginx:1.25"}}]});
        let b = json!({"components": [{"name": "web", "type": "webservice",
            "properties": {"image": "nginx:1.26"}}],
            "policies": [{"name": "p", "type": "health"}]});
        let changes = diff(&a, &b);
        assert_eq!(changes.len(), 2);
        assert!(changes.contains(&Change {
            op: "replace".into(),
            path: "/components/0/properties/image".into(),
            value: Some(json!("nginx:1.26")),
            from: None,
        }));
        assert!(
            changes
                .iter()
                .any(|c| c.op == "add" && c.path == "/policies")
        );
        // Applying the patch really gives the target.
        let mut patched = a.clone();
        let ops: Vec<Value> = changes
            .iter()
            .map(|c| serde_json::to_value(c).expect("json"))
            .collect();
        let ops: Vec<Value> = ops
            .into_iter()
            .map(|mut o| {
                let m = o.as_object_mut().expect("object");
                m.retain(|_, v| !v.is_null());
                o
            })
            .collect();
        let patch: json_patch::Patch = serde_json::from_value(Value::Array(ops)).expect("patch");
        json_patch::patch(&mut patched, &patch).expect("applies");
        assert_eq!(patched, b);
        assert!(diff(&a, &a).is_empty());
    }
}
