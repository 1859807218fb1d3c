//! The catalog of component, trait and workflow-step types: the cluster's own KubeVela
//! definitions (ComponentDefinition, TraitDefinition, WorkflowStepDefinition) when it has any,
//! otherwise the catalog shipped with fleetgraph (`assets/catalog/definitions.json`, the
//! entries of the KubeNova catalog).

use std::sync::LazyLock;

use kube::api::{Api, ApiResource, DynamicObject, GroupVersionKind, ListParams};
use serde::Deserialize;
use serde_json::Value;

use crate::error::{Error, Result};
use crate::tenancy::apps::cluster::kube_error;

const BUILTIN_JSON: &str = include_str!("../../assets/catalog/definitions.json");
/// The annotation KubeVela's definitions carry their description in.
pub const DESCRIPTION_ANNOTATION: &str = "definition.oam.dev/description";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    Component,
    Trait,
    Workflow,
}

impl Kind {
    pub const ALL: [Kind; 3] = [Kind::Component, Kind::Trait, Kind::Workflow];

    fn definition_kind(self) -> &'static str {
        match self {
            Kind::Component => "ComponentDefinition",
            Kind::Trait => "TraitDefinition",
            Kind::Workflow => "WorkflowStepDefinition",
        }
    }

    fn plural(self) -> &'static str {
        match self {
            Kind::Component => "componentdefinitions",
            Kind::Trait => "traitdefinitions",
            Kind::Workflow => "workflowstepdefinitions",
        }
    }
}

/// Where an entry came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    Cluster,
    Builtin,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub kind: Kind,
    pub name: String,
    pub description: Option<String>,
    /// Namespace of the definition (cluster entries).
    pub namespace: Option<String>,
    /// The definition's `spec` (cluster entries) or a usage example (built-in entries).
    pub detail: Option<Value>,
    pub source: Source,
}

#[derive(Deserialize)]
struct BuiltinEntry {
    name: String,
    description: Option<String>,
    example: Option<Value>,
}

#[derive(Deserialize)]
struct BuiltinFile {
    components: Vec<BuiltinEntry>,
    traits: Vec<BuiltinEntry>,
    workflows: Vec<BuiltinEntry>,
}

static BUILTIN: LazyLock<std::result::Result<BuiltinFile, String>> =
    LazyLock::new(|| serde_json::from_str(BUILTIN_JSON).map_err(|e| e.to_string()));

/// The shipped entries of one kind, by name.
pub fn builtin(kind: Kind) -> Result<Vec<Entry>> {
    let file = BUILTIN
        .as_ref()
        .map_err(|e| Error::Internal(format!("the shipped catalog does not parse: {e}")))?;
    let list = match kind {
        Kind::Component => &file.components,
        Kind::Trait => &file.traits,
        Kind::Workflow => &file.workflows,
    };
    let mut entries: Vec<Entry> = list
        .iter()
        .map(|e| Entry {
            kind,
            name: e.name.clone(),
            description: e.description.clone(),
            namespace: None,
            detail: e.example.clone(),
            source: Source::Builtin,
        })
        .collect();
    entries.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(entries)
}

/// The cluster's definitions of one kind, by name then namespace; empty when KubeVela's
/// definition CRDs are not installed.
pub async fn from_cluster(client: &kube::Client, kind: Kind) -> Result<Vec<Entry>> {
    let gvk = GroupVersionKind::gvk("core.oam.dev", "v1beta1", kind.definition_kind());
    let resource = ApiResource::from_gvk_with_plural(&gvk, kind.plural());
    let api: Api<DynamicObject> = Api::all_with(client.clone(), &resource);
    let list = match api.list(&ListParams::default()).await {
        Ok(list) => list,
        Err(kube::Error::Api(s)) if s.code == 404 => return Ok(Vec::new()),
        Err(e) => {
            return Err(kube_error(
                &format!("listing {}s", kind.definition_kind()),
                e,
            ));
        }
    };
    let mut entries: Vec<Entry> = list
        .items
        .into_iter()
        .map(|o| Entry {
            kind,
            description: o
                .metadata
                .annotations
                .as_ref()
                .and_then(|a| a.get(DESCRIPTION_ANNOTATION).cloned()),
            name: o.metadata.name.clone().unwrap_or_default(),
            namespace: o.metadata.namespace.clone(),
            detail: o.data.get("spec").cloned(),
            source: Source::Cluster,
        })
        .collect();
    entries.sort_by(|a, b| (&a.name, &a.namespace).cmp(&(&b.name, &b.namespace)));
    Ok(entries)
}

/// The catalog of one kind for a cluster: its definitions when it has any, else the shipped
/// catalog. Without a cluster, the shipped catalog.
pub async fn catalog(client: Option<&kube::Client>, kind: Kind) -> Result<Vec<Entry>> {
    if let Some(client) = client {
        let entries = from_cluster(client, kind).await?;
        if !entries.is_empty() {
            return Ok(entries);
        }
    }
    builtin(kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_catalog_has_the_kubenova_entries() {
        let names = |k| {
            builtin(k)
                .expect("parses")
                .into_iter()
                .map(|e| e.name)
                .collect::<Vec<_>>()
        };
        assert_eq!(names(Kind::Component), ["web"]);
        assert_eq!(names(Kind::Trait), ["scaler"]);
        assert_eq!(names(Kind::Workflow), ["rollout"]);
        let scaler = &builtin(Kind::Trait).expect("parses")[0];
        assert_eq!(scaler.description.as_deref(), Some("Scale deployments"));
        assert_eq!(
            scaler.detail.as_ref().expect("example")["properties"]["max"],
            5
        );
    }
}
