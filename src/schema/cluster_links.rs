//! A cluster's links to profiles: the profiles matching it, and a DryRun profile's report of
//! what it would change there (sveltos-ui-backend.md §1.13).

use std::sync::Arc;

use async_graphql::{Context, InputObject, SimpleObject};

use super::request_snapshot;
use crate::config::LimitsConfig;
use crate::error::{Error, ResultExt};
use crate::fleet::cache::profile_index::FleetProfile;
use crate::fleet::cache::{FleetCluster, ObjectKey};
use crate::fleet::kinds::{ProfileId, ProfileKind as KindValue, ReleaseReport, ResourceReport};
use crate::loaders::matching_profiles::MatchingProfilesLoader;
use crate::schema::addons::ProfileKind;
use crate::schema::pagination::{KeyPart, Page, PageArgs, SortKey, paginate};
use crate::schema::profile::{ProfileNode, resolve_visible, retain_visible};

/// Which profile: its kind, namespace (Profiles only) and name.
#[derive(InputObject, Clone, Debug)]
pub struct ProfileKeyInput {
    pub kind: ProfileKind,
    /// Required for a Profile; absent (or empty) for a ClusterProfile.
    pub namespace: Option<String>,
    pub name: String,
}

impl ProfileKeyInput {
    /// The profile's identity; BAD_USER_INPUT when the namespace does not fit the kind.
    pub fn id(&self, field: &str) -> crate::error::Result<ProfileId> {
        let namespace = self.namespace.as_deref().filter(|ns| !ns.is_empty());
        match (KindValue::from(self.kind), namespace) {
            (KindValue::ClusterProfile, None) => Ok(ProfileId::cluster_profile(&self.name)),
            (KindValue::Profile, Some(ns)) => Ok(ProfileId::profile(ns, &self.name)),
            (KindValue::ClusterProfile, Some(_)) => Err(Error::bad_field(
                format!("{field}.namespace"),
                "a ClusterProfile has no namespace; leave it out",
            )),
            (KindValue::Profile, None) => Err(Error::bad_field(
                format!("{field}.namespace"),
                "a Profile is namespaced; give its namespace",
            )),
        }
    }
}

/// The cluster's matching profiles the caller may see, one page in kind, namespace, name order.
pub(super) async fn matching_profiles(
    ctx: &Context<'_>,
    cluster: &FleetCluster,
    args: PageArgs,
) -> async_graphql::Result<Page<ProfileNode>> {
    let loader = ctx.data::<Arc<MatchingProfilesLoader>>()?;
    let profiles = loader
        .load_one(cluster.reference.clone())
        .await
        .map_err(|e| Error::Internal(e.to_string()))
        .gql()?
        .unwrap_or_default();
    let mut rows: Vec<(SortKey, Arc<FleetProfile>)> = profiles
        .iter()
        .map(|p| {
            let id = &p.id;
            let key = SortKey::ascending([
                KeyPart::from(id.kind.as_str()),
                KeyPart::from(id.namespace.as_deref().unwrap_or_default()),
                KeyPart::from(id.name.as_str()),
            ]);
            (key, p.clone())
        })
        .collect();
    retain_visible(ctx, &mut rows, |(_, p)| p).await?;
    paginate(
        rows,
        "matching-profiles",
        &args,
        ctx.data::<LimitsConfig>()?,
        ProfileNode::from_fleet,
    )
    .gql()
}

/// A release a DryRun profile would change.
#[derive(SimpleObject, Clone, Debug)]
pub struct DryRunHelmChange {
    pub release_name: String,
    pub release_namespace: String,
    /// Empty when the report gives none.
    pub chart_version: String,
    /// `Install`, `Upgrade`, `Update Values`, `Delete` or `Conflict`.
    pub action: String,
    pub message: Option<String>,
}

impl From<&ReleaseReport> for DryRunHelmChange {
    fn from(r: &ReleaseReport) -> Self {
        Self {
            release_name: r.chart_name.clone(),
            release_namespace: r.release_namespace.clone(),
            chart_version: r.chart_version.clone(),
            action: r.action.clone().unwrap_or_default(),
            message: r.message.clone().filter(|m| !m.is_empty()),
        }
    }
}

