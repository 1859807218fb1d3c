//! CustomResourceDefinitions: what a stored CRD serves, and the status the real apiextensions
//! controllers would write on it (Established, NamesAccepted, acceptedNames).

use serde_json::{Value, json};

use crate::registry::{PrinterColumn, ResourceInfo};
use crate::status::{ApiError, Cause};

fn strs(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

fn s<'a>(v: &'a Value, ptr: &str) -> &'a str {
    v.pointer(ptr).and_then(Value::as_str).unwrap_or("")
}

/// Structural checks the real server makes before accepting a CRD at all.
pub fn validate(crd: &Value) -> Result<(), ApiError> {
    let name = s(crd, "/metadata/name");
    let group = s(crd, "/spec/group");
    let plural = s(crd, "/spec/names/plural");
    let mut causes = Vec::new();
    let mut need = |field: &str, ok: bool, reason: &str, msg: &str| {
        if !ok {
            causes.push(Cause {
                reason: reason.into(),
                message: msg.into(),
                field: field.into(),
            });
        }
    };
    need(
        "spec.group",
        !group.is_empty(),
        "FieldValueRequired",
        "Required value",
    );
    need(
        "spec.names.plural",
        !plural.is_empty(),
        "FieldValueRequired",
        "Required value",
    );
    need(
        "spec.names.kind",
        !s(crd, "/spec/names/kind").is_empty(),
        "FieldValueRequired",
        "Required value",
    );
    let scope = s(crd, "/spec/scope");
    need(
        "spec.scope",
        scope == "Namespaced" || scope == "Cluster",
        "FieldValueNotSupported",
        "Unsupported value: supported values: \"Cluster\", \"Namespaced\"",
    );
    let versions = crd
        .pointer("/spec/versions")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    need(
        "spec.versions",
        !versions.is_empty(),
        "FieldValueRequired",
        "Required value",
    );
    let storage = versions
        .iter()
        .filter(|v| v.get("storage").and_then(Value::as_bool) == Some(true))
        .count();
    need(
        "spec.versions",
        versions.is_empty() || storage == 1,
        "FieldValueInvalid",
        "Invalid value: must have exactly one version marked as storage version",
    );
    if !group.is_empty() && !plural.is_empty() {
        need(
            "metadata.name",
            name == format!("{plural}.{group}"),
            "FieldValueInvalid",
            &format!("Invalid value: \"{name}\": must be spec.names.plural+\".\"+spec.group"),
        );
    }
    if causes.is_empty() {
        Ok(())
    } else {
        Err(ApiError::invalid(
            "apiextensions.k8s.io",
            "CustomResourceDefinition",
            name,
            causes,
        ))
    }
}

/// The resources a CRD serves: one per served version.
pub fn resources(crd: &Value) -> Vec<ResourceInfo> {
    let spec = &crd["spec"];
    let names = &spec["names"];
    let kind = s(names, "/kind").to_string();
    let plural = s(names, "/plural").to_string();
    let singular = match s(names, "/singular") {
        "" => kind.to_lowercase(),
        x => x.to_string(),
    };
    let list_kind = match s(names, "/listKind") {
        "" => format!("{kind}List"),
        x => x.to_string(),
    };
    let versions = spec["versions"].as_array().cloned().unwrap_or_default();
    versions
        .iter()
        .filter(|v| v.get("served").and_then(Value::as_bool) == Some(true))
        .map(|v| {
            let mut sub = Vec::new();
            if v.pointer("/subresources/status").is_some() {
                sub.push("status".to_string());
            }
            if v.pointer("/subresources/scale").is_some() {
                sub.push("scale".to_string());
            }
            let printer_columns = v["additionalPrinterColumns"]
                .as_array()
                .map(|cols| {
                    cols.iter()
                        .map(|c| PrinterColumn {
                            name: s(c, "/name").into(),
                            type_: s(c, "/type").into(),
                            format: s(c, "/format").into(),
                            description: s(c, "/description").into(),
                            priority: c["priority"].as_i64().unwrap_or(0) as i32,
                            json_path: s(c, "/jsonPath").into(),
                        })
                        .collect()
                })
                .unwrap_or_default();
            ResourceInfo {
                group: s(spec, "/group").into(),
                version: s(v, "/name").into(),
                kind: kind.clone(),
                list_kind: list_kind.clone(),
                plural: plural.clone(),
                singular: singular.clone(),
                short_names: strs(names.get("shortNames")),
                categories: strs(names.get("categories")),
                namespaced: s(spec, "/scope") == "Namespaced",
                verbs: [
                    "delete",
                    "deletecollection",
                    "get",
                    "list",
                    "patch",
                    "create",
                    "update",
                    "watch",
                ]
                .iter()
                .map(|s| s.to_string())
                .collect(),
                subresources: sub,
                storage: v.get("storage").and_then(Value::as_bool) == Some(true),
                deprecated: v.get("deprecated").and_then(Value::as_bool) == Some(true),
                schema: v.pointer("/schema/openAPIV3Schema").cloned(),
                printer_columns,
            }
        })
        .collect()
}

