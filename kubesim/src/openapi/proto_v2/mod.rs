//! `/openapi/v2` in the protobuf form client-go asks for
//! (`application/com.github.proto-openapi.spec.v2@v1.0+protobuf`, gnostic's `openapi.v2`
//! messages). kubectl 1.27/1.28 need it: `kubectl apply` checks server-side field validation
//! support with the v2 document (and fails when it cannot be fetched), and `kubectl explain`
//! reads it. Only the messages and fields those readers use are declared; field numbers are
//! gnostic's `OpenAPIv2.proto`. Vendor extension values travel as YAML text (JSON is YAML).

mod messages;

pub use messages::*;
use prost::Message;
use serde_json::{Map, Value};

/// What clients put in `Accept`.
pub const CONTENT_TYPE: &str = "application/com.github.proto-openapi.spec.v2@v1.0+protobuf";
/// What the server answers with: kube-openapi's `.v1.0` spelling, since Go's
/// `mime.ParseMediaType` (which client-go runs on every response) rejects the `@`.
pub const RESPONSE_CONTENT_TYPE: &str =
    "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";

fn s(v: &Value, k: &str) -> String {
    v.get(k).and_then(Value::as_str).unwrap_or("").to_string()
}

fn extensions(m: &Map<String, Value>) -> Vec<NamedAny> {
    m.iter()
        .filter(|(k, _)| k.starts_with("x-"))
        .map(|(k, v)| NamedAny {
            name: k.clone(),
            value: Some(Any {
                yaml: v.to_string(),
            }),
        })
        .collect()
}

/// A JSON Schema (v2 refs) as gnostic's `Schema`. A lone `allOf: [{$ref}]` (how v3 documents
/// attach a description to a ref) becomes the plain `$ref` the v2 documents use.
pub fn schema(v: &Value) -> Schema {
    let Some(m) = v.as_object() else {
        return Schema::default();
    };
    let mut out = Schema {
        r#ref: s(v, "$ref"),
        format: s(v, "format"),
        title: s(v, "title"),
        description: s(v, "description"),
        vendor_extension: extensions(m),
        ..Default::default()
    };
    if let Some([one]) = v.get("allOf").and_then(Value::as_array).map(Vec::as_slice)
        && one.get("$ref").is_some()
        && out.r#ref.is_empty()
    {
        out.r#ref = s(one, "$ref");
    } else if let Some(all) = v.get("allOf").and_then(Value::as_array) {
        out.all_of = all.iter().map(schema).collect();
    }
    match v.get("type") {
        Some(Value::String(t)) => {
            out.r#type = Some(TypeItem {
                value: vec![t.clone()],
            })
        }
        Some(Value::Array(ts)) => {
            let value: Vec<String> = ts
                .iter()
                .filter_map(Value::as_str)
                .filter(|t| *t != "null")
                .map(str::to_string)
                .collect();
            out.r#type = Some(TypeItem { value });
        }
        _ => {}
    }
    if let Some(req) = v.get("required").and_then(Value::as_array) {
        out.required = req
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect();
    }
    if let Some(e) = v.get("enum").and_then(Value::as_array) {
        out.r#enum = e
            .iter()
            .map(|x| Any {
                yaml: x.to_string(),
            })
            .collect();
    }
    if let Some(items) = v.get("items").filter(|i| i.is_object()) {
        out.items = Some(ItemsItem {
            schema: vec![schema(items)],
        });
    }
    if let Some(props) = v.get("properties").and_then(Value::as_object) {
        out.properties = Some(Properties {
            additional_properties: props
                .iter()
                .map(|(k, p)| NamedSchema {
                    name: k.clone(),
                    value: Some(schema(p)),
                })
                .collect(),
        });
    }
    match v.get("additionalProperties") {
        Some(Value::Bool(b)) => {
            out.additional_properties = Some(Box::new(AdditionalPropertiesItem {
                schema: None,
                boolean: Some(*b),
            }));
        }
        Some(a @ Value::Object(_)) => {
            out.additional_properties = Some(Box::new(AdditionalPropertiesItem {
                schema: Some(schema(a)),
                boolean: None,
            }));
        }
        _ => {}
    }
    out
}

fn parameter(p: &Value) -> ParametersItem {
    let location = s(p, "in");
    let param = if location == "body" {
        Parameter {
            body_parameter: Some(BodyParameter {
                description: s(p, "description"),
                name: s(p, "name"),
                r#in: location,
                required: p["required"].as_bool().unwrap_or(false),
                schema: p.get("schema").map(schema),
            }),
            non_body_parameter: None,
        }
    } else {
        let is_path = location == "path";
        let sub = SimpleParameter {
            required: p["required"].as_bool().unwrap_or(false),
            r#in: location,
            description: s(p, "description"),
            name: s(p, "name"),
            path_type: if is_path { s(p, "type") } else { String::new() },
            query_type: if is_path { String::new() } else { s(p, "type") },
            // Field 20 is `uniqueItems` only in QueryParameterSubSchema.
            unique_items: !is_path && p["uniqueItems"].as_bool().unwrap_or(false),
        };
        Parameter {
            body_parameter: None,
            non_body_parameter: Some(if is_path {
                NonBodyParameter {
                    query_parameter_sub_schema: None,
                    path_parameter_sub_schema: Some(sub),
                }
            } else {
                NonBodyParameter {
                    query_parameter_sub_schema: Some(sub),
                    path_parameter_sub_schema: None,
                }
            }),
        }
    };
    ParametersItem {
        parameter: Some(param),
    }
}

fn strings(v: &Value, k: &str) -> Vec<String> {
    v.get(k)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

fn operation(op: &Value) -> Option<Operation> {
    let m = op.as_object()?;
    Some(Operation {
        tags: strings(op, "tags"),
        description: s(op, "description"),
        operation_id: s(op, "operationId"),
        produces: strings(op, "produces"),
        consumes: strings(op, "consumes"),
        parameters: op["parameters"]
            .as_array()
            .map(|ps| ps.iter().map(parameter).collect())
            .unwrap_or_default(),
        vendor_extension: extensions(m),
    })
}

/// The Swagger 2.0 JSON document ([`super::v2_document`]) encoded as gnostic protobuf.
pub fn encode(swagger: &Value) -> Vec<u8> {
    let paths = swagger["paths"]
        .as_object()
        .map(|ps| {
            ps.iter()
                .map(|(name, item)| NamedPathItem {
                    name: name.clone(),
                    value: Some(PathItem {
                        get: operation(&item["get"]),
                        put: operation(&item["put"]),
                        post: operation(&item["post"]),
                        delete: operation(&item["delete"]),
                        patch: operation(&item["patch"]),
                        parameters: item["parameters"]
                            .as_array()
                            .map(|p| p.iter().map(parameter).collect())
                            .unwrap_or_default(),
                    }),
                })
                .collect()
        })
        .unwrap_or_default();
    let definitions = swagger["definitions"]
        .as_object()
        .map(|ds| {
            ds.iter()
                .map(|(name, d)| NamedSchema {
                    name: name.clone(),
                    value: Some(schema(d)),
                })
                .collect()
        })
        .unwrap_or_default();
    Document {
        swagger: "2.0".into(),
        info: Some(Info {
            title: "Kubernetes".into(),
            version: "unversioned".into(),
        }),
        paths: Some(Paths { path: paths }),
        definitions: Some(Definitions {
            additional_properties: definitions,
        }),
    }
    .encode_to_vec()
}
