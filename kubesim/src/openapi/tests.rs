use std::collections::HashMap;

use http::{HeaderMap, StatusCode};
use serde_json::{Value, json};

use super::field_validation::{FieldValidation, decide, pruned_fields, unknown_builtin_fields};
use super::*;
use crate::registry::{Registry, ResourceInfo};

fn crds_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/crds")
}

fn registry() -> Registry {
    let mut resources = crate::builtin::resources();
    let dir = crds_dir();
    assert!(dir.is_dir(), "CRD folder {} is missing", dir.display());
    for sub in std::fs::read_dir(&dir).unwrap() {
        let sub = sub.unwrap().path();
        if !sub.is_dir() {
            continue;
        }
        for f in std::fs::read_dir(&sub).unwrap() {
            let f = f.unwrap().path();
            if f.extension().is_some_and(|e| e == "yaml") {
                let crd: Value =
                    serde_yaml::from_str(&std::fs::read_to_string(&f).unwrap()).unwrap();
                resources.extend(crate::crd::resources(&crd));
            }
        }
    }
    Registry::new(resources)
}

fn patch_has_field_validation(doc: &Value, group: &str, version: &str, kind: &str) -> bool {
    doc["paths"].as_object().unwrap().values().any(|item| {
        let op = &item["patch"];
        op["x-kubernetes-group-version-kind"]
            == json!({"group": group, "kind": kind, "version": version})
            && op["parameters"]
                .as_array()
                .is_some_and(|ps| ps.iter().any(|p| p["name"] == "fieldValidation"))
    })
}

fn unresolved_refs(doc: &Value) -> Vec<String> {
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    let mut refs = std::collections::BTreeSet::new();
    fn collect(v: &Value, out: &mut std::collections::BTreeSet<String>) {
        match v {
            Value::Object(m) => m.iter().for_each(|(k, x)| {
                if k == "$ref" {
                    out.insert(x.as_str().unwrap().to_string());
                } else {
                    collect(x, out)
                }
            }),
            Value::Array(a) => a.iter().for_each(|x| collect(x, out)),
            _ => {}
        }
    }
    collect(doc, &mut refs);
    refs.into_iter()
        .filter(|r| {
            !r.strip_prefix("#/components/schemas/")
                .is_some_and(|n| schemas.contains_key(n))
        })
        .collect()
}

#[test]
fn v3_index_lists_every_group_version_with_a_hash() {
    let reg = registry();
    let index = v3_index(&reg);
    let paths = index["paths"].as_object().unwrap();
    for key in [
        "api/v1",
        "apis/rbac.authorization.k8s.io/v1",
        "apis/lib.projectsveltos.io/v1beta1",
        "apis/cluster.x-k8s.io/v1beta2",
        "apis/cluster.x-k8s.io/v1beta1",
    ] {
        let url = paths[key]["serverRelativeURL"]
            .as_str()
            .unwrap_or_else(|| panic!("{key}"));
        assert!(
            url.starts_with(&format!("/openapi/v3/{key}?hash=")),
            "{url}"
        );
        assert_eq!(url.len(), format!("/openapi/v3/{key}?hash=").len() + 128);
    }
}