/// Sets the status the apiextensions controllers would set once the names are accepted.
pub fn set_established(crd: &mut Value, now: &str) {
    let names = crd.pointer("/spec/names").cloned().unwrap_or(json!({}));
    let mut accepted = names.clone();
    if let Some(m) = accepted.as_object_mut() {
        if !m.contains_key("singular")
            && let Some(k) = names.get("kind").and_then(Value::as_str)
        {
            m.insert("singular".into(), json!(k.to_lowercase()));
        }
        if !m.contains_key("listKind")
            && let Some(k) = names.get("kind").and_then(Value::as_str)
        {
            m.insert("listKind".into(), json!(format!("{k}List")));
        }
    }
    let stored: Vec<Value> = crd
        .pointer("/spec/versions")
        .and_then(Value::as_array)
        .map(|vs| {
            vs.iter()
                .filter(|v| v.get("storage").and_then(Value::as_bool) == Some(true))
                .filter_map(|v| v.get("name").cloned())
                .collect()
        })
        .unwrap_or_default();
    crd["status"] = json!({
        "acceptedNames": accepted,
        "conditions": [
            {"type": "NamesAccepted", "status": "True", "lastTransitionTime": now,
             "reason": "NoConflicts", "message": "no conflicts found"},
            {"type": "Established", "status": "True", "lastTransitionTime": now,
             "reason": "InitialNamesAccepted", "message": "the initial names have been accepted"}
        ],
        "storedVersions": stored,
    });
}

/// `x-kubernetes-list-map-keys` for the list at `path` (field names from the root) in a CRD
/// schema, when that list is `x-kubernetes-list-type: map`.
pub fn list_map_keys(schema: &Value, path: &[String]) -> Option<Vec<String>> {
    let node = schema_at(schema, path)?;
    if node.get("x-kubernetes-list-type").and_then(Value::as_str) == Some("map") {
        Some(strs(node.get("x-kubernetes-list-map-keys")))
    } else {
        None
    }
}

/// Whether the list at `path` is `x-kubernetes-list-type: set` (or, under `metadata`, one of
/// ObjectMeta's set lists: `finalizers`).
pub fn is_list_set(schema: &Value, path: &[String]) -> bool {
    if path.len() == 2 && path[0] == "metadata" && path[1] == "finalizers" {
        return true;
    }
    schema_at(schema, path)
        .and_then(|n| n.get("x-kubernetes-list-type"))
        .and_then(Value::as_str)
        == Some("set")
}

/// The schema node for a field path, stepping through list `items` transparently.
fn schema_at<'a>(schema: &'a Value, path: &[String]) -> Option<&'a Value> {
    let mut node = schema;
    for seg in path {
        node = if let Some(items) = node.get("items") {
            items.get("properties")?.get(seg)?
        } else {
            node.get("properties")?.get(seg)?
        };
    }
    Some(node)
}
