//! `node(id)` / `nodes(ids)`: any object by its global id, if the caller may see it.

use std::sync::Arc;

use async_graphql::{Context, ID, Interface, Object};

use super::classifier::{
    AnyClassifier, ClassifierNode, ManagementClusterClassifierNode, classifier_by_name,
};
use super::cluster::{CapiCluster, SveltosCluster, request_snapshot};
use super::event_trigger::{EventTriggerNode, event_trigger_by_name};
use super::node_id::NodeId;
use super::profile::{ClusterProfileNode, NamespacedProfileNode, ProfileNode, profile_by_node_id};
use crate::auth::Principal;
use crate::auth::sar::{SarLoader, visible};
use crate::error::{Error, ResultExt};
use crate::fleet::cache::{ClusterRef, FleetKind, ObjectKey};
use crate::fleet::kinds::ClusterType;
use crate::fleet::query::classifiers::ClassifierKind;

/// Most ids one `nodes` call resolves.
const MAX_IDS: usize = 100;

/// Every object with a global id.
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID", desc = "Opaque global id."))]
pub enum Node {
    CapiCluster(CapiCluster),
    SveltosCluster(SveltosCluster),
    ClusterProfile(ClusterProfileNode),
    NamespacedProfile(NamespacedProfileNode),
    RegisteredCluster(super::tenancy::cluster::RegisteredCluster),
    EventTrigger(EventTriggerNode),
    Classifier(ClassifierNode),
    ManagementClusterClassifier(ManagementClusterClassifierNode),
    Tenant(super::tenancy::tenant::Tenant),
    PolicySet(super::tenancy::policy_set::PolicySet),
    Project(super::tenancy::project::Project),
    App(super::app::App),
}

#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
    /// The object with this id, or null when it does not exist or the caller may not see it.
    async fn node(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Option<Node>> {
        resolve(ctx, &id).await
    }

    /// Several objects at once (at most 100), in the order asked.
    async fn nodes(
        &self,
        ctx: &Context<'_>,
        ids: Vec<ID>,
    ) -> async_graphql::Result<Vec<Option<Node>>> {
        if ids.len() > MAX_IDS {
            return Err(Error::bad_field(
                "ids",
                format!("ask for at most {MAX_IDS} ids"),
            ))
            .gql();
        }
        let mut out = Vec::with_capacity(ids.len());
        for id in &ids {
            out.push(resolve(ctx, id).await?);
        }
        Ok(out)
    }
}

async fn resolve(ctx: &Context<'_>, id: &ID) -> async_graphql::Result<Option<Node>> {
    let decoded = NodeId::decode(id).gql()?;
    if let Some(profile) = profile_by_node_id(ctx, &decoded).await {
        return Ok(profile?.map(|p| match p {
            ProfileNode::ClusterProfile(p) => Node::ClusterProfile(p),
            ProfileNode::Namespaced(p) => Node::NamespacedProfile(p),
        }));
    }
    if let Some(node) = super::tenancy::node_by_id(ctx, &decoded).await? {
        return Ok(node);
    }
    let principal = ctx.data::<Principal>()?;
    let reviews = ctx
        .data_opt::<Arc<async_graphql::dataloader::DataLoader<SarLoader>>>()
        .map(|r| r.as_ref());
    match (decoded.type_name.as_str(), decoded.parts.as_slice()) {
        (type_name @ ("CapiCluster" | "SveltosCluster"), [namespace, name]) => {
            let (cluster_type, kind) = if type_name == "CapiCluster" {
                (ClusterType::Capi, FleetKind::CapiCluster)
            } else {
                (ClusterType::Sveltos, FleetKind::SveltosCluster)
            };
            let snapshot = request_snapshot(ctx)?;
            let reference = ClusterRef {
                namespace: namespace.clone(),
                name: name.clone(),
                cluster_type,
            };
            let Some(cluster) = snapshot.cluster(&reference) else {
                return Ok(None);
            };
            let key = ObjectKey::new(namespace.clone(), name.clone());
            let allowed = visible(principal, reviews, kind, [&key]).await.gql()?;
            if !allowed.allows(&key) {
                return Ok(None);
            }
            Ok(Some(match cluster_type {
                ClusterType::Capi => Node::CapiCluster(CapiCluster(cluster.clone())),
                ClusterType::Sveltos => Node::SveltosCluster(SveltosCluster(cluster.clone())),
            }))
        }
        (super::app::TYPE_NAME, [uuid]) => {
            let uuid = uuid::Uuid::parse_str(uuid)
                .map_err(|_| Error::bad_field("id", "not an app id issued by this server"))
                .gql()?;
            Ok(super::app::visible_app(ctx, uuid).await?.map(Node::App))
        }
        ("EventTrigger", [name]) => Ok(event_trigger_by_name(ctx, name)
            .await?
            .map(Node::EventTrigger)),
        (kind @ ("Classifier" | "ManagementClusterClassifier"), [name]) => {
            let kind = if kind == "Classifier" {
                ClassifierKind::Classifier
            } else {
                ClassifierKind::ManagementClusterClassifier
            };
            Ok(classifier_by_name(ctx, kind, name).await?.map(|c| match c {
                AnyClassifier::Classifier(c) => Node::Classifier(c),
                AnyClassifier::ManagementClusterClassifier(c) => {
                    Node::ManagementClusterClassifier(c)
                }
            }))
        }
        _ => Err(Error::bad_field(
            "id",
            format!("{:?} is not an id issued by this server", id.as_str()),
        ))
        .gql(),
    }
}
