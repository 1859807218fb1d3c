//! `profileStatusChanged`.

use async_graphql::{Context, ID, Object, Subscription};
use futures::Stream;

use super::{ChangeKind, session};
use crate::error::{Error, ResultExt};
use crate::fleet::cache::{FleetKind, ObjectKey};
use crate::fleet::kinds::{ProfileId, ProfileKind};
use crate::live::ProfileChange;
use crate::schema::node_id::NodeId;
use crate::schema::profile::ProfileNode;

/// A profile changed: its spec, its matching clusters, or the feature statuses of the clusters
/// it is deployed to.
pub struct ProfileStatusChangedEvent(ProfileChange);

#[Object]
impl ProfileStatusChangedEvent {
    async fn change(&self) -> ChangeKind {
        self.0.change.into()
    }

    /// The profile; `matchingClusters` shows each matching cluster with its features. For
    /// REMOVED, the profile as it last was.
    async fn profile(&self) -> ProfileNode {
        ProfileNode::from_fleet(self.0.profile.clone())
    }
}

#[derive(Default)]
pub struct ProfileSubscription;

#[Subscription]
impl ProfileSubscription {
    /// One ClusterProfile or Profile (by its `id`): every change of the profile, of the
    /// clusters it matches, or of their feature statuses.
    async fn profile_status_changed(
        &self,
        ctx: &Context<'_>,
        profile: ID,
    ) -> async_graphql::Result<impl Stream<Item = async_graphql::Result<ProfileStatusChangedEvent>>>
    {
        let session = session(ctx)?;
        let id = profile_id(&profile).gql()?;
        let kind = match id.kind {
            ProfileKind::ClusterProfile => FleetKind::ClusterProfile,
            ProfileKind::Profile => FleetKind::Profile,
        };
        session.check(kind).await.gql()?;
        let key = ObjectKey::new(id.namespace.clone().unwrap_or_default(), id.name.clone());
        let checker = session.clone();
        Ok(session.stream("profileStatusChanged", move |batch| {
            let checker = checker.clone();
            let key = key.clone();
            let found: Vec<ProfileChange> = batch
                .profiles
                .iter()
                .filter(|p| p.profile.id == id)
                .cloned()
                .collect();
            async move {
                if found.is_empty() {
                    return Ok(Vec::new());
                }
                let allowed = checker.visible(kind, [&key]).await?;
                if !allowed.allows(&key) {
                    checker.live.metrics.withheld(found.len());
                    return Ok(Vec::new());
                }
                Ok(found.into_iter().map(ProfileStatusChangedEvent).collect())
            }
        }))
    }
}

fn profile_id(id: &ID) -> crate::error::Result<ProfileId> {
    let decoded = NodeId::decode(id)?;
    match (decoded.type_name.as_str(), decoded.parts.as_slice()) {
        ("ClusterProfile", [name]) => Ok(ProfileId::cluster_profile(name)),
        ("NamespacedProfile", [namespace, name]) => Ok(ProfileId::profile(namespace, name)),
        _ => Err(Error::bad_field(
            "profile",
            "expected the id of a ClusterProfile or Profile",
        )),
    }
}
