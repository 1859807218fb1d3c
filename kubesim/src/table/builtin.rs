//! The columns `kubectl get` shows for built-in kinds, as the real server's printers
//! (`pkg/printers/internalversion`) define them. Columns that are not a plain JSONPath are
//! computed: their `json_path` is a `kubesim:` marker that [`computed_cell`] understands.

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::cells::age;
use super::printers::{label_selector, pod_summary, quota, subjects};
use crate::registry::PrinterColumn;

pub(crate) const MARKER: &str = "kubesim:";
const CREATED_AT: &str =
    "CreationTimestamp is a timestamp representing the server time when this object was created.";

fn col(
    name: &str,
    type_: &str,
    priority: i32,
    json_path: &str,
    description: &str,
) -> PrinterColumn {
    PrinterColumn {
        name: name.into(),
        type_: type_.into(),
        format: String::new(),
        description: description.into(),
        priority,
        json_path: json_path.into(),
    }
}

fn age_col() -> PrinterColumn {
    col("Age", "string", 0, "kubesim:age", CREATED_AT)
}

fn created_at_col() -> PrinterColumn {
    col("Created At", "date", 0, "kubesim:created-at", CREATED_AT)
}

/// Printer columns of a built-in kind (the Name column is implicit and always first).
/// Kinds the real server has no printer for get the default `Created At` column.
pub fn builtin_columns(kind: &str) -> Vec<PrinterColumn> {
    match kind {
        "Pod" => vec![
            col(
                "Ready",
                "string",
                0,
                "kubesim:pod-ready",
                "The aggregate readiness state of this pod for accepting traffic.",
            ),
            col(
                "Status",
                "string",
                0,
                "kubesim:pod-status",
                "The aggregate status of the containers in this pod.",
            ),
            col(
                "Restarts",
                "string",
                0,
                "kubesim:pod-restarts",
                "The number of times the containers in this pod have been restarted.",
            ),
            age_col(),
            col(
                "IP",
                "string",
                1,
                "kubesim:pod-ip",
                "IP address allocated to the pod.",
            ),
            col(
                "Node",
                "string",
                1,
                "kubesim:pod-node",
                "NodeName the pod is scheduled on.",
            ),
            col(
                "Nominated Node",
                "string",
                1,
                "kubesim:pod-nominated-node",
                "NominatedNodeName of the pod.",
            ),
            col(
                "Readiness Gates",
                "string",
                1,
                "kubesim:pod-readiness-gates",
                "Readiness gates of the pod.",
            ),
        ],
        "Namespace" => vec![
            col(
                "Status",
                "string",
                0,
                ".status.phase",
                "The status of the namespace",
            ),
            age_col(),
        ],
        "ConfigMap" => vec![
            col(
                "Data",
                "integer",
                0,
                "kubesim:data-count",
                "Number of keys in the ConfigMap.",
            ),
            age_col(),
        ],
        "Secret" => vec![
            col("Type", "string", 0, ".type", "The type of the secret"),
            col(
                "Data",
                "integer",
                0,
                "kubesim:data-count",
                "The number of data items in the secret",
            ),
            age_col(),
        ],
        "ServiceAccount" => vec![
            col(
                "Secrets",
                "integer",
                0,
                "kubesim:secrets-count",
                "The number of secrets of the ServiceAccount.",
            ),
            age_col(),
        ],
        "ResourceQuota" => vec![
            age_col(),
            col(
                "Request",
                "string",
                0,
                "kubesim:quota-request",
                "Request represents a minimum amount of cpu/memory that a container may consume.",
            ),
            col(
                "Limit",
                "string",
                0,
                "kubesim:quota-limit",
                "Limits control the maximum amount of cpu/memory that a container may use independently.",
            ),
        ],
        "NetworkPolicy" => vec![
            col(
                "Pod-Selector",
                "string",
                0,
                "kubesim:pod-selector",
                "Selects the pods to which this NetworkPolicy object applies.",
            ),
            age_col(),
        ],
        "RoleBinding" | "ClusterRoleBinding" => vec![
            col(
                "Role",
                "string",
                0,
                "kubesim:binding-role",
                "RoleRef references the role being bound.",
            ),
            age_col(),
            col(
                "Users",
                "string",
                1,
                "kubesim:binding-users",
                "Users in the binding.",
            ),
            col(
                "Groups",
                "string",
                1,
                "kubesim:binding-groups",
                "Groups in the binding.",
            ),
            col(
                "ServiceAccounts",
                "string",
                1,
                "kubesim:binding-sas",
                "ServiceAccounts in the binding.",
            ),
        ],
        _ => vec![created_at_col()],
    }
}

pub(super) fn str_at<'a>(obj: &'a Value, ptr: &str) -> &'a str {
    obj.pointer(ptr).and_then(Value::as_str).unwrap_or("")
}

