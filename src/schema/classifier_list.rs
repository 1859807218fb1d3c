//! The `classifiers` and `classifier` root fields: both kinds, filtered, reviewed and paged,
//! with the page's matching clusters loaded in one batch.

use std::sync::Arc;

use async_graphql::{Context, InputObject, Object};

use super::{
    AnyClassifier, ClassifierKind, ClassifierNode, KindValue, ManagementClusterClassifierNode,
    matches_of,
};
use crate::config::LimitsConfig;
use crate::error::ResultExt;
use crate::fleet::cache::{FleetKind, FleetSnapshot, ObjectKey};
use crate::fleet::query::classifiers::ClassifierQuery;
use crate::loaders::classifier_matches::ClassifierMatchesLoader;
use crate::schema::cluster::request_snapshot;
use crate::schema::pagination::{KeyPart, Page, PageArgs, SortKey, paginate};
use crate::schema::visibility::{retain_visible_clusters, visible_of};

#[derive(InputObject, Default)]
pub struct ClassifierFilter {
    /// Case-insensitive substring of the name.
    pub name: Option<String>,
    pub kind: Option<ClassifierKind>,
    /// Keep classifiers matching a (visible) cluster whose namespace contains this
    /// (case-insensitive).
    pub cluster_namespace: Option<String>,
    /// Keep classifiers matching a (visible) cluster whose name contains this
    /// (case-insensitive).
    pub cluster_name: Option<String>,
}

/// The classifiers of both kinds passing `query` and the caller's reviews, by name then kind.
async fn select(
    ctx: &Context<'_>,
    snapshot: &Arc<FleetSnapshot>,
    query: &ClassifierQuery,
) -> async_graphql::Result<Vec<(SortKey, AnyClassifier)>> {
    let stores = &snapshot.stores;
    let keys = |kind: KindValue, names: Vec<&ObjectKey>| {
        names
            .into_iter()
            .filter(|k| query.matches(kind, &k.name))
            .cloned()
            .collect::<Vec<_>>()
    };
    let classifier_keys = keys(KindValue::Classifier, stores.classifiers.keys().collect());
    let management_keys = keys(
        KindValue::ManagementClusterClassifier,
        stores.management_classifiers.keys().collect(),
    );
    let classifiers = visible_of(ctx, FleetKind::Classifier, &classifier_keys).await?;
    let management = visible_of(
        ctx,
        FleetKind::ManagementClusterClassifier,
        &management_keys,
    )
    .await?;
    let mut rows: Vec<(SortKey, AnyClassifier)> = Vec::new();
    for key in classifier_keys.iter().filter(|k| classifiers.allows(k)) {
        if let Some(object) = stores.classifiers.get(key) {
            let node = ClassifierNode {
                object: object.clone(),
                snapshot: snapshot.clone(),
            };
            rows.push((sort_key(KindValue::Classifier, &key.name), node.into()));
        }
    }
    for key in management_keys.iter().filter(|k| management.allows(k)) {
        if let Some(object) = stores.management_classifiers.get(key) {
            let node = ManagementClusterClassifierNode {
                object: object.clone(),
                snapshot: snapshot.clone(),
            };
            let kind = KindValue::ManagementClusterClassifier;
            rows.push((sort_key(kind, &key.name), node.into()));
        }
    }
    if query.filters_clusters() {
        prefetch_matches(ctx, rows.iter().map(|(_, n)| n)).await?;
        let mut kept = Vec::with_capacity(rows.len());
        for (key, node) in rows {
            let (kind, name, labels) = match &node {
                AnyClassifier::Classifier(c) => (
                    KindValue::Classifier,
                    c.object_name(),
                    &c.object.spec.classifier_labels,
                ),
                AnyClassifier::ManagementClusterClassifier(c) => (
                    KindValue::ManagementClusterClassifier,
                    c.object_name(),
                    &c.object.spec.classifier_labels,
                ),
            };
            let mut matches = matches_of(ctx, snapshot, kind, name, labels)
                .await?
                .to_vec();
            matches.retain(|m| query.matches_cluster(&m.reference));
            retain_visible_clusters(ctx, &mut matches, |m| &m.reference).await?;
            if !matches.is_empty() {
                kept.push((key, node));
            }
        }
        rows = kept;
    }
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(rows)
}

