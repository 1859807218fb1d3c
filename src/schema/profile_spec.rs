//! The typed part of a profile's spec: what the dashboard's profile page shows. Everything else
//! is in the profile's `specJson`.

use std::sync::Arc;

use async_graphql::{Object, SimpleObject};
use k8s_openapi::api::core::v1::ObjectReference;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::fleet::cache::profile_index::FleetProfile;
use crate::fleet::kinds::Spec;
use crate::fleet::query::profiles::selector_text;
use crate::schema::cluster::Label;

/// A profile's `spec`, typed.
pub struct ProfileSpec(pub Arc<FleetProfile>);

impl ProfileSpec {
    fn spec(&self) -> &Spec {
        self.0.spec()
    }
}

/// A Kubernetes label selector, as text and structured.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(name = "LabelSelector")]
pub struct LabelSelectorView {
    /// In the label-selector grammar (`env=prod,tier in (gold,silver),!legacy`); empty selects
    /// every cluster.
    pub text: String,
    /// Sorted by key.
    pub match_labels: Vec<Label>,
    pub match_expressions: Vec<LabelSelectorRequirement>,
}

#[derive(SimpleObject, Clone, Debug)]
pub struct LabelSelectorRequirement {
    pub key: String,
    /// `In`, `NotIn`, `Exists` or `DoesNotExist`.
    pub operator: String,
    pub values: Vec<String>,
}

impl From<&LabelSelector> for LabelSelectorView {
    fn from(selector: &LabelSelector) -> Self {
        LabelSelectorView {
            text: selector_text(selector),
            match_labels: selector
                .match_labels
                .iter()
                .flatten()
                .map(|(key, value)| Label {
                    key: key.clone(),
                    value: value.clone(),
                })
                .collect(),
            match_expressions: selector
                .match_expressions
                .iter()
                .flatten()
                .map(|e| LabelSelectorRequirement {
                    key: e.key.clone(),
                    operator: e.operator.clone(),
                    values: e.values.clone().unwrap_or_default(),
                })
                .collect(),
        }
    }
}

/// A reference to a Kubernetes object, as written in a spec.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(name = "ObjectReference")]
pub struct ObjectReferenceView {
    pub api_version: Option<String>,
    pub kind: Option<String>,
    pub namespace: Option<String>,
    pub name: Option<String>,
}

impl From<&ObjectReference> for ObjectReferenceView {
    fn from(r: &ObjectReference) -> Self {
        ObjectReferenceView {
            api_version: r.api_version.clone(),
            kind: r.kind.clone(),
            namespace: r.namespace.clone(),
            name: r.name.clone(),
        }
    }
}

/// `spec.helmCharts[]`.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(name = "HelmChartSpec")]
pub struct HelmChartView {
    #[graphql(name = "repositoryURL")]
    pub repository_url: String,
    pub repository_name: Option<String>,
    pub chart_name: Option<String>,
    pub chart_version: Option<String>,
    pub release_name: String,
    pub release_namespace: String,
    /// Inline values (YAML text).
    pub values: Option<String>,
    /// `Install` (the default when absent) or `Uninstall`.
    pub helm_chart_action: String,
}

/// `spec.policyRefs[]` and `spec.kustomizationRefs[]`: where resources to deploy come from.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(name = "PolicySourceRef")]
pub struct SourceRefView {
    pub kind: Option<String>,
    pub namespace: Option<String>,
    pub name: Option<String>,
    pub path: Option<String>,
    /// kustomizationRefs only.
    pub target_namespace: Option<String>,
    /// `Local` or `Remote` (the default when absent).
    pub deployment_type: String,
    pub optional: bool,
    pub tier: Option<i32>,
}

/// `spec.validateHealths[]`.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(name = "ValidateHealth")]
pub struct ValidateHealthView {
    pub name: String,
    pub feature_id: String,
    pub group: Option<String>,
    pub version: Option<String>,
    pub kind: Option<String>,
    pub namespace: Option<String>,
}

