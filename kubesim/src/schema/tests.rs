//! Keyword table tests: each case validates `spec.v` under a one-property schema and compares
//! every cause (field, reason, message) with what the kube-apiserver answers.

use serde_json::{Value, json};

use super::{CauseReason, FieldError, validate};
use CauseReason::*;

fn errors_for(schema: Value, v: Value) -> Vec<FieldError> {
    let root = json!({"type": "object", "properties": {"spec": {"type": "object", "properties": {"v": schema}}}});
    validate(&root, &json!({"metadata": {"name": "x"}, "spec": {"v": v}}))
}

fn causes(errors: &[FieldError]) -> Vec<(String, CauseReason, String)> {
    errors
        .iter()
        .map(|e| (e.field.clone(), e.reason, e.message.clone()))
        .collect()
}

pub(super) type Case = (
    &'static str,
    Value,
    Value,
    Vec<(&'static str, CauseReason, &'static str)>,
);

pub(super) fn run(cases: Vec<Case>) {
    for (name, schema, value, expected) in cases {
        let got = causes(&errors_for(schema, value));
        let want: Vec<(String, CauseReason, String)> = expected
            .into_iter()
            .map(|(f, r, m)| (f.to_string(), r, m.to_string()))
            .collect();
        assert_eq!(got, want, "case {name}");
    }
}

#[test]
fn types() {
    run(vec![
        ("string ok", json!({"type": "string"}), json!("a"), vec![]),
        (
            "string given integer",
            json!({"type": "string"}),
            json!(3),
            vec![(
                "spec.v",
                FieldValueTypeInvalid,
                r#"Invalid value: "integer": spec.v in body must be of type string: "integer""#,
            )],
        ),
        ("integer ok", json!({"type": "integer"}), json!(3), vec![]),
        (
            "integer given whole float",
            json!({"type": "integer"}),
            json!(2.0),
            vec![],
        ),
        (
            "integer given fraction",
            json!({"type": "integer"}),
            json!(1.5),
            vec![(
                "spec.v",
                FieldValueTypeInvalid,
                r#"Invalid value: "number": spec.v in body must be of type integer: "number""#,
            )],
        ),
        (
            "number given integer",
            json!({"type": "number"}),
            json!(7),
            vec![],
        ),
        (
            "boolean given string",
            json!({"type": "boolean"}),
            json!("true"),
            vec![(
                "spec.v",
                FieldValueTypeInvalid,
                r#"Invalid value: "string": spec.v in body must be of type boolean: "string""#,
            )],
        ),
        (
            "object given array",
            json!({"type": "object"}),
            json!([1]),
            vec![(
                "spec.v",
                FieldValueTypeInvalid,
                r#"Invalid value: "array": spec.v in body must be of type object: "array""#,
            )],
        ),
        (
            "array given object",
            json!({"type": "array", "items": {"type": "string"}}),
            json!({"a": 1}),
            vec![(
                "spec.v",
                FieldValueTypeInvalid,
                r#"Invalid value: "object": spec.v in body must be of type array: "object""#,
            )],
        ),
        (
            "no type accepts anything",
            json!({"x-kubernetes-preserve-unknown-fields": true}),
            json!([true]),
            vec![],
        ),
    ]);
}

#[test]
fn nullable_and_int_or_string() {
    run(vec![
        (
            "nullable null",
            json!({"type": "string", "nullable": true}),
            Value::Null,
            vec![],
        ),
        (
            "null not nullable",
            json!({"type": "string"}),
            Value::Null,
            vec![(
                "spec.v",
                FieldValueTypeInvalid,
                r#"Invalid value: "null": spec.v in body must be of type string: "null""#,
            )],
        ),
        (
            "int-or-string int",
            json!({"x-kubernetes-int-or-string": true}),
            json!(5),
            vec![],
        ),
        (
            "int-or-string string",
            json!({"x-kubernetes-int-or-string": true}),
            json!("25%"),
            vec![],
        ),
        (
            "int-or-string bool",
            json!({"x-kubernetes-int-or-string": true}),
            json!(true),
            vec![(
                "spec.v",
                FieldValueTypeInvalid,
                r#"Invalid value: "boolean": spec.v in body must be of type integer,string: "boolean""#,
            )],
        ),
        (
            "int-or-string pattern",
            json!({"x-kubernetes-int-or-string": true, "pattern": "^((100|[0-9]{1,2})%|[0-9]+)$"}),
            json!("150%"),
            vec![(
                "spec.v",
                FieldValueInvalid,
                r#"Invalid value: "150%": spec.v in body should match '^((100|[0-9]{1,2})%|[0-9]+)$'"#,
            )],
        ),
    ]);
}

