//! EventTriggers: what they watch (the EventSource), on which clusters (the source-cluster
//! selector), and what matched on each cluster (EventReports).

use std::sync::Arc;

use async_graphql::types::Json;
use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use serde_json::Value;

use super::cluster::{Cluster, ClusterKind, request_snapshot};
use super::node_id::NodeId;
use super::pagination::{KeyPart, Page, PageArgs, SortKey, paginate};
use super::visibility::{retain_visible_clusters, visible_of};
use crate::config::LimitsConfig;
use crate::error::ResultExt;
use crate::fleet::cache::{FleetKind, FleetSnapshot, ObjectKey};
use crate::fleet::kinds::{EventSource as EventSourceObject, EventTrigger};
use crate::fleet::query::events::{
    EventMatch, EventTriggerQuery, MatchedResource, event_matches, event_source,
};
use crate::fleet::query::profiles::selector_text;
use crate::loaders::event_matches::EventMatchesLoader;

/// An EventTrigger (lib.projectsveltos.io): deploys add-ons where its EventSource matched.
pub struct EventTriggerNode {
    trigger: Arc<EventTrigger>,
    snapshot: Arc<FleetSnapshot>,
}

impl EventTriggerNode {
    fn object_name(&self) -> &str {
        self.trigger.metadata.name.as_deref().unwrap_or_default()
    }

