//! The REST operations of one resource as OpenAPI v3 path items, with the vendor extensions and
//! parameters clients inspect: kubectl decides whether the server validates fields itself by
//! finding a `fieldValidation` parameter on the PATCH operation carrying the resource's
//! `x-kubernetes-group-version-kind` (cli-runtime `query_param_verifier_v3.go`), and
//! `kubectl explain` finds the kind from any operation of the resource's paths.

use serde_json::{Map, Value, json};

use super::params::{
    body, dry_run, field_manager, field_validation, list_params, param, patch_body, responses,
};
use super::{META, schema_ref};
use crate::registry::ResourceInfo;

/// `lib.projectsveltos.io` + `v1beta1` → `LibProjectsveltosIoV1beta1` (for operation ids).
fn camel(parts: &[&str]) -> String {
    parts
        .iter()
        .flat_map(|p| p.split(['.', '-', '_']))
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        })
        .collect()
}

struct Op<'a> {
    info: &'a ResourceInfo,
    tag: String,
    gvk: Value,
}

impl Op<'_> {
    fn build(
        &self,
        action: &str,
        verb_id: &str,
        scope: &str,
        params: Vec<Value>,
        body: Option<Value>,
        resp: Value,
    ) -> Value {
        let mut op = json!({
            "tags": [self.tag],
            "description": format!("{action} {}", self.info.kind),
            "operationId": format!("{verb_id}{}{scope}{}", camel(&[&self.tag]), self.info.kind),
            "responses": resp,
            "x-kubernetes-action": action,
            "x-kubernetes-group-version-kind": self.gvk,
        });
        if !params.is_empty() {
            op["parameters"] = Value::Array(params);
        }
        if let Some(b) = body {
            op["requestBody"] = b;
        }
        op
    }
}

