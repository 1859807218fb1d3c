//! Unit tests of the whole admission: pruning, defaulting, ObjectMeta and embedded resources,
//! the 422 Status shape, and `CompiledSchema`.

use serde_json::{Value, json};

use super::{
    CauseReason, CompiledSchema, FieldError, admit, apply_defaults, invalid_status, prune, validate,
};

fn profile_schema() -> Value {
    json!({
        "type": "object",
        "properties": {
            "apiVersion": {"type": "string"},
            "kind": {"type": "string"},
            "metadata": {"type": "object"},
            "spec": {
                "type": "object",
                "properties": {
                    "syncMode": {"type": "string", "default": "Continuous", "enum": ["OneTime", "Continuous"]},
                    "tier": {"type": "integer", "default": 100, "minimum": 1, "format": "int32"},
                    "options": {
                        "type": "object",
                        "default": {},
                        "properties": {"wait": {"type": "boolean", "default": false}}
                    },
                    "note": {"type": "string"},
                    "nullableNote": {"type": "string", "nullable": true},
                    "helmCharts": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["releaseName"],
                            "properties": {
                                "releaseName": {"type": "string"},
                                "helmChartAction": {"type": "string", "default": "Install", "enum": ["Install", "Uninstall"]}
                            }
                        }
                    },
                    "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                    "values": {"type": "object", "x-kubernetes-preserve-unknown-fields": true,
                               "properties": {"known": {"type": "object", "properties": {"a": {"type": "string"}}}}},
                    "template": {"type": "object", "x-kubernetes-embedded-resource": true,
                                 "properties": {"spec": {"type": "object", "properties": {"replicas": {"type": "integer"}}}}}
                }
            },
            "status": {"type": "object", "properties": {"ready": {"type": "boolean"}}}
        }
    })
}

fn obj(spec: Value) -> Value {
    json!({"apiVersion": "config.projectsveltos.io/v1beta1", "kind": "ClusterProfile",
           "metadata": {"name": "p", "labels": {"a": "b"}, "unknownMeta": 1}, "spec": spec})
}

#[test]
fn prune_drops_unknown_and_keeps_preserved_and_embedded() {
    let mut o = obj(json!({
        "syncMode": "OneTime",
        "bogus": 1,
        "helmCharts": [{"releaseName": "r", "chartNmae": "typo"}],
        "labels": {"any": "thing"},
        "values": {"free": {"deep": [1, 2]}, "known": {"a": "x", "dropped": true}},
        "template": {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "t", "x": 1},
                     "spec": {"replicas": 2, "selector": {}}, "extra": true}
    }));
    o["topLevelJunk"] = json!("x");
    prune(&profile_schema(), &mut o);
    assert_eq!(
        o,
        json!({"apiVersion": "config.projectsveltos.io/v1beta1", "kind": "ClusterProfile",
        "metadata": {"name": "p", "labels": {"a": "b"}, "unknownMeta": 1},
        "spec": {
            "syncMode": "OneTime",
            "helmCharts": [{"releaseName": "r"}],
            "labels": {"any": "thing"},
            "values": {"free": {"deep": [1, 2]}, "known": {"a": "x"}},
            "template": {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "t", "x": 1},
                         "spec": {"replicas": 2}}
        }})
    );
}

#[test]
fn defaults_fill_missing_fields_recursively() {
    let mut o = obj(
        json!({"helmCharts": [{"releaseName": "a"}, {"releaseName": "b", "helmChartAction": "Uninstall"}]}),
    );
    apply_defaults(&profile_schema(), &mut o);
    let spec = &o["spec"];
    assert_eq!(spec["syncMode"], "Continuous");
    assert_eq!(spec["tier"], 100);
    assert_eq!(
        spec["options"],
        json!({"wait": false}),
        "defaults inside a defaulted object apply"
    );
    assert_eq!(spec["helmCharts"][0]["helmChartAction"], "Install");
    assert_eq!(spec["helmCharts"][1]["helmChartAction"], "Uninstall");
    assert!(spec.get("note").is_none());
}

#[test]
fn defaults_replace_or_drop_non_nullable_nulls() {
    let mut o = obj(json!({"syncMode": null, "note": null, "nullableNote": null}));
    prune(&profile_schema(), &mut o);
    apply_defaults(&profile_schema(), &mut o);
    assert_eq!(o["spec"]["syncMode"], "Continuous");
    assert!(
        o["spec"].get("note").is_none(),
        "null without default is pruned"
    );
    assert_eq!(
        o["spec"]["nullableNote"],
        Value::Null,
        "nullable null is kept"
    );
    assert!(admit(&profile_schema(), &mut o).is_ok());
}

#[test]
fn admit_prunes_defaults_then_validates() {
    let mut o = obj(json!({"tier": 0, "unknown": true}));
    let errs = admit(&profile_schema(), &mut o).unwrap_err();
    assert_eq!(o["spec"]["syncMode"], "Continuous");
    assert!(o["spec"].get("unknown").is_none());
    assert_eq!(errs.len(), 1);
    assert_eq!(errs[0].field, "spec.tier");
    assert_eq!(errs[0].reason, CauseReason::FieldValueInvalid);
    let compiled = CompiledSchema::new(&profile_schema()).unwrap();
    let mut again = obj(json!({"tier": 0, "unknown": true}));
    assert_eq!(compiled.admit(&mut again).unwrap_err(), errs);
    assert_eq!(again, o);
}

