//! The tenancy side of the graph: registered clusters, tenants, projects, policy sets, plans,
//! tokens. Resolvers stay thin: checks and effects live in `crate::tenancy`.
//!
//! Registered clusters are `RegisteredCluster` nodes with their own root fields
//! (`registeredClusters`, `registeredCluster`), not members of the `Cluster` interface: that
//! interface carries the Sveltos management cluster's fields (helm releases, deployed
//! resources, profile statuses, health flags), which a cluster registered by kubeconfig does
//! not have. Both kinds resolve through `node(id)`.

pub mod catalog;
pub mod cluster;
pub mod kubeconfig;
pub mod policy_set;
pub mod project;
pub mod tenant;
pub mod token;
pub mod usage;

use std::collections::BTreeMap;

use async_graphql::{Context, ID, InputObject};
use uuid::Uuid;

use super::node_id::NodeId;
use crate::auth::Principal;
use crate::error::{Error, Result};
use crate::loaders::tenancy_rows::{TenancyLoader, TenancyRows};
use crate::tenancy::Tenancy;

/// A label to set.
#[derive(InputObject, Clone, Debug)]
pub struct LabelInput {
    pub key: String,
    pub value: String,
}

/// Labels as a map; a key given twice is an error.
pub fn label_map(field: &str, labels: Option<Vec<LabelInput>>) -> Result<BTreeMap<String, String>> {
    let mut map = BTreeMap::new();
    for label in labels.unwrap_or_default() {
        if map.insert(label.key.clone(), label.value).is_some() {
            return Err(Error::bad_field(
                field,
                format!("{field}: label {:?} is given twice", label.key),
            ));
        }
    }
    Ok(map)
}

pub fn labels_out(map: &BTreeMap<String, String>) -> Vec<super::cluster::Label> {
    map.iter()
        .map(|(key, value)| super::cluster::Label {
            key: key.clone(),
            value: value.clone(),
        })
        .collect()
}

pub fn tenancy<'a>(ctx: &Context<'a>) -> Result<&'a Tenancy> {
    ctx.data::<Tenancy>()
        .map_err(|_| Error::Unavailable("the tenancy side is not configured".to_string()))
}

/// The request's tenancy row loader (a fresh one where none was attached, e.g. on a
/// WebSocket).
pub fn rows(ctx: &Context<'_>) -> Result<std::sync::Arc<TenancyLoader>> {
    if let Some(loader) = ctx.data_opt::<std::sync::Arc<TenancyLoader>>() {
        return Ok(loader.clone());
    }
    Ok(std::sync::Arc::new(TenancyRows::loader(
        tenancy(ctx)?.store.clone(),
    )))
}

pub fn principal<'a>(ctx: &Context<'a>) -> Principal {
    ctx.data_opt::<Principal>()
        .cloned()
        .unwrap_or_else(Principal::anonymous)
}

/// A store row's id as given by a client: its global id, or its plain UUID.
pub fn row_id(field: &str, type_name: &str, id: &ID) -> Result<Uuid> {
    if let Ok(uuid) = Uuid::parse_str(id.as_str()) {
        return Ok(uuid);
    }
    let bad = || {
        Error::bad_field(
            field,
            format!("{field}: {:?} is not the id of a {type_name}", id.as_str()),
        )
    };
    let decoded = NodeId::decode(id).map_err(|_| bad())?;
    match decoded.parts.as_slice() {
        [uuid] if decoded.type_name == type_name => Uuid::parse_str(uuid).map_err(|_| bad()),
        _ => Err(bad()),
    }
}

pub fn node_id(type_name: &str, id: Uuid) -> ID {
    NodeId::new(type_name, [id.to_string()]).encode()
}

/// `node(id)` for tenancy types: `Some(answer)` when the id is of a tenancy type (the answer
/// being null when absent or not visible), `None` for other types.
pub async fn node_by_id(
    ctx: &Context<'_>,
    id: &NodeId,
) -> async_graphql::Result<Option<Option<super::node::Node>>> {
    use super::node::Node;
    let [uuid] = id.parts.as_slice() else {
        return Ok(None);
    };
    Ok(Some(match id.type_name.as_str() {
        cluster::TYPE_NAME => cluster::by_node_id(ctx, uuid)
            .await?
            .map(Node::RegisteredCluster),
        tenant::TYPE_NAME => tenant::by_node_id(ctx, uuid).await?.map(Node::Tenant),
        project::TYPE_NAME => project::by_node_id(ctx, uuid).await?.map(Node::Project),
        policy_set::TYPE_NAME => policy_set::by_node_id(ctx, uuid)
            .await?
            .map(Node::PolicySet),
        super::app::TYPE_NAME => super::app::by_node_id(ctx, uuid).await?.map(Node::App),
        _ => return Ok(None),
    }))
}
