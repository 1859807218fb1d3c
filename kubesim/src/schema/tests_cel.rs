//! CEL `x-kubernetes-validations`: false rules, evaluation errors, reasons, transition rules,
//! and the cause the apiserver adds when schema errors keep the rules from running.

use serde_json::{Value, json};

use super::{CauseReason, CompiledSchema, validate};

fn chart_schema() -> Value {
    json!({
        "type": "object",
        "properties": {
            "spec": {
                "type": "object",
                "x-kubernetes-validations": [
                    {"rule": "!has(self.workloadIdentity) || !has(self.kubeconfigName)",
                     "message": "workloadIdentity, kubeconfigName: conflict"}
                ],
                "properties": {
                    "kubeconfigName": {"type": "string"},
                    "workloadIdentity": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
                    "pullMode": {"type": "boolean", "x-kubernetes-validations": [
                        {"rule": "self == oldSelf", "message": "Value is immutable"}
                    ]},
                    "mode": {"type": "string", "enum": ["a", "b"]},
                    "owner": {"type": "string", "x-kubernetes-validations": [
                        {"rule": "self != 'root'", "reason": "FieldValueForbidden", "message": "root may not own it"},
                        {"rule": "self.size() < 10"}
                    ]},
                    "helmCharts": {"type": "array", "items": {
                        "type": "object",
                        "x-kubernetes-validations": [
                            {"rule": "self.repositoryURL.startsWith('http') ? size(self.chartName) >= 1 : true",
                             "message": "ChartName must be defined"}
                        ],
                        "properties": {"repositoryURL": {"type": "string"}, "chartName": {"type": "string"}}
                    }}
                }
            }
        }
    })
}

fn obj(spec: Value) -> Value {
    json!({"metadata": {"name": "c"}, "spec": spec})
}

fn messages(spec: Value) -> Vec<String> {
    validate(&chart_schema(), &obj(spec))
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn false_rules_are_invalid_with_the_schema_type() {
    assert!(messages(json!({"kubeconfigName": "k"})).is_empty());
    assert_eq!(
        messages(json!({"kubeconfigName": "k", "workloadIdentity": {"provider": "AWS"}})),
        vec![r#"spec: Invalid value: "object": workloadIdentity, kubeconfigName: conflict"#]
    );
    assert_eq!(
        messages(
            json!({"helmCharts": [{"repositoryURL": "oci://x"}, {"repositoryURL": "https://x", "chartName": ""}]})
        ),
        vec![r#"spec.helmCharts[1]: Invalid value: "object": ChartName must be defined"#]
    );
}

#[test]
fn evaluation_errors_and_reasons() {
    assert_eq!(
        messages(json!({"helmCharts": [{"repositoryURL": "https://x"}]})),
        vec![
            r#"spec.helmCharts[0]: Invalid value: "object": no such key: chartName evaluating rule: ChartName must be defined"#
        ]
    );
    let errs = validate(&chart_schema(), &obj(json!({"owner": "root"})));
    assert_eq!(errs.len(), 1);
    assert_eq!(errs[0].reason, CauseReason::FieldValueForbidden);
    assert_eq!(
        errs[0].to_string(),
        "spec.owner: Forbidden: root may not own it"
    );
    assert_eq!(
        messages(json!({"owner": "a-very-long-owner"})),
        vec![r#"spec.owner: Invalid value: "string": failed rule: self.size() < 10"#]
    );
}

#[test]
fn schema_errors_keep_rules_from_running() {
    assert_eq!(
        messages(json!({"mode": "c", "kubeconfigName": "k", "workloadIdentity": {}})),
        vec![
            r#"spec.mode: Unsupported value: "c": supported values: "a", "b""#,
            "<nil>: Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation",
        ]
    );
}

#[test]
fn transition_rules_run_on_update_only() {
    let compiled = CompiledSchema::new(&chart_schema()).unwrap();
    let old = obj(json!({"pullMode": false}));
    let mut flipped = obj(json!({"pullMode": true}));
    assert!(
        compiled.admit(&mut flipped.clone()).is_ok(),
        "no oldSelf on create"
    );
    let errs = compiled.admit_update(&old, &mut flipped).unwrap_err();
    assert_eq!(
        errs[0].to_string(),
        r#"spec.pullMode: Invalid value: "boolean": Value is immutable"#
    );
    let mut same = obj(json!({"pullMode": false}));
    assert!(compiled.admit_update(&old, &mut same).is_ok());
    let mut added = obj(json!({"pullMode": true}));
    assert!(
        compiled.admit_update(&obj(json!({})), &mut added).is_ok(),
        "no old value to compare"
    );
}

#[test]
fn rules_that_do_not_parse_are_refused_at_compile_time() {
    let s = json!({"type": "object", "x-kubernetes-validations": [{"rule": "self.a ==="}]});
    assert!(CompiledSchema::new(&s).is_err());
}

#[test]
fn remembered_outcomes_are_reported_at_each_path() {
    let compiled = CompiledSchema::new(&chart_schema()).unwrap();
    let bad = json!({"repositoryURL": "https://x", "chartName": ""});
    let good = json!({"repositoryURL": "https://x", "chartName": "c"});
    for _ in 0..2 {
        let mut o = obj(json!({"helmCharts": [bad.clone(), good.clone(), bad.clone()]}));
        let fields: Vec<String> = compiled
            .admit(&mut o)
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, vec!["spec.helmCharts[0]", "spec.helmCharts[2]"]);
    }
    let mut fixed = obj(json!({"helmCharts": [good.clone(), good]}));
    assert!(compiled.admit(&mut fixed).is_ok());
}