fn sort_key(kind: KindValue, name: &str) -> SortKey {
    SortKey::ascending([KeyPart::from(name), KeyPart::from(kind.as_str())])
}

#[derive(Default)]
pub struct ClassifierQueryRoot;

#[Object]
impl ClassifierQueryRoot {
    /// Classifiers and ManagementClusterClassifiers the caller may see, by name then kind.
    #[graphql(complexity = "first.or(last).unwrap_or(20).max(0) as usize * child_complexity + 1")]
    async fn classifiers(
        &self,
        ctx: &Context<'_>,
        filter: Option<ClassifierFilter>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Page<AnyClassifier>> {
        let filter = filter.unwrap_or_default();
        let query = ClassifierQuery {
            name: filter.name,
            kind: filter.kind.map(Into::into),
            cluster_namespace: filter.cluster_namespace,
            cluster_name: filter.cluster_name,
        };
        let snapshot = request_snapshot(ctx)?;
        let rows = select(ctx, &snapshot, &query).await?;
        let args = PageArgs::new(after, before, first, last);
        let page = paginate(rows, "name-kind", &args, ctx.data::<LimitsConfig>()?, |n| n).gql()?;
        let node = ctx.look_ahead().field("edges").field("node");
        if node.field("matchingClusters").exists() || node.field("matchingClusterCount").exists() {
            prefetch_matches(ctx, page.edges.iter().map(|e| &e.node)).await?;
        }
        Ok(page)
    }

    /// One classifier of the given kind, or null when it does not exist or the caller may not
    /// see it.
    async fn classifier(
        &self,
        ctx: &Context<'_>,
        kind: ClassifierKind,
        name: String,
    ) -> async_graphql::Result<Option<AnyClassifier>> {
        classifier_by_name(ctx, kind.into(), &name).await
    }
}

/// The classifier `name` of `kind` if it exists and the caller may see it (also for
/// `node(id)`).
pub async fn classifier_by_name(
    ctx: &Context<'_>,
    kind: KindValue,
    name: &str,
) -> async_graphql::Result<Option<AnyClassifier>> {
    let snapshot = request_snapshot(ctx)?;
    let key = ObjectKey::new("", name);
    let (fleet_kind, node): (FleetKind, Option<AnyClassifier>) = match kind {
        KindValue::Classifier => (
            FleetKind::Classifier,
            snapshot.stores.classifiers.get(&key).map(|object| {
                ClassifierNode {
                    object: object.clone(),
                    snapshot: snapshot.clone(),
                }
                .into()
            }),
        ),
        KindValue::ManagementClusterClassifier => (
            FleetKind::ManagementClusterClassifier,
            snapshot
                .stores
                .management_classifiers
                .get(&key)
                .map(|object| {
                    ManagementClusterClassifierNode {
                        object: object.clone(),
                        snapshot: snapshot.clone(),
                    }
                    .into()
                }),
        ),
    };
    let Some(node) = node else {
        return Ok(None);
    };
    let allowed = visible_of(ctx, fleet_kind, std::slice::from_ref(&key)).await?;
    Ok(allowed.allows(&key).then_some(node))
}

/// Loads the matches of many classifiers in one batch (the per-classifier look-ups that follow
/// are then answered from the request's loader cache).
async fn prefetch_matches<'a>(
    ctx: &Context<'_>,
    nodes: impl Iterator<Item = &'a AnyClassifier>,
) -> async_graphql::Result<()> {
    let Some(loader) = ctx.data_opt::<Arc<ClassifierMatchesLoader>>() else {
        return Ok(());
    };
    let keys = nodes.map(|node| match node {
        AnyClassifier::Classifier(c) => (KindValue::Classifier, c.object_name().to_string()),
        AnyClassifier::ManagementClusterClassifier(c) => (
            KindValue::ManagementClusterClassifier,
            c.object_name().to_string(),
        ),
    });
    loader
        .load_many(keys)
        .await
        .map_err(|e| crate::error::Error::Internal(e.to_string()))
        .gql()?;
    Ok(())
}
