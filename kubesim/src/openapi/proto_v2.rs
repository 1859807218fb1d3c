//! `/openapi/v2` in the protobuf form client-go asks for
//! (`application/com.github.proto-openapi.spec.v2@v1.0+protobuf`, gnostic's `openapi.v2`
//! messages). kubectl 1.27/1.28 need it: `kubectl apply` checks server-side field validation
//! support with the v2 document (and fails when it cannot be fetched), and `kubectl explain`
//! reads it. Only the messages and fields those readers use are declared; field numbers are
//! gnostic's `OpenAPIv2.proto`. Vendor extension values travel as YAML text (JSON is YAML).

use prost::Message;
use serde_json::{Map, Value};

/// What clients put in `Accept`.
pub const CONTENT_TYPE: &str = "application/com.github.proto-openapi.spec.v2@v1.0+protobuf";
/// What the server answers with: kube-openapi's `.v1.0` spelling, since Go's
/// `mime.ParseMediaType` (which client-go runs on every response) rejects the `@`.
pub const RESPONSE_CONTENT_TYPE: &str =
    "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";

#[derive(Clone, PartialEq, Message)]
pub struct Document {
    #[prost(string, tag = "1")]
    pub swagger: String,
    #[prost(message, optional, tag = "2")]
    pub info: Option<Info>,
    #[prost(message, optional, tag = "8")]
    pub paths: Option<Paths>,
    #[prost(message, optional, tag = "9")]
    pub definitions: Option<Definitions>,
}

#[derive(Clone, PartialEq, Message)]
pub struct Info {
    #[prost(string, tag = "1")]
    pub title: String,
    #[prost(string, tag = "2")]
    pub version: String,
}

#[derive(Clone, PartialEq, Message)]
pub struct Paths {
    #[prost(message, repeated, tag = "2")]
    pub path: Vec<NamedPathItem>,
}

#[derive(Clone, PartialEq, Message)]
pub struct NamedPathItem {
    #[prost(string, tag = "1")]
    pub name: String,
    #[prost(message, optional, tag = "2")]
    pub value: Option<PathItem>,
}

#[derive(Clone, PartialEq, Message)]
pub struct PathItem {
    #[prost(message, optional, tag = "2")]
    pub get: Option<Operation>,
    #[prost(message, optional, tag = "3")]
    pub put: Option<Operation>,
    #[prost(message, optional, tag = "4")]
    pub post: Option<Operation>,
    #[prost(message, optional, tag = "5")]
    pub delete: Option<Operation>,
    #[prost(message, optional, tag = "8")]
    pub patch: Option<Operation>,
    #[prost(message, repeated, tag = "9")]
    pub parameters: Vec<ParametersItem>,
}

#[derive(Clone, PartialEq, Message)]
pub struct Operation {
    #[prost(string, repeated, tag = "1")]
    pub tags: Vec<String>,
    #[prost(string, tag = "3")]
    pub description: String,
    #[prost(string, tag = "5")]
    pub operation_id: String,
    #[prost(string, repeated, tag = "6")]
    pub produces: Vec<String>,
    #[prost(string, repeated, tag = "7")]
    pub consumes: Vec<String>,
    #[prost(message, repeated, tag = "8")]
    pub parameters: Vec<ParametersItem>,
    #[prost(message, repeated, tag = "13")]
    pub vendor_extension: Vec<NamedAny>,
}

#[derive(Clone, PartialEq, Message)]
pub struct ParametersItem {
    #[prost(message, optional, tag = "1")]
    pub parameter: Option<Parameter>,
}

#[derive(Clone, PartialEq, Message)]
pub struct Parameter {
    #[prost(message, optional, tag = "1")]
    pub body_parameter: Option<BodyParameter>,
    #[prost(message, optional, tag = "2")]
    pub non_body_parameter: Option<NonBodyParameter>,
}