#[test]
fn metadata_name_must_be_a_dns_subdomain() {
    let s = profile_schema();
    let mut bad = obj(json!({}));
    bad["metadata"]["name"] = json!("Bad_Name");
    let errs = validate(&s, &bad);
    assert_eq!(errs.len(), 1);
    assert_eq!(errs[0].field, "metadata.name");
    assert!(
        errs[0]
            .message
            .starts_with(r#"Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain"#)
    );
    let mut long = obj(json!({}));
    long["metadata"]["name"] = json!("a".repeat(254));
    assert!(
        validate(&s, &long)
            .iter()
            .any(|e| e.message.ends_with("must be no more than 253 characters"))
    );
    let mut missing = obj(json!({}));
    missing["metadata"] = json!({});
    let errs = validate(&s, &missing);
    assert_eq!(
        errs[0].message,
        "Required value: name or generateName is required"
    );
    missing["metadata"] = json!({"generateName": "p-"});
    assert!(
        validate(&s, &missing).is_empty(),
        "the server names generateName objects first"
    );
    let mut ns = obj(json!({}));
    ns["metadata"]["namespace"] = json!("Team_A");
    assert_eq!(validate(&s, &ns)[0].field, "metadata.namespace");
}

#[test]
fn embedded_resources_need_api_version_and_kind() {
    let errs = validate(
        &profile_schema(),
        &obj(json!({"template": {"metadata": {"name": "t"}, "kind": ""}})),
    );
    let got: Vec<(&str, &str)> = errs
        .iter()
        .map(|e| (e.field.as_str(), e.message.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "spec.template.apiVersion",
                "Required value: must not be empty"
            ),
            (
                "spec.template.kind",
                r#"Invalid value: "": must not be empty"#
            ),
        ]
    );
}

#[test]
fn invalid_status_has_the_apiserver_shape() {
    let errs = vec![
        FieldError::not_supported(
            "spec.syncMode",
            &json!("Bogus"),
            &[json!("OneTime"), json!("Continuous")],
        ),
        FieldError::required("spec.clusterName", ""),
    ];
    let status = invalid_status("ClusterProfile", "config.projectsveltos.io", "x", &errs);
    assert_eq!(
        status,
        json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": "ClusterProfile.config.projectsveltos.io \"x\" is invalid: [spec.syncMode: Unsupported value: \"Bogus\": supported values: \"OneTime\", \"Continuous\", spec.clusterName: Required value]",
            "reason": "Invalid",
            "details": {
                "name": "x",
                "group": "config.projectsveltos.io",
                "kind": "ClusterProfile",
                "causes": [
                    {"reason": "FieldValueNotSupported", "message": "Unsupported value: \"Bogus\": supported values: \"OneTime\", \"Continuous\"", "field": "spec.syncMode"},
                    {"reason": "FieldValueRequired", "message": "Required value", "field": "spec.clusterName"}
                ]
            },
            "code": 422
        })
    );
    let one = invalid_status(
        "ClusterProfile",
        "config.projectsveltos.io",
        "x",
        &errs[1..],
    );
    assert_eq!(
        one["message"],
        "ClusterProfile.config.projectsveltos.io \"x\" is invalid: spec.clusterName: Required value"
    );
}

#[test]
fn compiled_schema_rejects_bad_patterns() {
    let s = json!({"type": "object", "properties": {"spec": {"type": "string", "pattern": "(unclosed"}}});
    assert!(CompiledSchema::new(&s).is_err());
    assert!(validate(&s, &json!({"metadata": {"name": "a"}, "spec": "x"})).is_empty());
}

#[test]
fn compiled_schema_is_shareable_across_threads() {
    fn assert_send_sync<T: Send + Sync + Clone>() {}
    assert_send_sync::<CompiledSchema>();
}

#[test]
fn labels_and_annotations_are_checked() {
    let s = profile_schema();
    let mut o = obj(json!({}));
    o["metadata"]["labels"] =
        json!({"app.kubernetes.io/name": "web", "bad key": "x", "ok": "-bad-"});
    o["metadata"]["annotations"] = json!({"example.com/Note": "fine", "a/b/c": "x"});
    let got: Vec<String> = validate(&s, &o).iter().map(ToString::to_string).collect();
    assert_eq!(
        got,
        vec![
            "metadata.labels: Invalid value: \"bad key\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
            "metadata.labels: Invalid value: \"-bad-\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
            "metadata.annotations: Invalid value: \"a/b/c\": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
        ]
    );
    let mut big = obj(json!({}));
    big["metadata"]["annotations"] = json!({"k": "x".repeat(300 * 1024)});
    let errs = validate(&s, &big);
    assert_eq!(
        errs[0].to_string(),
        "metadata.annotations: Too long: may not be more than 262144 bytes"
    );
}

#[test]
fn nulls_under_additional_properties_follow_their_schema() {
    let s = json!({"type": "object", "properties": {
        "plain": {"type": "object", "additionalProperties": {"type": "string"}},
        "defaulted": {"type": "object", "additionalProperties": {"type": "string", "default": "d"}},
        "open": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}
    }});
    let mut o = json!({"metadata": {"name": "n"},
        "plain": {"a": null, "b": "x"}, "defaulted": {"a": null}, "open": {"a": null}});
    admit(&s, &mut o).unwrap();
    assert_eq!(o["plain"], json!({"b": "x"}));
    assert_eq!(o["defaulted"], json!({"a": "d"}));
    assert_eq!(
        o["open"],
        json!({"a": null}),
        "no schema for the key: the null stays"
    );
}
