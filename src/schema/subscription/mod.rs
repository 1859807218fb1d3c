//! The subscription root, merged from one type per subscription area. Subscriptions run over
//! WebSocket only (`/graphql/ws`, or `/graphql` by upgrade); events come from the live feed
//! (`crate::live`), which the fleet cache's watches drive.

pub mod clusters;
pub mod profiles;
pub mod tenancy;

use async_graphql::{Context, Enum, MergedSubscription};

use crate::error::{Error, ResultExt};
use crate::fleet::cache::Change;
use crate::live::LiveSession;

#[derive(MergedSubscription, Default)]
pub struct Subscription(
    clusters::ClusterSubscription,
    profiles::ProfileSubscription,
    tenancy::TenancySubscription,
);

/// What happened to the object an event carries.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChangeKind {
    Added,
    Updated,
    /// The event carries the object as it last was.
    Removed,
}

impl From<Change> for ChangeKind {
    fn from(change: Change) -> Self {
        match change {
            Change::Added => ChangeKind::Added,
            Change::Updated => ChangeKind::Updated,
            Change::Removed => ChangeKind::Removed,
        }
    }
}

/// The connection's session, set up by `connection_init`.
pub fn session(ctx: &Context<'_>) -> async_graphql::Result<LiveSession> {
    match ctx.data_opt::<LiveSession>() {
        Some(session) => Ok(session.clone()),
        None => Err(Error::bad_input(
            "subscriptions run over WebSocket: connect to /graphql/ws with the \
             graphql-transport-ws or graphql-ws protocol",
        ))
        .gql(),
    }
}
