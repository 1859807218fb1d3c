//! Keyword table tests for arrays, objects, combinators and list types (see `tests` for the
//! scalar keywords and the table runner).

use serde_json::json;

use super::CauseReason::*;
use super::tests::run;

#[test]
fn arrays_and_objects() {
    run(vec![
        (
            "minItems",
            json!({"type": "array", "minItems": 1, "items": {"type": "string"}}),
            json!([]),
            vec![(
                "spec.v",
                FieldValueInvalid,
                "Invalid value: 0: spec.v in body should have at least 1 items",
            )],
        ),
        (
            "maxItems",
            json!({"type": "array", "maxItems": 2, "items": {"type": "string"}}),
            json!(["a", "b", "c"]),
            vec![(
                "spec.v",
                FieldValueTooMany,
                "Too many: 3: must have at most 2 items",
            )],
        ),
        (
            "items path",
            json!({"type": "array", "items": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}}}),
            json!([{"name": "a"}, {}]),
            vec![("spec.v[1].name", FieldValueRequired, "Required value")],
        ),
        (
            "minProperties stops the object checks",
            json!({"type": "object", "minProperties": 1, "required": ["a"]}),
            json!({}),
            vec![(
                "spec.v",
                FieldValueInvalid,
                "Invalid value: 0: spec.v in body should have at least 1 properties",
            )],
        ),
        (
            "maxProperties",
            json!({"type": "object", "maxProperties": 1}),
            json!({"a": 1, "b": 2}),
            vec![(
                "spec.v",
                FieldValueTooMany,
                "Too many: 2: must have at most 1 item",
            )],
        ),
        (
            "required",
            json!({"type": "object", "required": ["clusterName", "clusterType"], "properties": {"clusterName": {"type": "string"}}}),
            json!({"clusterName": "c"}),
            vec![("spec.v.clusterType", FieldValueRequired, "Required value")],
        ),
        (
            "additionalProperties schema",
            json!({"type": "object", "additionalProperties": {"type": "string"}}),
            json!({"env": "prod", "replicas": 3}),
            vec![(
                "spec.v.replicas",
                FieldValueTypeInvalid,
                r#"Invalid value: "integer": spec.v.replicas in body must be of type string: "integer""#,
            )],
        ),
    ]);
}

#[test]
fn combinators() {
    let quantity = json!({"anyOf": [{"type": "integer"}, {"type": "string"}], "x-kubernetes-int-or-string": true});
    run(vec![
        ("anyOf ok", quantity.clone(), json!("1Gi"), vec![]),
        (
            "anyOf none",
            quantity,
            json!(1.5),
            vec![
                (
                    "spec.v",
                    FieldValueTypeInvalid,
                    r#"Invalid value: "number": spec.v in body must be of type integer,string: "number""#,
                ),
                (
                    "<nil>",
                    FieldValueInvalid,
                    r#"Invalid value: "": "spec.v" must validate at least one schema (anyOf)"#,
                ),
                (
                    "spec.v",
                    FieldValueTypeInvalid,
                    r#"Invalid value: "number": spec.v in body must be of type integer: "number""#,
                ),
            ],
        ),
        (
            "oneOf none",
            json!({"oneOf": [{"required": ["a"]}, {"required": ["b"]}]}),
            json!({"c": 1}),
            vec![
                (
                    "<nil>",
                    FieldValueInvalid,
                    r#"Invalid value: "": "spec.v" must validate one and only one schema (oneOf). Found none valid"#,
                ),
                ("spec.v.a", FieldValueRequired, "Required value"),
            ],
        ),
        (
            "oneOf two",
            json!({"oneOf": [{"required": ["a"]}, {"required": ["b"]}]}),
            json!({"a": 1, "b": 2}),
            vec![(
                "<nil>",
                FieldValueInvalid,
                r#"Invalid value: "": "spec.v" must validate one and only one schema (oneOf). Found 2 valid alternatives"#,
            )],
        ),
        (
            "allOf",
            json!({"allOf": [{"minLength": 2}, {"maxLength": 5}]}),
            json!("a"),
            vec![
                (
                    "spec.v",
                    FieldValueInvalid,
                    r#"Invalid value: "a": spec.v in body should be at least 2 chars long"#,
                ),
                (
                    "<nil>",
                    FieldValueInvalid,
                    r#"Invalid value: "": "spec.v" must validate all the schemas (allOf)"#,
                ),
            ],
        ),
        (
            "not",
            json!({"type": "string", "not": {"enum": ["root"]}}),
            json!("root"),
            vec![(
                "<nil>",
                FieldValueInvalid,
                r#"Invalid value: "": "spec.v" must not validate the schema (not)"#,
            )],
        ),
    ]);
}

#[test]
fn list_types() {
    let set =
        json!({"type": "array", "x-kubernetes-list-type": "set", "items": {"type": "string"}});
    let map = json!({
        "type": "array",
        "x-kubernetes-list-type": "map",
        "x-kubernetes-list-map-keys": ["key", "effect"],
        "items": {"type": "object", "properties": {"key": {"type": "string"}, "effect": {"type": "string"}, "value": {"type": "string"}}}
    });
    run(vec![
        ("set ok", set.clone(), json!(["a", "b"]), vec![]),
        (
            "set duplicate reported once",
            set,
            json!(["a", "b", "a", "a"]),
            vec![("spec.v[2]", FieldValueDuplicate, r#"Duplicate value: "a""#)],
        ),
        (
            "map duplicate by all keys",
            map.clone(),
            json!([{"key": "k", "effect": "NoSchedule"}, {"key": "k", "effect": "NoExecute"}, {"effect": "NoSchedule", "key": "k", "value": "x"}]),
            vec![(
                "spec.v[2]",
                FieldValueDuplicate,
                r#"Duplicate value: {"effect":"NoSchedule","key":"k"}"#,
            )],
        ),
        (
            "map item not an object",
            map,
            json!(["k"]),
            vec![
                (
                    "spec.v[0]",
                    FieldValueTypeInvalid,
                    r#"Invalid value: "string": spec.v[0] in body must be of type object: "string""#,
                ),
                (
                    "spec.v[0]",
                    FieldValueInvalid,
                    r#"Invalid value: "k": must be an object for an array of list-type map"#,
                ),
            ],
        ),
    ]);
}