fn none_if_empty(s: &str) -> Value {
    Value::String(if s.is_empty() {
        "<none>".into()
    } else {
        s.into()
    })
}

fn len_at(obj: &Value, ptr: &str) -> usize {
    match obj.pointer(ptr) {
        Some(Value::Object(m)) => m.len(),
        Some(Value::Array(a)) => a.len(),
        _ => 0,
    }
}

/// The cell of a `kubesim:` column for one object.
pub fn computed_cell(marker: &str, obj: &Value, now: DateTime<Utc>) -> Value {
    let name = marker.strip_prefix(MARKER).unwrap_or(marker);
    match name {
        "age" => Value::String(age(
            obj.pointer("/metadata/creationTimestamp")
                .and_then(Value::as_str),
            now,
        )),
        "created-at" => Value::String(str_at(obj, "/metadata/creationTimestamp").to_string()),
        "data-count" => Value::from(len_at(obj, "/data") + len_at(obj, "/binaryData")),
        "secrets-count" => Value::from(len_at(obj, "/secrets")),
        "pod-ready" => {
            let (ready, _, _) = pod_summary(obj);
            Value::String(format!("{ready}/{}", len_at(obj, "/spec/containers")))
        }
        "pod-status" => Value::String(pod_summary(obj).1),
        "pod-restarts" => Value::String(pod_summary(obj).2.to_string()),
        "pod-ip" => none_if_empty(str_at(obj, "/status/podIP")),
        "pod-node" => none_if_empty(str_at(obj, "/spec/nodeName")),
        "pod-nominated-node" => none_if_empty(str_at(obj, "/status/nominatedNodeName")),
        "pod-readiness-gates" => {
            let gates = len_at(obj, "/spec/readinessGates");
            if gates == 0 {
                none_if_empty("")
            } else {
                let ok = obj["status"]["conditions"]
                    .as_array()
                    .map_or(0, |cs| cs.iter().filter(|c| c["status"] == "True").count());
                Value::String(format!("{}/{gates}", ok.min(gates)))
            }
        }
        "quota-request" => Value::String(quota(obj, false)),
        "quota-limit" => Value::String(quota(obj, true)),
        "pod-selector" => Value::String(label_selector(&obj["spec"]["podSelector"])),
        "binding-role" => Value::String(format!(
            "{}/{}",
            str_at(obj, "/roleRef/kind"),
            str_at(obj, "/roleRef/name")
        )),
        "binding-users" => subjects(obj, "User"),
        "binding-groups" => subjects(obj, "Group"),
        "binding-sas" => subjects(obj, "ServiceAccount"),
        _ => Value::Null,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn pod_cells() {
        let pod = json!({
            "metadata": {"name": "p"},
            "spec": {"containers": [{"name": "a"}, {"name": "b"}]},
            "status": {"phase": "Running", "containerStatuses": [
                {"name": "a", "ready": true, "restartCount": 2, "state": {"running": {}}},
                {"name": "b", "ready": false, "restartCount": 1,
                 "state": {"waiting": {"reason": "CrashLoopBackOff"}}}
            ]}
        });
        let now = Utc::now();
        assert_eq!(computed_cell("kubesim:pod-ready", &pod, now), json!("1/2"));
        assert_eq!(
            computed_cell("kubesim:pod-status", &pod, now),
            json!("CrashLoopBackOff")
        );
        assert_eq!(computed_cell("kubesim:pod-restarts", &pod, now), json!("3"));
        assert_eq!(computed_cell("kubesim:pod-ip", &pod, now), json!("<none>"));
    }

    #[test]
    fn other_cells() {
        let now = Utc::now();
        let cm = json!({"data": {"a": "1", "b": "2"}, "binaryData": {"c": ""}});
        assert_eq!(computed_cell("kubesim:data-count", &cm, now), json!(3));
        let rb = json!({"roleRef": {"kind": "Role", "name": "r"}, "subjects": [
            {"kind": "User", "name": "u"}, {"kind": "ServiceAccount", "name": "s", "namespace": "n"}]});
        assert_eq!(
            computed_cell("kubesim:binding-role", &rb, now),
            json!("Role/r")
        );
        assert_eq!(computed_cell("kubesim:binding-sas", &rb, now), json!("n/s"));
        let np = json!({"spec": {"podSelector": {"matchLabels": {"b": "2", "a": "1"},
            "matchExpressions": [{"key": "c", "operator": "In", "values": ["x", "y"]}]}}});
        assert_eq!(
            computed_cell("kubesim:pod-selector", &np, now),
            json!("a=1,b=2,c in (x,y)")
        );
        assert_eq!(builtin_columns("Namespace")[0].name, "Status");
        assert_eq!(builtin_columns("Role")[0].name, "Created At");
    }
}
