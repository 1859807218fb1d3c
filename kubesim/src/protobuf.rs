//! Request bodies in the Kubernetes protobuf encoding, decoded to JSON objects.
//!
//! Since client-go 1.31 the typed clientsets send built-in kinds as
//! `application/vnd.kubernetes.protobuf` (kubernetes/kubernetes#125314), so kubectl ≥ 1.31
//! posts `create namespace`, `create secret`, `auth can-i` (SelfSubjectAccessReview), and so
//! on in protobuf. Responses may still be JSON (their Accept lists `application/json` too),
//! so only request bodies need decoding, and only for kinds those typed calls send. The
//! messages are k8s-pb's prost types; this module maps them to the JSON the handlers expect.

use std::collections::BTreeMap;

use k8s_pb::api::{authentication, authorization, core, rbac};
use k8s_pb::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_pb::apimachinery::pkg::runtime::Unknown;
use prost::Message;
use serde_json::{Map, Value, json};

pub const CONTENT_TYPE: &str = "application/vnd.kubernetes.protobuf";
const MAGIC: &[u8] = b"k8s\x00";

#[derive(Debug, thiserror::Error)]
pub enum ProtobufError {
    #[error("protobuf body does not start with the k8s envelope")]
    NoEnvelope,
    #[error("decoding protobuf: {0}")]
    Decode(#[from] prost::DecodeError),
    #[error("protobuf decoding of {0} is not supported by kubesim; send JSON")]
    Unsupported(String),
}

/// Whether a `Content-Type` (parameters allowed) is the Kubernetes protobuf encoding.
pub fn is_protobuf(content_type: &str) -> bool {
    content_type.split(';').next().map(str::trim) == Some(CONTENT_TYPE)
}

fn put(m: &mut Map<String, Value>, key: &str, v: Option<&String>) {
    if let Some(s) = v {
        m.insert(key.into(), json!(s));
    }
}

fn strings(v: &[String]) -> Value {
    json!(v)
}

fn string_map(v: &BTreeMap<String, String>) -> Value {
    json!(v)
}

fn meta(m: Option<&ObjectMeta>) -> Value {
    let mut out = Map::new();
    let Some(m) = m else {
        return Value::Object(out);
    };
    put(&mut out, "name", m.name.as_ref());
    put(&mut out, "generateName", m.generate_name.as_ref());
    put(&mut out, "namespace", m.namespace.as_ref());
    put(&mut out, "uid", m.uid.as_ref());
    put(&mut out, "resourceVersion", m.resource_version.as_ref());
    if !m.labels.is_empty() {
        out.insert("labels".into(), string_map(&m.labels));
    }
    if !m.annotations.is_empty() {
        out.insert("annotations".into(), string_map(&m.annotations));
    }
    if !m.finalizers.is_empty() {
        out.insert("finalizers".into(), strings(&m.finalizers));
    }
    Value::Object(out)
}

fn resource_attributes(r: &authorization::v1::ResourceAttributes) -> Value {
    let mut out = Map::new();
    put(&mut out, "namespace", r.namespace.as_ref());
    put(&mut out, "verb", r.verb.as_ref());
    put(&mut out, "group", r.group.as_ref());
    put(&mut out, "version", r.version.as_ref());
    put(&mut out, "resource", r.resource.as_ref());
    put(&mut out, "subresource", r.subresource.as_ref());
    put(&mut out, "name", r.name.as_ref());
    Value::Object(out)
}

fn access_spec(
    ra: Option<&authorization::v1::ResourceAttributes>,
    nra: Option<&authorization::v1::NonResourceAttributes>,
) -> Map<String, Value> {
    let mut spec = Map::new();
    if let Some(r) = ra {
        spec.insert("resourceAttributes".into(), resource_attributes(r));
    }
    if let Some(n) = nra {
        let mut o = Map::new();
        put(&mut o, "path", n.path.as_ref());
        put(&mut o, "verb", n.verb.as_ref());
        spec.insert("nonResourceAttributes".into(), Value::Object(o));
    }
    spec
}

fn subject_access_spec(s: &authorization::v1::SubjectAccessReviewSpec) -> Value {
    let mut spec = access_spec(
        s.resource_attributes.as_ref(),
        s.non_resource_attributes.as_ref(),
    );
    put(&mut spec, "user", s.user.as_ref());
    put(&mut spec, "uid", s.uid.as_ref());
    if !s.groups.is_empty() {
        spec.insert("groups".into(), strings(&s.groups));
    }
    if !s.extra.is_empty() {
        let extra: Map<String, Value> = s
            .extra
            .iter()
            .map(|(k, v)| (k.clone(), strings(&v.items)))
            .collect();
        spec.insert("extra".into(), Value::Object(extra));
    }
    Value::Object(spec)
}

fn rules(rs: &[rbac::v1::PolicyRule]) -> Value {
    Value::Array(
        rs.iter()
            .map(|r| {
                let mut o = Map::new();
                o.insert("verbs".into(), strings(&r.verbs));
                for (k, v) in [
                    ("apiGroups", &r.api_groups),
                    ("resources", &r.resources),
                    ("resourceNames", &r.resource_names),
                    ("nonResourceURLs", &r.non_resource_ur_ls),
                ] {
                    if !v.is_empty() {
                        o.insert(k.into(), strings(v));
                    }
                }
                Value::Object(o)
            })
            .collect(),
    )
}

fn binding(subjects: &[rbac::v1::Subject], role_ref: Option<&rbac::v1::RoleRef>) -> (Value, Value) {
    let subjects = subjects
        .iter()
        .map(|s| {
            let mut o = Map::new();
            put(&mut o, "kind", s.kind.as_ref());
            put(&mut o, "apiGroup", s.api_group.as_ref());
            put(&mut o, "name", s.name.as_ref());
            put(&mut o, "namespace", s.namespace.as_ref());
            Value::Object(o)
        })
        .collect();
    let mut rr = Map::new();
    if let Some(r) = role_ref {
        put(&mut rr, "apiGroup", r.api_group.as_ref());
        put(&mut rr, "kind", r.kind.as_ref());
        put(&mut rr, "name", r.name.as_ref());
    }
    (Value::Array(subjects), Value::Object(rr))
}

fn b64(bytes: &[u8]) -> Value {
    use base64::Engine;
    json!(base64::engine::general_purpose::STANDARD.encode(bytes))
}

/// The object's fields after `apiVersion`/`kind`, decoded from the envelope's `raw` bytes.
fn decode_kind(
    api_version: &str,
    kind: &str,
    raw: &[u8],
) -> Result<Map<String, Value>, ProtobufError> {
    let mut o = Map::new();
    match (api_version, kind) {
        ("v1", "Namespace") => {
            let n = core::v1::Namespace::decode(raw)?;
            o.insert("metadata".into(), meta(n.metadata.as_ref()));
            if let Some(s) = n.spec.as_ref().filter(|s| !s.finalizers.is_empty()) {
                o.insert("spec".into(), json!({"finalizers": s.finalizers}));
            }
        }
        ("v1", "ConfigMap") => {
            let c = core::v1::ConfigMap::decode(raw)?;
            o.insert("metadata".into(), meta(c.metadata.as_ref()));
            if !c.data.is_empty() {
                o.insert("data".into(), string_map(&c.data));
            }
            if !c.binary_data.is_empty() {
                let bd: Map<String, Value> = c
                    .binary_data
                    .iter()
                    .map(|(k, v)| (k.clone(), b64(v)))
                    .collect();
                o.insert("binaryData".into(), Value::Object(bd));
            }
            if let Some(i) = c.immutable {
                o.insert("immutable".into(), json!(i));
            }
        }
        ("v1", "Secret") => {
            let s = core::v1::Secret::decode(raw)?;
            o.insert("metadata".into(), meta(s.metadata.as_ref()));
            if !s.data.is_empty() {
                let d: Map<String, Value> =
                    s.data.iter().map(|(k, v)| (k.clone(), b64(v))).collect();
                o.insert("data".into(), Value::Object(d));
            }
            if !s.string_data.is_empty() {
                o.insert("stringData".into(), string_map(&s.string_data));
            }
            put(&mut o, "type", s.r#type.as_ref());
            if let Some(i) = s.immutable {
                o.insert("immutable".into(), json!(i));
            }
        }
        ("v1", "ServiceAccount") => {
            let s = core::v1::ServiceAccount::decode(raw)?;
            o.insert("metadata".into(), meta(s.metadata.as_ref()));
            if let Some(a) = s.automount_service_account_token {
                o.insert("automountServiceAccountToken".into(), json!(a));
            }
            if !s.image_pull_secrets.is_empty() {
                let ips: Vec<Value> = s
                    .image_pull_secrets
                    .iter()
                    .map(|r| json!({"name": r.name}))
                    .collect();
                o.insert("imagePullSecrets".into(), Value::Array(ips));
            }
        }
        ("rbac.authorization.k8s.io/v1", "Role") => {
            let r = rbac::v1::Role::decode(raw)?;
            o.insert("metadata".into(), meta(r.metadata.as_ref()));
            o.insert("rules".into(), rules(&r.rules));
        }
        ("rbac.authorization.k8s.io/v1", "ClusterRole") => {
            let r = rbac::v1::ClusterRole::decode(raw)?;
            o.insert("metadata".into(), meta(r.metadata.as_ref()));
            o.insert("rules".into(), rules(&r.rules));
        }
        ("rbac.authorization.k8s.io/v1", "RoleBinding") => {
            let b = rbac::v1::RoleBinding::decode(raw)?;
            o.insert("metadata".into(), meta(b.metadata.as_ref()));
            let (s, r) = binding(&b.subjects, b.role_ref.as_ref());
            o.insert("subjects".into(), s);
            o.insert("roleRef".into(), r);
        }
        ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding") => {
            let b = rbac::v1::ClusterRoleBinding::decode(raw)?;
            o.insert("metadata".into(), meta(b.metadata.as_ref()));
            let (s, r) = binding(&b.subjects, b.role_ref.as_ref());
            o.insert("subjects".into(), s);
            o.insert("roleRef".into(), r);
        }
        ("authorization.k8s.io/v1", "SelfSubjectAccessReview") => {
            let r = authorization::v1::SelfSubjectAccessReview::decode(raw)?;
            o.insert("metadata".into(), meta(r.metadata.as_ref()));
            let spec = r.spec.unwrap_or_default();
            let s = access_spec(
                spec.resource_attributes.as_ref(),
                spec.non_resource_attributes.as_ref(),
            );
            o.insert("spec".into(), Value::Object(s));
        }
        ("authorization.k8s.io/v1", "SelfSubjectRulesReview") => {
            let r = authorization::v1::SelfSubjectRulesReview::decode(raw)?;
            o.insert("metadata".into(), meta(r.metadata.as_ref()));
            let ns = r.spec.and_then(|s| s.namespace).unwrap_or_default();
            o.insert("spec".into(), json!({"namespace": ns}));
        }
        ("authorization.k8s.io/v1", "SubjectAccessReview") => {
            let r = authorization::v1::SubjectAccessReview::decode(raw)?;
            o.insert("metadata".into(), meta(r.metadata.as_ref()));
            o.insert(
                "spec".into(),
                subject_access_spec(&r.spec.unwrap_or_default()),
            );
        }
        ("authorization.k8s.io/v1", "LocalSubjectAccessReview") => {
            let r = authorization::v1::LocalSubjectAccessReview::decode(raw)?;
            o.insert("metadata".into(), meta(r.metadata.as_ref()));
            o.insert(
                "spec".into(),
                subject_access_spec(&r.spec.unwrap_or_default()),
            );
        }
        ("authentication.k8s.io/v1", "SelfSubjectReview") => {
            let r = authentication::v1::SelfSubjectReview::decode(raw)?;
            o.insert("metadata".into(), meta(r.metadata.as_ref()));
        }
        ("authentication.k8s.io/v1", "TokenReview") => {
            let r = authentication::v1::TokenReview::decode(raw)?;
            o.insert("metadata".into(), meta(r.metadata.as_ref()));
            let spec = r.spec.unwrap_or_default();
            o.insert(
                "spec".into(),
                json!({"token": spec.token.unwrap_or_default(), "audiences": spec.audiences}),
            );
        }
        ("authentication.k8s.io/v1", "TokenRequest") => {
            let r = authentication::v1::TokenRequest::decode(raw)?;
            o.insert("metadata".into(), meta(r.metadata.as_ref()));
            let spec = r.spec.unwrap_or_default();
            let mut s = Map::new();
            s.insert("audiences".into(), strings(&spec.audiences));
            if let Some(e) = spec.expiration_seconds {
                s.insert("expirationSeconds".into(), json!(e));
            }
            if let Some(b) = spec.bound_object_ref {
                s.insert("boundObjectRef".into(), json!({"kind": b.kind, "apiVersion": b.api_version, "name": b.name, "uid": b.u_id}));
            }
            o.insert("spec".into(), Value::Object(s));
        }
        _ => return Err(ProtobufError::Unsupported(format!("{api_version}/{kind}"))),
    }
    Ok(o)
}

/// A protobuf request body (`k8s\0` + `runtime.Unknown`) as the JSON object it encodes.
pub fn decode_body(body: &[u8]) -> Result<Value, ProtobufError> {
    let rest = body.strip_prefix(MAGIC).ok_or(ProtobufError::NoEnvelope)?;
    let unknown = Unknown::decode(rest)?;
    let tm = unknown.type_meta.unwrap_or_default();
    let api_version = tm.api_version.unwrap_or_default();
    let kind = tm.kind.unwrap_or_default();
    let fields = decode_kind(
        &api_version,
        &kind,
        unknown.raw.as_deref().unwrap_or_default(),
    )?;
    let mut out = Map::new();
    out.insert("apiVersion".into(), json!(api_version));
    out.insert("kind".into(), json!(kind));
    out.extend(fields);
    Ok(Value::Object(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_pb::apimachinery::pkg::runtime::TypeMeta;

    fn envelope(api_version: &str, kind: &str, raw: Vec<u8>) -> Vec<u8> {
        let u = Unknown {
            type_meta: Some(TypeMeta {
                api_version: Some(api_version.into()),
                kind: Some(kind.into()),
            }),
            raw: Some(raw),
            content_encoding: Some(String::new()),
            content_type: Some(String::new()),
        };
        let mut out = MAGIC.to_vec();
        out.extend(u.encode_to_vec());
        out
    }

    #[test]
    fn decodes_what_kubectl_sends() {
        let ssar = authorization::v1::SelfSubjectAccessReview {
            metadata: Some(ObjectMeta::default()),
            spec: Some(authorization::v1::SelfSubjectAccessReviewSpec {
                resource_attributes: Some(authorization::v1::ResourceAttributes {
                    namespace: Some("team-a".into()),
                    verb: Some("get".into()),
                    resource: Some("configmaps".into()),
                    ..Default::default()
                }),
                non_resource_attributes: None,
            }),
            status: None,
        };
        let body = envelope(
            "authorization.k8s.io/v1",
            "SelfSubjectAccessReview",
            ssar.encode_to_vec(),
        );
        assert!(is_protobuf(
            "application/vnd.kubernetes.protobuf; charset=x"
        ));
        let v = decode_body(&body).unwrap();
        assert_eq!(v["kind"], "SelfSubjectAccessReview");
        assert_eq!(
            v["spec"]["resourceAttributes"],
            json!({"namespace": "team-a", "verb": "get", "resource": "configmaps"})
        );
        let ns = core::v1::Namespace {
            metadata: Some(ObjectMeta {
                name: Some("mgmt".into()),
                labels: [("a".to_string(), "b".to_string())].into(),
                ..Default::default()
            }),
            spec: None,
            status: None,
        };
        let v = decode_body(&envelope("v1", "Namespace", ns.encode_to_vec())).unwrap();
        assert_eq!(
            v,
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "mgmt", "labels": {"a": "b"}}})
        );
        assert!(matches!(decode_body(b"{}"), Err(ProtobufError::NoEnvelope)));
        assert!(matches!(
            decode_body(&envelope("apps/v1", "Deployment", vec![])),
            Err(ProtobufError::Unsupported(_))
        ));
    }
}