/// Path items (v3 form) for one resource, keyed by path.
pub fn resource_paths(
    info: &ResourceInfo,
    def_name: &str,
    list_def_name: &str,
) -> Vec<(String, Value)> {
    let prefix = if info.group.is_empty() {
        format!("/api/{}", info.version)
    } else {
        format!("/apis/{}/{}", info.group, info.version)
    };
    let tag = if info.group.is_empty() {
        format!("core_{}", info.version)
    } else {
        format!("{}_{}", info.group.replace('.', "_"), info.version)
    };
    let op = Op {
        info,
        tag,
        gvk: json!({"group": info.group, "kind": info.kind, "version": info.version}),
    };
    let obj = schema_ref(def_name);
    let list = schema_ref(list_def_name);
    let status = schema_ref(&format!("{META}.Status"));
    let pretty = param(
        "pretty",
        "query",
        "string",
        "If 'true', then the output is pretty printed.",
    );
    let name = param(
        "name",
        "path",
        "string",
        &format!("name of the {}", info.kind),
    );
    let ns = param(
        "namespace",
        "path",
        "string",
        "object name and auth scope, such as for teams and projects",
    );
    let verbs = |v: &str| info.verbs.iter().any(|x| x == v);
    let strategic = info.schema.is_none();
    let (scope, base) = if info.namespaced {
        (
            "Namespaced",
            format!("{prefix}/namespaces/{{namespace}}/{}", info.plural),
        )
    } else {
        ("", format!("{prefix}/{}", info.plural))
    };
    let scope_params = |extra: Vec<Value>| -> Value {
        let mut v = extra;
        if info.namespaced {
            v.push(ns.clone());
        }
        v.push(pretty.clone());
        Value::Array(v)
    };
    let mut out = Vec::new();

    let mut coll = Map::new();
    if verbs("list") {
        coll.insert(
            "get".into(),
            op.build(
                "list",
                "list",
                scope,
                list_params(),
                None,
                responses(&["200"], &list),
            ),
        );
    }
    if verbs("create") {
        let p = vec![dry_run(), field_manager(), field_validation()];
        coll.insert(
            "post".into(),
            op.build(
                "post",
                "create",
                scope,
                p,
                Some(body(&obj)),
                responses(&["200", "201", "202"], &obj),
            ),
        );
    }
    if verbs("deletecollection") {
        let mut p = vec![
            dry_run(),
            param(
                "gracePeriodSeconds",
                "query",
                "integer",
                "The duration in seconds before the object should be deleted.",
            ),
            param(
                "propagationPolicy",
                "query",
                "string",
                "Whether and how garbage collection will be performed.",
            ),
        ];
        p.extend(list_params());
        let del = schema_ref(&format!("{META}.DeleteOptions"));
        coll.insert(
            "delete".into(),
            op.build(
                "deletecollection",
                "deleteCollection",
                scope,
                p,
                Some(body(&del)),
                responses(&["200"], &status),
            ),
        );
    }
    if !coll.is_empty() {
        coll.insert("parameters".into(), scope_params(vec![]));
        out.push((base.clone(), Value::Object(coll)));
    }

    let mut item = Map::new();
    if verbs("get") {
        item.insert(
            "get".into(),
            op.build(
                "get",
                "read",
                scope,
                vec![],
                None,
                responses(&["200"], &obj),
            ),
        );
    }
    if verbs("update") {
        let p = vec![dry_run(), field_manager(), field_validation()];
        item.insert(
            "put".into(),
            op.build(
                "put",
                "replace",
                scope,
                p,
                Some(body(&obj)),
                responses(&["200", "201"], &obj),
            ),
        );
    }
    if verbs("patch") {
        let p = vec![
            dry_run(),
            field_manager(),
            field_validation(),
            param(
                "force",
                "query",
                "boolean",
                "Force is going to \"force\" Apply requests.",
            ),
        ];
        item.insert(
            "patch".into(),
            op.build(
                "patch",
                "patch",
                scope,
                p,
                Some(patch_body(strategic)),
                responses(&["200", "201"], &obj),
            ),
        );
    }
    if verbs("delete") {
        let p = vec![
            dry_run(),
            param(
                "gracePeriodSeconds",
                "query",
                "integer",
                "The duration in seconds before the object should be deleted.",
            ),
            param(
                "propagationPolicy",
                "query",
                "string",
                "Whether and how garbage collection will be performed.",
            ),
        ];
        let del = schema_ref(&format!("{META}.DeleteOptions"));
        item.insert(
            "delete".into(),
            op.build(
                "delete",
                "delete",
                scope,
                p,
                Some(body(&del)),
                responses(&["200", "202"], &obj),
            ),
        );
    }
    if !item.is_empty() {
        item.insert("parameters".into(), scope_params(vec![name.clone()]));
        out.push((format!("{base}/{{name}}"), Value::Object(item)));
    }

    if info.subresources.iter().any(|s| s == "status") {
        let mut st = Map::new();
        st.insert(
            "get".into(),
            op.build(
                "get",
                "read",
                &format!("{scope}Status"),
                vec![],
                None,
                responses(&["200"], &obj),
            ),
        );
        let p = vec![dry_run(), field_manager(), field_validation()];
        st.insert(
            "put".into(),
            op.build(
                "put",
                "replace",
                &format!("{scope}Status"),
                p.clone(),
                Some(body(&obj)),
                responses(&["200", "201"], &obj),
            ),
        );
        let mut pp = p;
        pp.push(param(
            "force",
            "query",
            "boolean",
            "Force is going to \"force\" Apply requests.",
        ));
        st.insert(
            "patch".into(),
            op.build(
                "patch",
                "patch",
                &format!("{scope}Status"),
                pp,
                Some(patch_body(strategic)),
                responses(&["200", "201"], &obj),
            ),
        );
        st.insert("parameters".into(), scope_params(vec![name]));
        out.push((format!("{base}/{{name}}/status"), Value::Object(st)));
    }

    if info.namespaced && verbs("list") {
        let mut all = Map::new();
        all.insert(
            "get".into(),
            op.build(
                "list",
                "list",
                "ForAllNamespaces",
                list_params(),
                None,
                responses(&["200"], &list),
            ),
        );
        all.insert("parameters".into(), json!([pretty]));
        out.push((format!("{prefix}/{}", info.plural), Value::Object(all)));
    }
    out
}