/// A resource a DryRun profile would change.
#[derive(SimpleObject, Clone, Debug)]
pub struct DryRunResourceChange {
    pub group: String,
    pub version: String,
    pub kind: String,
    /// Null for cluster-scoped resources.
    pub namespace: Option<String>,
    pub name: String,
    /// `Create`, `Update`, `Delete` or `Conflict`.
    pub action: String,
    pub message: Option<String>,
}

impl From<&ResourceReport> for DryRunResourceChange {
    fn from(r: &ResourceReport) -> Self {
        let resource = &r.resource;
        Self {
            group: resource.group.clone(),
            version: resource.version.clone(),
            kind: resource.kind.clone(),
            namespace: resource.namespace.clone().filter(|ns| !ns.is_empty()),
            name: resource.name.clone(),
            action: r.action.clone().unwrap_or_default(),
            message: r.message.clone().filter(|m| !m.is_empty()),
        }
    }
}

/// What a DryRun profile would change on the cluster, from its ClusterReport. Entries with
/// action `No Action` are left out; the others keep the report's order.
#[derive(SimpleObject, Clone, Debug)]
pub struct DryRunReport {
    pub profile_kind: ProfileKind,
    /// Null for a ClusterProfile.
    pub profile_namespace: Option<String>,
    pub profile_name: String,
    /// The ClusterReport read (`[p--]<profile>--<capi|sveltos>--<cluster>`).
    pub report_name: String,
    /// No ClusterReport exists (yet) for the pair: every list is empty.
    pub report_missing: bool,
    /// Any change listed.
    pub has_changes: bool,
    pub helm_release_changes: Vec<DryRunHelmChange>,
    /// `resourceReports`, then `helmResourceReports`.
    pub resource_changes: Vec<DryRunResourceChange>,
    pub kustomize_changes: Vec<DryRunResourceChange>,
}

/// The dry-run report of `profile` on `cluster`. FORBIDDEN when the caller may not see the
/// profile; a Profile of another namespace never deploys here, so asking is BAD_USER_INPUT.
pub(super) async fn dry_run(
    ctx: &Context<'_>,
    cluster: &FleetCluster,
    profile: ProfileKeyInput,
) -> async_graphql::Result<DryRunReport> {
    let id = profile.id("profile").gql()?;
    let reference = &cluster.reference;
    if let Some(namespace) = &id.namespace
        && namespace != &reference.namespace
    {
        return Err(Error::bad_field(
            "profile.namespace",
            format!(
                "a Profile only deploys to clusters of its own namespace ({}); ask a cluster \
                 there",
                reference.namespace
            ),
        ))
        .gql();
    }
    let snapshot = request_snapshot(ctx)?;
    if let Some(found) = snapshot.profile_index().get(&id).cloned()
        && resolve_visible(ctx, std::iter::once(found))
            .await?
            .is_empty()
    {
        return Err(Error::Forbidden(format!(
            "you may not see {} {}; ask for `get` on it",
            id.kind, id.name
        )))
        .gql();
    }
    let report_name =
        id.kind
            .cluster_report_name(&id.name, reference.cluster_type, &reference.name);
    let report = snapshot.stores.cluster_reports.get(&ObjectKey::new(
        reference.namespace.clone(),
        report_name.clone(),
    ));
    let status = report.and_then(|r| r.status.as_ref());
    let resources = |reports: &mut dyn Iterator<Item = &ResourceReport>| {
        reports
            .filter(|r| r.is_change())
            .map(DryRunResourceChange::from)
            .collect::<Vec<_>>()
    };
    let helm_release_changes: Vec<DryRunHelmChange> = status
        .iter()
        .flat_map(|s| s.release_reports.iter())
        .filter(|r| r.is_change())
        .map(DryRunHelmChange::from)
        .collect();
    let resource_changes = resources(
        &mut status
            .iter()
            .flat_map(|s| s.resource_reports.iter().chain(&s.helm_resource_reports)),
    );
    let kustomize_changes = resources(
        &mut status
            .iter()
            .flat_map(|s| s.kustomize_resource_reports.iter()),
    );
    Ok(DryRunReport {
        profile_kind: id.kind.into(),
        profile_namespace: id.namespace.clone(),
        profile_name: id.name.clone(),
        report_name,
        report_missing: report.is_none(),
        has_changes: !(helm_release_changes.is_empty()
            && resource_changes.is_empty()
            && kustomize_changes.is_empty()),
        helm_release_changes,
        resource_changes,
        kustomize_changes,
    })
}