#[test]
fn v3_documents_carry_what_kubectl_reads() {
    let reg = registry();
    let core = v3_document(&reg, "api/v1").unwrap();
    assert!(patch_has_field_validation(&core, "", "v1", "ConfigMap"));
    assert!(patch_has_field_validation(&core, "", "v1", "Namespace"));
    assert_eq!(
        core["components"]["schemas"]["io.k8s.api.core.v1.ConfigMap"]["x-kubernetes-group-version-kind"],
        json!([{"group": "", "kind": "ConfigMap", "version": "v1"}])
    );
    let pod_spec =
        &core["components"]["schemas"]["io.k8s.api.core.v1.PodSpec"]["properties"]["containers"];
    assert_eq!(pod_spec["x-kubernetes-patch-merge-key"], "name");
    assert_eq!(pod_spec["x-kubernetes-patch-strategy"], "merge");
    assert!(core["paths"]["/api/v1/namespaces/{namespace}/configmaps/{name}"]["patch"].is_object());
    assert!(core["paths"]["/api/v1/configmaps"]["get"].is_object());
    assert!(core["paths"]["/api/v1/namespaces/{name}/status"]["put"].is_object());
    assert_eq!(unresolved_refs(&core), Vec::<String>::new());

    for gv in [
        "apis/lib.projectsveltos.io/v1beta1",
        "apis/cluster.x-k8s.io/v1beta2",
        "apis/capsule.clastix.io/v1beta2",
    ] {
        let doc = v3_document(&reg, gv).unwrap();
        assert_eq!(unresolved_refs(&doc), Vec::<String>::new(), "{gv}");
    }
    let sveltos = v3_document(&reg, "apis/lib.projectsveltos.io/v1beta1").unwrap();
    assert!(patch_has_field_validation(
        &sveltos,
        "lib.projectsveltos.io",
        "v1beta1",
        "SveltosCluster"
    ));
    let def = &sveltos["components"]["schemas"]["io.projectsveltos.lib.v1beta1.SveltosCluster"];
    assert_eq!(
        def["x-kubernetes-group-version-kind"],
        json!([{"group": "lib.projectsveltos.io", "kind": "SveltosCluster", "version": "v1beta1"}])
    );
    assert!(def["properties"]["spec"]["properties"].is_object());
    assert!(
        def["properties"]["metadata"]["allOf"][0]["$ref"]
            .as_str()
            .unwrap()
            .ends_with("ObjectMeta")
    );
    // CRDs take merge patches, not strategic ones.
    let patch = &sveltos["paths"]["/apis/lib.projectsveltos.io/v1beta1/namespaces/{namespace}/sveltosclusters/{name}"]
        ["patch"];
    assert!(patch["requestBody"]["content"]["application/merge-patch+json"].is_object());
    assert!(patch["requestBody"]["content"]["application/strategic-merge-patch+json"].is_null());
    assert!(v3_document(&reg, "apis/nope.io/v1").is_none());
}

#[test]
fn v2_document_is_swagger() {
    let reg = registry();
    let doc = v2_document(&reg);
    assert_eq!(doc["swagger"], "2.0");
    assert!(doc["definitions"]["io.k8s.api.core.v1.Pod"].is_object());
    assert!(doc["definitions"]["io.x-k8s.cluster.v1beta2.Cluster"].is_object());
    let patch = &doc["paths"]["/api/v1/namespaces/{namespace}/configmaps/{name}"]["patch"];
    assert_eq!(patch["parameters"][0]["in"], "body");
    assert!(
        patch["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "fieldValidation" && p["type"] == "string")
    );
    assert!(!doc.to_string().contains("#/components/schemas/"));
}

#[test]
fn serving_honours_hashes_and_etags() {
    let reg = std::sync::Arc::new(crate::state::Catalog {
        registry: registry(),
        ..Default::default()
    });
    let mut q = HashMap::new();
    let h = HeaderMap::new();
    let r = serve(&reg, "/v3/api/v1", &q, &h);
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["cache-control"], "no-cache, private");
    let etag = r.headers()["etag"].to_str().unwrap().to_string();
    let hash = etag.trim_matches('"').to_string();
    q.insert("hash".to_string(), hash.clone());
    let r = serve(&reg, "/v3/api/v1", &q, &h);
    assert_eq!(r.headers()["cache-control"], "public, immutable");
    q.insert("hash".to_string(), "STALE".to_string());
    let r = serve(&reg, "/v3/api/v1", &q, &h);
    assert_eq!(r.status(), StatusCode::MOVED_PERMANENTLY);
    assert!(r.headers()["location"].to_str().unwrap().ends_with(&hash));
    let mut h2 = HeaderMap::new();
    h2.insert("if-none-match", etag.parse().unwrap());
    assert_eq!(
        serve(&reg, "/v3/api/v1", &HashMap::new(), &h2).status(),
        StatusCode::NOT_MODIFIED
    );
    let mut other = HeaderMap::new();
    other.insert(
        "accept",
        "application/vnd.kubernetes.protobuf".parse().unwrap(),
    );
    assert_eq!(
        serve(&reg, "/v2", &HashMap::new(), &other).status(),
        StatusCode::NOT_ACCEPTABLE
    );
    assert_eq!(
        serve(&reg, "/v3/apis/none/v1", &HashMap::new(), &h).status(),
        StatusCode::NOT_FOUND
    );
}

