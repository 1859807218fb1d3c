//! OpenAPI definitions of the built-in kinds, generated once from k8s-openapi's `schemars`
//! impls (OpenAPI 3 settings, so refs are `#/components/schemas/...` and a ref with a
//! description becomes `allOf: [{$ref}]` as in the real documents), plus the
//! strategic-merge-patch extensions kubectl reads, which k8s-openapi's schemas do not carry.

use std::sync::OnceLock;

use k8s_openapi::api::{authentication, authorization, core, networking, rbac};
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1 as apiext;
use k8s_openapi::apimachinery::pkg::apis::meta::v1 as meta;
use schemars::JsonSchema;
use schemars::generate::{SchemaGenerator, SchemaSettings};
use serde_json::{Map, Value, json};

/// Every generated definition, and the definition name of each built-in (group, kind).
pub struct Builtins {
    pub definitions: Map<String, Value>,
    pub kinds: Vec<(&'static str, &'static str, String)>,
}

fn add<T: JsonSchema>(
    generator: &mut SchemaGenerator,
    kinds: &mut Vec<(&'static str, &'static str, String)>,
    group: &'static str,
    kind: &'static str,
) {
    generator.subschema_for::<T>();
    kinds.push((group, kind, T::schema_name().into_owned()));
}

/// (definition, property, merge key, strategy) as the real server's OpenAPI declares them.
const PATCH_META: &[(&str, &str, Option<&str>, &str)] = &[
    (
        "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta",
        "finalizers",
        None,
        "merge",
    ),
    (
        "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta",
        "ownerReferences",
        Some("uid"),
        "merge",
    ),
    (
        "io.k8s.api.core.v1.PodSpec",
        "containers",
        Some("name"),
        "merge",
    ),
    (
        "io.k8s.api.core.v1.PodSpec",
        "initContainers",
        Some("name"),
        "merge",
    ),
    (
        "io.k8s.api.core.v1.PodSpec",
        "ephemeralContainers",
        Some("name"),
        "merge",
    ),
    (
        "io.k8s.api.core.v1.PodSpec",
        "volumes",
        Some("name"),
        "merge,retainKeys",
    ),
    (
        "io.k8s.api.core.v1.PodSpec",
        "imagePullSecrets",
        Some("name"),
        "merge",
    ),
    (
        "io.k8s.api.core.v1.PodSpec",
        "hostAliases",
        Some("ip"),
        "merge",
    ),
    ("io.k8s.api.core.v1.Container", "env", Some("name"), "merge"),
    (
        "io.k8s.api.core.v1.Container",
        "ports",
        Some("containerPort"),
        "merge",
    ),
    (
        "io.k8s.api.core.v1.Container",
        "volumeMounts",
        Some("mountPath"),
        "merge",
    ),
    (
        "io.k8s.api.core.v1.Container",
        "volumeDevices",
        Some("devicePath"),
        "merge",
    ),
    (
        "io.k8s.api.core.v1.PodStatus",
        "conditions",
        Some("type"),
        "merge",
    ),
    (
        "io.k8s.api.core.v1.PodStatus",
        "podIPs",
        Some("ip"),
        "merge",
    ),
    (
        "io.k8s.api.core.v1.NamespaceStatus",
        "conditions",
        Some("type"),
        "merge",
    ),
    (
        "io.k8s.api.core.v1.ServiceAccount",
        "secrets",
        Some("name"),
        "merge",
    ),
];

