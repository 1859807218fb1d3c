//! `catalog(clusterId)`: the component, trait and workflow-step types apps can use, from the
//! cluster's KubeVela definitions when it has any, else the catalog shipped with fleetgraph.

use async_graphql::{Context, Enum, ID, Json, Object, SimpleObject};
use serde_json::Value;

use super::cluster::visible_cluster;
use super::{principal, row_id, tenancy};
use crate::tenancy::Access;
use crate::tenancy::catalog::{self, Entry, Kind, Source};
use crate::tenancy::clusters;
use crate::tenancy::errors::KnResultExt;

#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum CatalogSource {
    /// A KubeVela definition in the cluster.
    Cluster,
    /// The catalog shipped with fleetgraph (the cluster has no definitions of that kind).
    Builtin,
}

/// One component type, trait or workflow step.
#[derive(SimpleObject, Clone)]
pub struct CatalogEntry {
    pub name: String,
    pub description: Option<String>,
    /// Namespace of the definition (cluster entries).
    pub namespace: Option<String>,
    /// The definition's `spec` (cluster entries) or a usage example (shipped entries).
    pub detail: Option<Json<Value>>,
    pub source: CatalogSource,
}

impl From<Entry> for CatalogEntry {
    fn from(e: Entry) -> Self {
        CatalogEntry {
            name: e.name,
            description: e.description,
            namespace: e.namespace,
            detail: e.detail.map(Json),
            source: match e.source {
                Source::Cluster => CatalogSource::Cluster,
                Source::Builtin => CatalogSource::Builtin,
            },
        }
    }
}

/// The catalog of one cluster (or the shipped one); each list is read when asked for.
pub struct Catalog {
    client: Option<kube::Client>,
}

impl Catalog {
    async fn entries(&self, kind: Kind) -> async_graphql::Result<Vec<CatalogEntry>> {
        Ok(catalog::catalog(self.client.as_ref(), kind)
            .await
            .kn()?
            .into_iter()
            .map(CatalogEntry::from)
            .collect())
    }
}

#[Object]
impl Catalog {
    /// ComponentDefinitions, by name then namespace.
    async fn components(&self) -> async_graphql::Result<Vec<CatalogEntry>> {
        self.entries(Kind::Component).await
    }
    /// TraitDefinitions, by name then namespace.
    async fn traits(&self) -> async_graphql::Result<Vec<CatalogEntry>> {
        self.entries(Kind::Trait).await
    }
    /// WorkflowStepDefinitions, by name then namespace.
    async fn workflows(&self) -> async_graphql::Result<Vec<CatalogEntry>> {
        self.entries(Kind::Workflow).await
    }
}

#[derive(Default)]
pub struct CatalogQuery;

#[Object]
impl CatalogQuery {
    /// The catalog of a registered cluster the caller sees; without `clusterId`, the shipped
    /// catalog.
    async fn catalog(
        &self,
        ctx: &Context<'_>,
        cluster_id: Option<ID>,
    ) -> async_graphql::Result<Catalog> {
        let t = tenancy(ctx).kn()?;
        let principal = principal(ctx);
        let access = Access::new(&principal);
        access.require_caller().kn()?;
        let client = match cluster_id {
            None => None,
            Some(id) => {
                let id = row_id("clusterId", super::cluster::TYPE_NAME, &id).kn()?;
                let cluster = visible_cluster(t, &access, id).await.kn()?;
                Some(clusters::client(t, &cluster).await.kn()?)
            }
        };
        Ok(Catalog { client })
    }
}
