//! Classifiers (by what runs in a cluster) and ManagementClusterClassifiers (by what the
//! management cluster holds): the labels they set, the clusters they match, and which labels
//! are managed or in conflict there.

use std::sync::Arc;

use async_graphql::types::Json;
use async_graphql::{Context, Enum, ID, Interface, Object, SimpleObject};
use serde_json::Value;

use super::cluster::{Cluster, ClusterKind, Label};
use super::node_id::NodeId;
use super::visibility::retain_visible_clusters;
use crate::error::ResultExt;
use crate::fleet::cache::FleetSnapshot;
use crate::fleet::kinds::{
    Classifier as ClassifierObject, ClassifierLabel,
    ManagementClusterClassifier as ManagementObject,
};
use crate::fleet::query::classifiers::{
    ClassifierKind as KindValue, ClassifierMatch, classifier_matches,
};
use crate::loaders::classifier_matches::ClassifierMatchesLoader;

#[path = "classifier_list.rs"]
mod list;
pub use list::{ClassifierFilter, ClassifierQueryRoot, classifier_by_name};

#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClassifierKind {
    Classifier,
    ManagementClusterClassifier,
}

impl From<ClassifierKind> for KindValue {
    fn from(k: ClassifierKind) -> Self {
        match k {
            ClassifierKind::Classifier => KindValue::Classifier,
            ClassifierKind::ManagementClusterClassifier => KindValue::ManagementClusterClassifier,
        }
    }
}

impl From<KindValue> for ClassifierKind {
    fn from(k: KindValue) -> Self {
        match k {
            KindValue::Classifier => ClassifierKind::Classifier,
            KindValue::ManagementClusterClassifier => ClassifierKind::ManagementClusterClassifier,
        }
    }
}

/// Fields both classifier kinds have.
#[allow(clippy::duplicated_attributes)]
#[derive(Interface)]
#[graphql(
    name = "AnyClassifier",
    field(name = "id", ty = "ID"),
    field(name = "kind", ty = "ClassifierKind"),
    field(name = "name", ty = "String"),
    field(name = "uid", ty = "String"),
    field(
        name = "classifier_labels",
        ty = "Vec<Label>",
        desc = "Labels set on matching clusters, in stored order."
    ),
    field(name = "matching_cluster_count", ty = "usize"),
    field(name = "matching_clusters", ty = "Vec<ClassifierClusterMatch>"),
    field(
        name = "spec_json",
        ty = "Json<Value>",
        desc = "The full spec as stored."
    )
)]
pub enum AnyClassifier {
    Classifier(ClassifierNode),
    ManagementClusterClassifier(ManagementClusterClassifierNode),
}

/// A label another classifier already manages on the cluster.
#[derive(SimpleObject, Clone, Debug)]
pub struct ConflictedLabel {
    pub key: String,
    pub failure_message: Option<String>,
}

/// A cluster a classifier matches, per its report.
pub struct ClassifierClusterMatch(ClassifierMatch);

#[Object]
impl ClassifierClusterMatch {
    async fn cluster_kind(&self) -> ClusterKind {
        self.0.reference.cluster_type.into()
    }
    async fn cluster_namespace(&self) -> &str {
        &self.0.reference.namespace
    }
    async fn cluster_name(&self) -> &str {
        &self.0.reference.name
    }
    /// Null when the cluster object no longer exists.
    async fn cluster(&self) -> Option<Cluster> {
        self.0.cluster.clone().map(Cluster::from_fleet)
    }
    /// Labels the classifier manages there, by key, with the value it sets (empty when its
    /// `classifierLabels` no longer name the key).
    async fn managed_labels(&self) -> Vec<Label> {
        self.0
            .managed
            .iter()
            .map(|l| Label {
                key: l.key.clone(),
                value: l.value.clone(),
            })
            .collect()
    }
    /// Labels it could not manage because another classifier does, by key.
    async fn conflicted_labels(&self) -> Vec<ConflictedLabel> {
        self.0
            .conflicted
            .iter()
            .map(|l| ConflictedLabel {
                key: l.key.clone(),
                failure_message: l.failure_message.clone().filter(|m| !m.is_empty()),
            })
            .collect()
    }
}

fn labels(labels: &[ClassifierLabel]) -> Vec<Label> {
    labels
        .iter()
        .map(|l| Label {
            key: l.key.clone(),
            value: l.value.clone(),
        })
        .collect()
}

/// A classifier's matching clusters through the request's batching loader.
pub(crate) async fn matches_of(
    ctx: &Context<'_>,
    snapshot: &FleetSnapshot,
    kind: KindValue,
    name: &str,
    classifier_labels: &[ClassifierLabel],
) -> async_graphql::Result<Arc<Vec<ClassifierMatch>>> {
    // Subscription events have no per-request loader: read the snapshot directly.
    let Some(loader) = ctx.data_opt::<Arc<ClassifierMatchesLoader>>() else {
        return Ok(Arc::new(classifier_matches(
            snapshot,
            kind,
            name,
            classifier_labels,
        )));
    };
    let matches = loader
        .load_one((kind, name.to_string()))
        .await
        .map_err(|e| crate::error::Error::Internal(e.to_string()))
        .gql()?;
    Ok(matches.unwrap_or_default())
}