fn generate() -> Builtins {
    let mut g = SchemaGenerator::new(SchemaSettings::openapi3());
    let mut k = Vec::new();
    add::<core::v1::Namespace>(&mut g, &mut k, "", "Namespace");
    add::<core::v1::ConfigMap>(&mut g, &mut k, "", "ConfigMap");
    add::<core::v1::Secret>(&mut g, &mut k, "", "Secret");
    add::<core::v1::ServiceAccount>(&mut g, &mut k, "", "ServiceAccount");
    add::<core::v1::Pod>(&mut g, &mut k, "", "Pod");
    add::<core::v1::ResourceQuota>(&mut g, &mut k, "", "ResourceQuota");
    add::<core::v1::LimitRange>(&mut g, &mut k, "", "LimitRange");
    add::<networking::v1::NetworkPolicy>(&mut g, &mut k, "networking.k8s.io", "NetworkPolicy");
    add::<rbac::v1::Role>(&mut g, &mut k, "rbac.authorization.k8s.io", "Role");
    add::<rbac::v1::RoleBinding>(&mut g, &mut k, "rbac.authorization.k8s.io", "RoleBinding");
    add::<rbac::v1::ClusterRole>(&mut g, &mut k, "rbac.authorization.k8s.io", "ClusterRole");
    add::<rbac::v1::ClusterRoleBinding>(
        &mut g,
        &mut k,
        "rbac.authorization.k8s.io",
        "ClusterRoleBinding",
    );
    add::<apiext::CustomResourceDefinition>(
        &mut g,
        &mut k,
        "apiextensions.k8s.io",
        "CustomResourceDefinition",
    );
    add::<authentication::v1::TokenReview>(&mut g, &mut k, "authentication.k8s.io", "TokenReview");
    add::<authentication::v1::SelfSubjectReview>(
        &mut g,
        &mut k,
        "authentication.k8s.io",
        "SelfSubjectReview",
    );
    add::<authentication::v1::TokenRequest>(
        &mut g,
        &mut k,
        "authentication.k8s.io",
        "TokenRequest",
    );
    add::<authorization::v1::SubjectAccessReview>(
        &mut g,
        &mut k,
        "authorization.k8s.io",
        "SubjectAccessReview",
    );
    add::<authorization::v1::SelfSubjectAccessReview>(
        &mut g,
        &mut k,
        "authorization.k8s.io",
        "SelfSubjectAccessReview",
    );
    add::<authorization::v1::SelfSubjectRulesReview>(
        &mut g,
        &mut k,
        "authorization.k8s.io",
        "SelfSubjectRulesReview",
    );
    add::<authorization::v1::LocalSubjectAccessReview>(
        &mut g,
        &mut k,
        "authorization.k8s.io",
        "LocalSubjectAccessReview",
    );
    g.subschema_for::<meta::Status>();
    g.subschema_for::<meta::DeleteOptions>();
    g.subschema_for::<meta::Patch>();
    g.subschema_for::<meta::ListMeta>();
    g.subschema_for::<meta::WatchEvent<core::v1::ConfigMap>>();
    let mut definitions = g.take_definitions(true);
    for (group, kind, name) in &k {
        // Every built-in kubesim serves is at v1.
        let version = "v1";
        if let Some(Value::Object(d)) = definitions.get_mut(name) {
            d.insert(
                "x-kubernetes-group-version-kind".into(),
                json!([{"group": group, "kind": kind, "version": version}]),
            );
            // k8s-openapi marks metadata required (it is not optional in Rust); the real
            // documents do not, and client-side validation would reject generateName objects.
            if let Some(Value::Array(req)) = d.get_mut("required") {
                req.retain(|r| r != "metadata");
                if req.is_empty() {
                    d.remove("required");
                }
            }
        }
    }
    for (def, prop, key, strategy) in PATCH_META {
        if let Some(Value::Object(p)) = definitions
            .get_mut(*def)
            .and_then(|d| d.get_mut("properties"))
            .and_then(|p| p.get_mut(*prop))
        {
            if let Some(key) = key {
                p.insert("x-kubernetes-patch-merge-key".into(), json!(key));
            }
            p.insert("x-kubernetes-patch-strategy".into(), json!(strategy));
        }
    }
    Builtins {
        definitions,
        kinds: k,
    }
}

pub fn builtins() -> &'static Builtins {
    static CELL: OnceLock<Builtins> = OnceLock::new();
    CELL.get_or_init(generate)
}

/// The definition name of a built-in kind, if k8s-openapi knows it.
pub fn definition_name(group: &str, kind: &str) -> Option<&'static str> {
    builtins()
        .kinds
        .iter()
        .find(|(g, k, _)| *g == group && *k == kind)
        .map(|(_, _, n)| n.as_str())
}