    /// Matching clusters the caller may see.
    async fn visible_matches(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<EventMatch>> {
        let mut matches = matches_of(ctx, &self.snapshot, &self.trigger)
            .await?
            .to_vec();
        retain_visible_clusters(ctx, &mut matches, |m| &m.reference).await?;
        Ok(matches)
    }
}

/// A trigger's matches through the request's batching loader.
async fn matches_of(
    ctx: &Context<'_>,
    snapshot: &FleetSnapshot,
    trigger: &EventTrigger,
) -> async_graphql::Result<Arc<Vec<EventMatch>>> {
    // Subscription events have no per-request loader: read the snapshot directly.
    let Some(loader) = ctx.data_opt::<Arc<EventMatchesLoader>>() else {
        return Ok(Arc::new(event_matches(snapshot, trigger)));
    };
    let name = trigger.metadata.name.clone().unwrap_or_default();
    let matches = loader
        .load_one(name)
        .await
        .map_err(|e| crate::error::Error::Internal(e.to_string()))
        .gql()?;
    Ok(matches.unwrap_or_default())
}

/// Loads the matches of many triggers in one batch (the per-trigger look-ups that follow are
/// then answered from the request's loader cache).
async fn prefetch_matches(
    ctx: &Context<'_>,
    triggers: &[Arc<EventTrigger>],
) -> async_graphql::Result<()> {
    if let Some(loader) = ctx.data_opt::<Arc<EventMatchesLoader>>() {
        loader
            .load_many(
                triggers
                    .iter()
                    .map(|t| t.metadata.name.clone().unwrap_or_default()),
            )
            .await
            .map_err(|e| crate::error::Error::Internal(e.to_string()))
            .gql()?;
    }
    Ok(())
}

#[Object(name = "EventTrigger")]
impl EventTriggerNode {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        NodeId::new("EventTrigger", [self.object_name()]).encode()
    }
    async fn name(&self) -> &str {
        self.object_name()
    }
    async fn uid(&self) -> &str {
        self.trigger.metadata.uid.as_deref().unwrap_or_default()
    }
    async fn event_source_name(&self) -> &str {
        &self.trigger.spec.event_source_name
    }
    /// Null when the EventSource does not exist.
    async fn event_source(&self) -> Option<EventSourceNode> {
        event_source(&self.snapshot, &self.trigger)
            .cloned()
            .map(EventSourceNode)
    }
    /// `spec.sourceClusterSelector` in the Kubernetes grammar; empty when it selects nothing.
    async fn source_cluster_selector(&self) -> String {
        selector_text(&self.trigger.spec.source_cluster_selector)
    }
    /// `spec.sourceClusterSelector` as stored.
    async fn source_cluster_selector_json(&self) -> Json<Value> {
        Json(serde_json::to_value(&self.trigger.spec.source_cluster_selector).unwrap_or_default())
    }
    /// `spec.destinationClusterSelector` in the Kubernetes grammar, when set.
    async fn destination_cluster_selector(&self) -> Option<String> {
        self.trigger
            .spec
            .destination_cluster_selector
            .as_ref()
            .map(selector_text)
    }
    async fn one_for_event(&self) -> bool {
        self.trigger.spec.one_for_event.unwrap_or(false)
    }
    /// The full spec as stored.
    async fn spec_json(&self) -> Json<Value> {
        Json(serde_json::to_value(&self.trigger.spec).unwrap_or_default())
    }
    /// Matching clusters the caller may see (upstream counts all of them; this graph never
    /// counts what it would not show).
    async fn matching_cluster_count(&self, ctx: &Context<'_>) -> async_graphql::Result<usize> {
        Ok(self.visible_matches(ctx).await?.len())
    }
    /// Clusters the source-cluster selector matched (`status.matchingClusters` that exist),
    /// that the caller may see, in namespace, name, kind order.
    #[graphql(complexity = "first.or(last).unwrap_or(20).max(0) as usize * child_complexity + 1")]
    async fn matching_clusters(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Page<EventClusterMatch>> {
        let rows = self
            .visible_matches(ctx)
            .await?
            .into_iter()
            .map(|m| {
                let r = &m.reference;
                let key = SortKey::ascending([
                    KeyPart::from(r.namespace.as_str()),
                    KeyPart::from(r.name.as_str()),
                    KeyPart::from(r.cluster_type.as_str()),
                ]);
                (key, m)
            })
            .collect();
        let args = PageArgs::new(after, before, first, last);
        paginate(
            rows,
            "event-clusters",
            &args,
            ctx.data::<LimitsConfig>()?,
            EventClusterMatch,
        )
        .gql()
    }
}

/// An EventSource: what is watched on the managed clusters.
pub struct EventSourceNode(Arc<EventSourceObject>);

#[Object(name = "EventSource")]
impl EventSourceNode {
    async fn name(&self) -> &str {
        self.0.metadata.name.as_deref().unwrap_or_default()
    }
    /// Whether matching resources are collected whole.
    async fn collect_resources(&self) -> bool {
        self.0.spec.collect_resources.unwrap_or(false)
    }
    /// Lua over the matched resources, when set.
    async fn aggregated_selection(&self) -> Option<&str> {
        self.0.spec.aggregated_selection.as_deref()
    }
    /// `spec.resourceSelectors` as stored.
    async fn resource_selectors(&self) -> Json<Value> {
        Json(serde_json::to_value(&self.0.spec.resource_selectors).unwrap_or_default())
    }
    /// The full spec as stored.
    async fn spec_json(&self) -> Json<Value> {
        Json(serde_json::to_value(&self.0.spec).unwrap_or_default())
    }
}

/// A resource an EventSource matched on a cluster.
#[derive(SimpleObject, Clone, Debug)]
pub struct EventResource {
    pub group: String,
    pub version: String,
    pub kind: String,
    /// Null for cluster-scoped resources.
    pub namespace: Option<String>,
    pub name: String,
}

impl From<MatchedResource> for EventResource {
    fn from(r: MatchedResource) -> Self {
        Self {
            group: r.group,
            version: r.version,
            kind: r.kind,
            namespace: (!r.namespace.is_empty()).then_some(r.namespace),
            name: r.name,
        }
    }
}

/// A cluster an EventTrigger matches and what its EventSource matched there.
pub struct EventClusterMatch(EventMatch);

#[Object]
impl EventClusterMatch {
    async fn cluster_kind(&self) -> ClusterKind {
        self.0.reference.cluster_type.into()
    }
    async fn cluster_namespace(&self) -> &str {
        &self.0.reference.namespace
    }
    async fn cluster_name(&self) -> &str {
        &self.0.reference.name
    }
    async fn cluster(&self) -> Cluster {
        Cluster::from_fleet(self.0.cluster.clone())
    }
    /// The EventReport read; null when none exists (yet).
    async fn event_report_name(&self) -> Option<&str> {
        self.0.report.as_ref()?.metadata.name.as_deref()
    }
    /// `status.phase` of the EventReport.
    async fn report_phase(&self) -> Option<&str> {
        self.0.report.as_ref()?.status.as_ref()?.phase.as_deref()
    }
    /// Resources the EventSource matched on the cluster (`spec.matchingResources`), sorted by
    /// group, version, kind, namespace, name; empty without a report.
    async fn resources(&self) -> Vec<EventResource> {
        self.0.resources().into_iter().map(Into::into).collect()
    }
}

#[derive(InputObject, Default)]
pub struct EventTriggerFilter {
    /// Case-insensitive substring of the trigger's name.
    pub name: Option<String>,
    /// Keep triggers matching a (visible) cluster whose namespace contains this
    /// (case-insensitive).
    pub cluster_namespace: Option<String>,
    /// Keep triggers matching a (visible) cluster whose name contains this (case-insensitive).
    pub cluster_name: Option<String>,
}

/// Keeps the triggers the caller may see.
async fn retain_visible_triggers(
    ctx: &Context<'_>,
    triggers: &mut Vec<Arc<EventTrigger>>,
) -> async_graphql::Result<()> {
    let key = |t: &EventTrigger| ObjectKey::new("", t.metadata.name.clone().unwrap_or_default());
    let keys: Vec<ObjectKey> = triggers.iter().map(|t| key(t)).collect();
    let allowed = visible_of(ctx, FleetKind::EventTrigger, &keys).await?;
    triggers.retain(|t| allowed.allows(&key(t)));
    Ok(())
}

#[derive(Default)]
pub struct EventTriggerQueryRoot;

#[Object]
impl EventTriggerQueryRoot {
    /// EventTriggers the caller may see, by name.
    #[graphql(complexity = "first.or(last).unwrap_or(20).max(0) as usize * child_complexity + 1")]
    async fn event_triggers(
        &self,
        ctx: &Context<'_>,
        filter: Option<EventTriggerFilter>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Page<EventTriggerNode>> {
        let filter = filter.unwrap_or_default();
        let query = EventTriggerQuery {
            name: filter.name,
            cluster_namespace: filter.cluster_namespace,
            cluster_name: filter.cluster_name,
        };
        let snapshot = request_snapshot(ctx)?;
        let mut triggers: Vec<Arc<EventTrigger>> = snapshot
            .stores
            .event_triggers
            .iter()
            .filter(|(k, _)| query.matches_name(&k.name))
            .map(|(_, t)| t.clone())
            .collect();
        retain_visible_triggers(ctx, &mut triggers).await?;
        if query.filters_clusters() {
            prefetch_matches(ctx, &triggers).await?;
            let mut kept = Vec::with_capacity(triggers.len());
            for trigger in triggers {
                let mut matches = matches_of(ctx, &snapshot, &trigger).await?.to_vec();
                matches.retain(|m| query.matches_cluster(&m.reference));
                retain_visible_clusters(ctx, &mut matches, |m| &m.reference).await?;
                if !matches.is_empty() {
                    kept.push(trigger);
                }
            }
            triggers = kept;
        }
        let rows = triggers
            .into_iter()
            .map(|t| {
                let name = t.metadata.name.clone().unwrap_or_default();
                (SortKey::ascending([KeyPart::from(name)]), t)
            })
            .collect();
        let args = PageArgs::new(after, before, first, last);
        let page = paginate(
            rows,
            "name",
            &args,
            ctx.data::<LimitsConfig>()?,
            |trigger| EventTriggerNode {
                trigger,
                snapshot: snapshot.clone(),
            },
        )
        .gql()?;
        let node = ctx.look_ahead().field("edges").field("node");
        if node.field("matchingClusters").exists() || node.field("matchingClusterCount").exists() {
            let page_triggers: Vec<_> = page.edges.iter().map(|e| e.node.trigger.clone()).collect();
            prefetch_matches(ctx, &page_triggers).await?;
        }
        Ok(page)
    }

    /// One EventTrigger, or null when it does not exist or the caller may not see it.
    async fn event_trigger(
        &self,
        ctx: &Context<'_>,
        name: String,
    ) -> async_graphql::Result<Option<EventTriggerNode>> {
        event_trigger_by_name(ctx, &name).await
    }
}

/// The trigger `name` if it exists and the caller may see it (also for `node(id)`).
pub async fn event_trigger_by_name(
    ctx: &Context<'_>,
    name: &str,
) -> async_graphql::Result<Option<EventTriggerNode>> {
    let snapshot = request_snapshot(ctx)?;
    let Some(trigger) = snapshot
        .stores
        .event_triggers
        .get(&ObjectKey::new("", name))
        .cloned()
    else {
        return Ok(None);
    };
    let mut found = vec![trigger];
    retain_visible_triggers(ctx, &mut found).await?;
    Ok(found
        .pop()
        .map(|trigger| EventTriggerNode { trigger, snapshot }))
}
