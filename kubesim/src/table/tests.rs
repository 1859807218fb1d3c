use super::*;
use serde_json::json;

fn info(kind: &str, cols: Vec<PrinterColumn>) -> ResourceInfo {
    ResourceInfo {
        group: "lib.projectsveltos.io".into(),
        version: "v1beta1".into(),
        kind: kind.into(),
        list_kind: format!("{kind}List"),
        plural: format!("{}s", kind.to_lowercase()),
        singular: kind.to_lowercase(),
        short_names: vec![],
        categories: vec![],
        namespaced: true,
        verbs: vec![],
        subresources: vec![],
        storage: true,
        deprecated: false,
        schema: None,
        printer_columns: cols,
    }
}

fn pc(name: &str, type_: &str, priority: i32, path: &str) -> PrinterColumn {
    PrinterColumn {
        name: name.into(),
        type_: type_.into(),
        format: String::new(),
        description: String::new(),
        priority,
        json_path: path.into(),
    }
}

#[test]
fn accept_negotiation() {
    let kubectl = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";
    assert_eq!(wants_table(kubectl), Some(TableVersion::V1));
    assert_eq!(
        wants_table("application/json;as=Table;v=v1beta1;g=meta.k8s.io, application/json"),
        Some(TableVersion::V1beta1)
    );
    assert_eq!(wants_table("application/json"), None);
    assert_eq!(wants_table(""), None);
    assert_eq!(
        wants_table("application/json, application/json;as=Table;v=v1;g=meta.k8s.io"),
        None
    );
    assert_eq!(
        wants_table(
            "application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1;g=meta.k8s.io"
        ),
        Some(TableVersion::V1)
    );
    assert!(wants_partial_metadata(
        "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1"
    ));
    assert!(!wants_partial_metadata("application/json"));
}

#[test]
fn sveltoscluster_table() {
    let cols = vec![
        pc("Ready", "boolean", 0, ".status.ready"),
        pc("ConnectionStatus", "string", 1, ".status.connectionStatus"),
        pc("Version", "string", 0, ".status.version"),
        pc("Age", "date", 0, ".metadata.creationTimestamp"),
        pc(
            "Shard",
            "string",
            0,
            ".metadata.annotations['sharding\\.projectsveltos\\.io/key']",
        ),
    ];
    let created = (Utc::now() - chrono::Duration::seconds(300)).to_rfc3339();
    let obj = json!({
        "apiVersion": "lib.projectsveltos.io/v1beta1", "kind": "SveltosCluster",
        "metadata": {"name": "c1", "namespace": "mgmt", "resourceVersion": "7",
                     "creationTimestamp": created, "labels": {"env": "prod"},
                     "annotations": {"sharding.projectsveltos.io/key": "shard-a"}},
        "status": {"ready": true, "version": "v1.30.0"}
    });
    let t = to_table(
        &info("SveltosCluster", cols),
        std::slice::from_ref(&obj),
        json!({"resourceVersion": "9"}),
        IncludeObject::Metadata,
    );
    assert_eq!(t["kind"], "Table");
    assert_eq!(t["apiVersion"], "meta.k8s.io/v1");
    assert_eq!(t["metadata"]["resourceVersion"], "9");
    let names: Vec<&str> = t["columnDefinitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "Name",
            "Ready",
            "ConnectionStatus",
            "Version",
            "Age",
            "Shard"
        ]
    );
    assert_eq!(t["columnDefinitions"][2]["priority"], 1);
    assert_eq!(t["columnDefinitions"][0]["format"], "name");
    let row = &t["rows"][0];
    assert_eq!(
        row["cells"],
        json!(["c1", true, null, "v1.30.0", "5m", "shard-a"])
    );
    assert_eq!(row["object"]["kind"], "PartialObjectMetadata");
    assert_eq!(row["object"]["metadata"]["labels"]["env"], "prod");
    assert!(row["object"].get("status").is_none());

    let full = to_table(
        &info("SveltosCluster", vec![]),
        std::slice::from_ref(&obj),
        json!({}),
        IncludeObject::Object,
    );
    assert_eq!(full["rows"][0]["object"], obj);
    // A CRD version without columns gets Age, as the apiextensions server serves it.
    assert_eq!(full["columnDefinitions"][1]["name"], "Age");
    assert_eq!(full["rows"][0]["cells"][1], "5m");

    let none = to_table(
        &info("SveltosCluster", vec![]),
        std::slice::from_ref(&obj),
        json!({}),
        IncludeObject::None,
    );
    assert!(none["rows"][0].get("object").is_none());
}

#[test]
fn filter_and_wildcard_columns_take_the_first_match() {
    let cols = vec![
        pc(
            "Available",
            "string",
            0,
            ".status.conditions[?(@.type==\"Available\")].status",
        ),
        pc("COMPONENT", "string", 0, ".spec.components[*].name"),
        pc("APPLIES-TO", "string", 0, ".spec.appliesToWorkloads"),
        pc("Replicas", "integer", 0, ".status.replicas"),
        pc("Bad", "string", 0, ".status[?("),
    ];
    let obj = json!({
        "metadata": {"name": "x"},
        "spec": {"components": [{"name": "a"}, {"name": "b"}], "appliesToWorkloads": ["deployments.apps", "*"]},
        "status": {"conditions": [{"type": "Available", "status": "True"}], "replicas": 3.0}
    });
    let t = to_table(
        &info("Cluster", cols),
        &[obj],
        json!({}),
        IncludeObject::None,
    );
    assert_eq!(
        t["rows"][0]["cells"],
        json!(["x", "True", "a", "[\"deployments.apps\",\"*\"]", 3, null])
    );
}

#[test]
fn builtin_tables() {
    let mut ns = info("Namespace", builtin_columns("Namespace"));
    ns.group = String::new();
    ns.version = "v1".into();
    let obj = json!({"metadata": {"name": "default", "resourceVersion": "3",
        "creationTimestamp": (Utc::now() - chrono::Duration::seconds(10)).to_rfc3339()},
        "status": {"phase": "Active"}});
    let t = watch_event_table(TableVersion::V1beta1, &ns, &obj, IncludeObject::Metadata);
    assert_eq!(t["apiVersion"], "meta.k8s.io/v1beta1");
    assert_eq!(t["metadata"]["resourceVersion"], "3");
    assert_eq!(t["rows"][0]["cells"], json!(["default", "Active", "10s"]));
    assert_eq!(t["rows"][0]["object"]["apiVersion"], "meta.k8s.io/v1beta1");
    let b = bookmark_table(TableVersion::V1, "12");
    assert_eq!(b["rows"], json!([]));
}