#[Object]
impl ProfileSpec {
    /// `spec.clusterSelector`.
    async fn cluster_selector(&self) -> LabelSelectorView {
        self.spec()
            .cluster_selector
            .as_ref()
            .map(Into::into)
            .unwrap_or_else(|| (&LabelSelector::default()).into())
    }
    /// Clusters named explicitly, as written.
    async fn cluster_refs(&self) -> Vec<ObjectReferenceView> {
        let refs = self.spec().cluster_refs.as_deref().unwrap_or_default();
        refs.iter().map(Into::into).collect()
    }
    /// Names of Sets / ClusterSets whose clusters are matched too.
    async fn set_refs(&self) -> &[String] {
        self.spec().set_refs.as_deref().unwrap_or_default()
    }
    async fn helm_charts(&self) -> Vec<HelmChartView> {
        let charts = self.spec().helm_charts();
        charts
            .iter()
            .map(|c| HelmChartView {
                repository_url: c.repository_url.clone(),
                repository_name: c.repository_name.clone(),
                chart_name: c.chart_name.clone(),
                chart_version: c.chart_version.clone(),
                release_name: c.release_name.clone(),
                release_namespace: c.release_namespace.clone(),
                values: c.values.clone(),
                helm_chart_action: c
                    .helm_chart_action
                    .clone()
                    .unwrap_or_else(|| "Install".to_owned()),
            })
            .collect()
    }
    async fn policy_refs(&self) -> Vec<SourceRefView> {
        let refs = self.spec().policy_refs();
        refs.iter()
            .map(|r| SourceRefView {
                kind: r.kind.clone(),
                namespace: r.namespace.clone(),
                name: r.name.clone(),
                path: r.path.clone(),
                target_namespace: None,
                deployment_type: deployment_type(&r.deployment_type),
                optional: r.optional.unwrap_or(false),
                tier: r.tier,
            })
            .collect()
    }
    async fn kustomization_refs(&self) -> Vec<SourceRefView> {
        let refs = self.spec().kustomization_refs();
        refs.iter()
            .map(|r| SourceRefView {
                kind: r.kind.clone(),
                namespace: r.namespace.clone(),
                name: r.name.clone(),
                path: r.path.clone(),
                target_namespace: r.target_namespace.clone(),
                deployment_type: deployment_type(&r.deployment_type),
                optional: r
                    .extra
                    .get("optional")
                    .and_then(|v| v.as_bool())
                    .unwrap_or(false),
                tier: r.tier,
            })
            .collect()
    }
    /// How many (`5`) or what share (`30%`) of the matching clusters update at once; null:
    /// all.
    async fn max_update(&self) -> Option<String> {
        self.spec().max_update.as_ref().map(|m| match m {
            IntOrString::Int(n) => n.to_string(),
            IntOrString::String(s) => s.clone(),
        })
    }
    /// What happens to deployed add-ons when a cluster stops matching: `WithdrawPolicies`
    /// (the default when absent) or `LeavePolicies`.
    async fn stop_matching_behavior(&self) -> String {
        self.spec()
            .stop_matching_behavior
            .clone()
            .unwrap_or_else(|| "WithdrawPolicies".to_owned())
    }
    async fn continue_on_conflict(&self) -> bool {
        self.spec().continue_on_conflict.unwrap_or(false)
    }
    async fn continue_on_error(&self) -> bool {
        self.spec().continue_on_error.unwrap_or(false)
    }
    async fn reloader(&self) -> bool {
        self.spec().reloader.unwrap_or(false)
    }
    async fn max_consecutive_failures(&self) -> Option<i64> {
        self.spec().max_consecutive_failures
    }
    async fn validate_healths(&self) -> Vec<ValidateHealthView> {
        let checks = self.spec().validate_healths.as_deref().unwrap_or_default();
        checks
            .iter()
            .map(|v| ValidateHealthView {
                name: v.name.clone(),
                feature_id: v.feature_id.as_str().to_owned(),
                group: v.group.clone(),
                version: v.version.clone(),
                kind: v.kind.clone(),
                namespace: v.namespace.clone(),
            })
            .collect()
    }
    /// `spec.dependsOn` as written; see the profile's `dependencies` and
    /// `unresolvedDependencies` for what they resolve to.
    async fn depends_on(&self) -> &[String] {
        self.spec().depends_on()
    }
}

fn deployment_type(value: &Option<String>) -> String {
    value.clone().unwrap_or_else(|| "Remote".to_owned())
}