#[test]
fn field_validation_semantics() {
    let reg = registry();
    let cm: &ResourceInfo = reg.lookup("", "v1", "configmaps").unwrap();
    let obj = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a", "bogus": 1},
        "data": {"k": "v"}, "spec": {"foo": 1}});
    let unknown = unknown_builtin_fields(cm, &obj);
    assert_eq!(
        unknown,
        vec!["metadata.bogus".to_string(), "spec".to_string()]
    );
    assert_eq!(
        decide(FieldValidation::Strict, &unknown).unwrap_err(),
        "strict decoding error: unknown field \"metadata.bogus\", unknown field \"spec\""
    );
    assert_eq!(decide(FieldValidation::Warn, &unknown).unwrap().len(), 2);
    assert!(
        decide(FieldValidation::Ignore, &unknown)
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        FieldValidation::from_query(None),
        Some(FieldValidation::Warn)
    );
    assert_eq!(FieldValidation::from_query(Some("bad")), None);
    let pod = reg.lookup("", "v1", "pods").unwrap();
    let p = json!({"metadata": {"name": "p"}, "spec": {"containers": [{"name": "c", "image": "x", "imagePullPolicy": "Always", "nope": true}]}});
    assert_eq!(
        unknown_builtin_fields(pod, &p),
        vec!["spec.containers[0].nope".to_string()]
    );

    let before = json!({"spec": {"a": 1, "foo": 2, "list": [{"x": 1, "y": 2}]}});
    let after = json!({"spec": {"a": 1, "list": [{"x": 1}]}});
    assert_eq!(
        pruned_fields(&before, &after),
        vec!["spec.foo".to_string(), "spec.list[0].y".to_string()]
    );
}

#[test]
fn generation_is_quick_enough_for_every_kubectl_call() {
    let reg = registry();
    let catalog = std::sync::Arc::new(crate::state::Catalog {
        registry: reg,
        ..Default::default()
    });
    let t = std::time::Instant::now();
    let _ = serve(&catalog, "/v3", &HashMap::new(), &HeaderMap::new());
    let first = t.elapsed();
    let t = std::time::Instant::now();
    let _ = serve(&catalog, "/v3", &HashMap::new(), &HeaderMap::new());
    let index = t.elapsed();
    assert!(index < first);
    let reg = &catalog.registry;
    let t = std::time::Instant::now();
    let _ = v3_document(reg, "api/v1");
    eprintln!(
        "v3 index first {first:?} then {index:?}, api/v1 {:?}",
        t.elapsed()
    );
}

#[tokio::test]
async fn v2_protobuf_has_what_kubectl_1_27_reads() {
    use prost::Message;
    let reg = std::sync::Arc::new(crate::state::Catalog {
        registry: registry(),
        ..Default::default()
    });
    let mut pb = HeaderMap::new();
    pb.insert("accept", proto_v2::CONTENT_TYPE.parse().unwrap());
    let r = serve(&reg, "/v2", &HashMap::new(), &pb);
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], proto_v2::RESPONSE_CONTENT_TYPE);
    let body = axum::body::to_bytes(r.into_body(), usize::MAX)
        .await
        .unwrap();
    let doc = proto_v2::Document::decode(body).unwrap();
    assert_eq!(doc.swagger, "2.0");
    let item = doc
        .paths
        .unwrap()
        .path
        .into_iter()
        .find(|p| p.name == "/api/v1/namespaces/{namespace}/configmaps/{name}")
        .and_then(|p| p.value)
        .unwrap();
    let patch = item.patch.unwrap();
    let gvk = patch
        .vendor_extension
        .iter()
        .find(|e| e.name == "x-kubernetes-group-version-kind")
        .unwrap();
    let gvk: Value = serde_json::from_str(&gvk.value.as_ref().unwrap().yaml).unwrap();
    assert_eq!(
        gvk,
        json!({"group": "", "kind": "ConfigMap", "version": "v1"})
    );
    assert!(patch.parameters.iter().any(|p| {
        p.parameter
            .as_ref()
            .and_then(|p| p.non_body_parameter.as_ref())
            .and_then(|n| n.query_parameter_sub_schema.as_ref())
            .is_some_and(|q| q.name == "fieldValidation")
    }));
    let defs = doc.definitions.unwrap().additional_properties;
    let pod = defs
        .iter()
        .find(|d| d.name == "io.k8s.api.core.v1.Pod")
        .unwrap();
    assert!(pod.value.as_ref().unwrap().properties.is_some());
}