/// The matching clusters the caller may see, in namespace, name, kind order.
async fn visible_matches(
    ctx: &Context<'_>,
    snapshot: &FleetSnapshot,
    kind: KindValue,
    name: &str,
    classifier_labels: &[ClassifierLabel],
) -> async_graphql::Result<Vec<ClassifierMatch>> {
    let mut matches = matches_of(ctx, snapshot, kind, name, classifier_labels)
        .await?
        .to_vec();
    retain_visible_clusters(ctx, &mut matches, |m| &m.reference).await?;
    Ok(matches)
}

/// The same fields on both kinds; `$extra` adds kind-specific ones.
macro_rules! classifier_object {
    ($node:ident, $object:ty, $graphql:literal, $kind:expr, $doc:literal, { $($extra:tt)* }) => {
        #[doc = $doc]
        pub struct $node {
            object: Arc<$object>,
            snapshot: Arc<FleetSnapshot>,
        }

        impl $node {
            fn object_name(&self) -> &str {
                self.object.metadata.name.as_deref().unwrap_or_default()
            }
        }

        #[Object(name = $graphql)]
        impl $node {
            /// Opaque global id.
            pub async fn id(&self) -> ID {
                NodeId::new($graphql, [self.object_name()]).encode()
            }
            async fn kind(&self) -> ClassifierKind {
                $kind.into()
            }
            async fn name(&self) -> &str {
                self.object_name()
            }
            async fn uid(&self) -> &str {
                self.object.metadata.uid.as_deref().unwrap_or_default()
            }
            /// Labels set on matching clusters, in stored order.
            async fn classifier_labels(&self) -> Vec<Label> {
                labels(&self.object.spec.classifier_labels)
            }
            /// Matching clusters the caller may see (upstream counts all; this graph never
            /// counts what it would not show).
            async fn matching_cluster_count(
                &self,
                ctx: &Context<'_>,
            ) -> async_graphql::Result<usize> {
                let m = visible_matches(
                    ctx, &self.snapshot, $kind, self.object_name(), &self.object.spec.classifier_labels,
                )
                .await?;
                Ok(m.len())
            }
            /// Clusters its reports say it matches, that the caller may see, in namespace,
            /// name, kind order.
            async fn matching_clusters(
                &self,
                ctx: &Context<'_>,
            ) -> async_graphql::Result<Vec<ClassifierClusterMatch>> {
                let m = visible_matches(
                    ctx, &self.snapshot, $kind, self.object_name(), &self.object.spec.classifier_labels,
                )
                .await?;
                Ok(m.into_iter().map(ClassifierClusterMatch).collect())
            }
            /// The full spec as stored.
            async fn spec_json(&self) -> Json<Value> {
                Json(serde_json::to_value(&self.object.spec).unwrap_or_default())
            }
            $($extra)*
        }
    };
}

/// A Kubernetes version constraint of a Classifier.
#[derive(SimpleObject, Clone, Debug)]
pub struct KubernetesVersionConstraint {
    pub version: String,
    /// `Equal`, `NotEqual`, `GreaterThan`, `LessThan`, `GreaterThanOrEqualTo`,
    /// `LessThanOrEqualTo`.
    pub comparison: String,
}

classifier_object!(
    ClassifierNode,
    ClassifierObject,
    "Classifier",
    KindValue::Classifier,
    "A Classifier: labels clusters by what runs in them and their Kubernetes version.",
    {
        /// `spec.deployedResourceConstraint.resourceSelectors` as stored.
        async fn resource_selectors(&self) -> Json<Value> {
            let selectors = self
                .object
                .spec
                .deployed_resource_constraint
                .as_ref()
                .map(|c| c.resource_selectors.clone())
                .unwrap_or_default();
            Json(serde_json::to_value(selectors).unwrap_or_default())
        }
        /// Lua over the selected resources, when set.
        async fn aggregated_classification(&self) -> Option<&str> {
            self.object
                .spec
                .deployed_resource_constraint
                .as_ref()?
                .aggregated_classification
                .as_deref()
        }
        async fn kubernetes_version_constraints(&self) -> Vec<KubernetesVersionConstraint> {
            self.object
                .spec
                .kubernetes_version_constraints
                .iter()
                .map(|c| KubernetesVersionConstraint {
                    version: c.version.clone(),
                    comparison: c.comparison.clone(),
                })
                .collect()
        }
    }
);

classifier_object!(
    ManagementClusterClassifierNode,
    ManagementObject,
    "ManagementClusterClassifier",
    KindValue::ManagementClusterClassifier,
    "A ManagementClusterClassifier: labels clusters by what the management cluster holds.",
    {
        /// `spec.matchResources` as stored.
        async fn match_resources(&self) -> Json<Value> {
            Json(serde_json::to_value(&self.object.spec.match_resources).unwrap_or_default())
        }
        /// Lua deciding the classification.
        async fn classification_lua(&self) -> &str {
            &self.object.spec.classification_lua
        }
        /// `status.failureMessage`, when the last evaluation failed.
        async fn failure_message(&self) -> Option<&str> {
            self.object.status.as_ref()?.failure_message.as_deref()
        }
    }
);