#[test]
fn formats() {
    run(vec![
        (
            "date-time ok",
            json!({"type": "string", "format": "date-time"}),
            json!("2026-11-23T08:00:00Z"),
            vec![],
        ),
        (
            "date-time fraction",
            json!({"type": "string", "format": "date-time"}),
            json!("2026-11-23T08:00:00.123+02:00"),
            vec![],
        ),
        (
            "date-time bad",
            json!({"type": "string", "format": "date-time"}),
            json!("yesterday"),
            vec![(
                "spec.v",
                FieldValueTypeInvalid,
                r#"Invalid value: "yesterday": spec.v in body must be of type date-time: "yesterday""#,
            )],
        ),
        (
            "byte ok",
            json!({"type": "string", "format": "byte"}),
            json!("aGVsbG8="),
            vec![],
        ),
        (
            "byte with newlines, as Go decodes it",
            json!({"type": "string", "format": "byte"}),
            json!("aGVs\nbG8=\n"),
            vec![],
        ),
        (
            "byte bad",
            json!({"type": "string", "format": "byte"}),
            json!("not base64!"),
            vec![(
                "spec.v",
                FieldValueTypeInvalid,
                r#"Invalid value: "not base64!": spec.v in body must be of type byte: "not base64!""#,
            )],
        ),
        (
            "int32 is not range-checked",
            json!({"type": "integer", "format": "int32"}),
            json!(9_999_999_999_i64),
            vec![],
        ),
        (
            "unknown format ignored",
            json!({"type": "string", "format": "k8s-short-name"}),
            json!("A B"),
            vec![],
        ),
    ]);
}

#[test]
fn strings_numbers_enums() {
    run(vec![
        (
            "enum",
            json!({"type": "string", "enum": ["OneTime", "Continuous"]}),
            json!("Bogus"),
            vec![(
                "spec.v",
                FieldValueNotSupported,
                r#"Unsupported value: "Bogus": supported values: "OneTime", "Continuous""#,
            )],
        ),
        (
            "integer enum",
            json!({"type": "integer", "enum": [1, 2]}),
            json!(3),
            vec![(
                "spec.v",
                FieldValueNotSupported,
                r#"Unsupported value: 3: supported values: "1", "2""#,
            )],
        ),
        (
            "enum ok",
            json!({"type": "string", "enum": ["a"]}),
            json!("a"),
            vec![],
        ),
        (
            "pattern",
            json!({"type": "string", "pattern": "^[a-z]+$"}),
            json!("Abc"),
            vec![(
                "spec.v",
                FieldValueInvalid,
                r#"Invalid value: "Abc": spec.v in body should match '^[a-z]+$'"#,
            )],
        ),
        (
            "maxLength counts characters",
            json!({"type": "string", "maxLength": 3}),
            json!("ab€d"),
            vec![(
                "spec.v",
                FieldValueTooLong,
                "Too long: may not be more than 3 bytes",
            )],
        ),
        (
            "minLength",
            json!({"type": "string", "minLength": 1}),
            json!(""),
            vec![(
                "spec.v",
                FieldValueInvalid,
                r#"Invalid value: "": spec.v in body should be at least 1 chars long"#,
            )],
        ),
        (
            "minimum",
            json!({"type": "integer", "minimum": 1}),
            json!(0),
            vec![(
                "spec.v",
                FieldValueInvalid,
                "Invalid value: 0: spec.v in body should be greater than or equal to 1",
            )],
        ),
        (
            "exclusiveMinimum",
            json!({"type": "integer", "minimum": 1, "exclusiveMinimum": true}),
            json!(1),
            vec![(
                "spec.v",
                FieldValueInvalid,
                "Invalid value: 1: spec.v in body should be greater than 1",
            )],
        ),
        (
            "maximum",
            json!({"type": "integer", "maximum": 65535}),
            json!(70000),
            vec![(
                "spec.v",
                FieldValueInvalid,
                "Invalid value: 70000: spec.v in body should be less than or equal to 65535",
            )],
        ),
        (
            "exclusiveMaximum on a float",
            json!({"type": "number", "maximum": 1.5, "exclusiveMaximum": true}),
            json!(1.5),
            vec![(
                "spec.v",
                FieldValueInvalid,
                "Invalid value: 1.5: spec.v in body should be less than 1.5",
            )],
        ),
        (
            "multipleOf",
            json!({"type": "integer", "multipleOf": 5}),
            json!(12),
            vec![(
                "spec.v",
                FieldValueInvalid,
                "Invalid value: 12: spec.v in body should be a multiple of 5",
            )],
        ),
    ]);
}