#[derive(Clone, PartialEq, Message)]
pub struct BodyParameter {
    #[prost(string, tag = "1")]
    pub description: String,
    #[prost(string, tag = "2")]
    pub name: String,
    #[prost(string, tag = "3")]
    pub r#in: String,
    #[prost(bool, tag = "4")]
    pub required: bool,
    #[prost(message, optional, tag = "5")]
    pub schema: Option<Schema>,
}

#[derive(Clone, PartialEq, Message)]
pub struct NonBodyParameter {
    #[prost(message, optional, tag = "3")]
    pub query_parameter_sub_schema: Option<SimpleParameter>,
    #[prost(message, optional, tag = "4")]
    pub path_parameter_sub_schema: Option<SimpleParameter>,
}

/// The leading fields Query- and PathParameterSubSchema share (required, in, description,
/// name); `type` is field 6 for a query parameter, 5 for a path parameter.
#[derive(Clone, PartialEq, Message)]
pub struct SimpleParameter {
    #[prost(bool, tag = "1")]
    pub required: bool,
    #[prost(string, tag = "2")]
    pub r#in: String,
    #[prost(string, tag = "3")]
    pub description: String,
    #[prost(string, tag = "4")]
    pub name: String,
    #[prost(string, tag = "5")]
    pub path_type: String,
    #[prost(string, tag = "6")]
    pub query_type: String,
    #[prost(bool, tag = "20")]
    pub unique_items: bool,
}

#[derive(Clone, PartialEq, Message)]
pub struct NamedAny {
    #[prost(string, tag = "1")]
    pub name: String,
    #[prost(message, optional, tag = "2")]
    pub value: Option<Any>,
}

#[derive(Clone, PartialEq, Message)]
pub struct Any {
    #[prost(string, tag = "2")]
    pub yaml: String,
}

#[derive(Clone, PartialEq, Message)]
pub struct Definitions {
    #[prost(message, repeated, tag = "1")]
    pub additional_properties: Vec<NamedSchema>,
}

#[derive(Clone, PartialEq, Message)]
pub struct NamedSchema {
    #[prost(string, tag = "1")]
    pub name: String,
    #[prost(message, optional, tag = "2")]
    pub value: Option<Schema>,
}

#[derive(Clone, PartialEq, Message)]
pub struct Schema {
    #[prost(string, tag = "1")]
    pub r#ref: String,
    #[prost(string, tag = "2")]
    pub format: String,
    #[prost(string, tag = "3")]
    pub title: String,
    #[prost(string, tag = "4")]
    pub description: String,
    #[prost(string, repeated, tag = "19")]
    pub required: Vec<String>,
    #[prost(message, repeated, tag = "20")]
    pub r#enum: Vec<Any>,
    #[prost(message, optional, boxed, tag = "21")]
    pub additional_properties: Option<Box<AdditionalPropertiesItem>>,
    #[prost(message, optional, tag = "22")]
    pub r#type: Option<TypeItem>,
    #[prost(message, optional, tag = "23")]
    pub items: Option<ItemsItem>,
    #[prost(message, repeated, tag = "24")]
    pub all_of: Vec<Schema>,
    #[prost(message, optional, tag = "25")]
    pub properties: Option<Properties>,
    #[prost(message, repeated, tag = "31")]
    pub vendor_extension: Vec<NamedAny>,
}

#[derive(Clone, PartialEq, Message)]
pub struct AdditionalPropertiesItem {
    #[prost(message, optional, tag = "1")]
    pub schema: Option<Schema>,
    #[prost(bool, optional, tag = "2")]
    pub boolean: Option<bool>,
}

#[derive(Clone, PartialEq, Message)]
pub struct TypeItem {
    #[prost(string, repeated, tag = "1")]
    pub value: Vec<String>,
}

#[derive(Clone, PartialEq, Message)]
pub struct ItemsItem {
    #[prost(message, repeated, tag = "1")]
    pub schema: Vec<Schema>,
}

#[derive(Clone, PartialEq, Message)]
pub struct Properties {
    #[prost(message, repeated, tag = "1")]
    pub additional_properties: Vec<NamedSchema>,
}

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
