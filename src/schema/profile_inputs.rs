//! Inputs and enums of the profile lists: sync modes, filters, orders.

use async_graphql::{Enum, InputObject};

use crate::fleet::kinds::SyncMode;
use crate::fleet::query::profiles::ProfileQuery;
use crate::schema::addons::ProfileKind;
use crate::schema::cluster::OrderDirection;

/// `spec.syncMode`.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(name = "SyncMode")]
pub enum SyncModeValue {
    OneTime,
    Continuous,
    ContinuousWithDriftDetection,
    /// Only reports what would change (see a cluster's `dryRun`).
    DryRun,
    /// A mode this server does not know.
    Unknown,
}

impl From<&SyncMode> for SyncModeValue {
    fn from(mode: &SyncMode) -> Self {
        match mode {
            SyncMode::OneTime => SyncModeValue::OneTime,
            SyncMode::Continuous => SyncModeValue::Continuous,
            SyncMode::ContinuousWithDriftDetection => SyncModeValue::ContinuousWithDriftDetection,
            SyncMode::DryRun => SyncModeValue::DryRun,
            SyncMode::Other(_) => SyncModeValue::Unknown,
        }
    }
}

impl From<SyncModeValue> for SyncMode {
    fn from(mode: SyncModeValue) -> Self {
        match mode {
            SyncModeValue::OneTime => SyncMode::OneTime,
            SyncModeValue::Continuous => SyncMode::Continuous,
            SyncModeValue::ContinuousWithDriftDetection => SyncMode::ContinuousWithDriftDetection,
            SyncModeValue::DryRun => SyncMode::DryRun,
            SyncModeValue::Unknown => SyncMode::Other(String::new()),
        }
    }
}

#[derive(InputObject, Default)]
pub struct ProfileFilter {
    pub kind: Option<ProfileKind>,
    /// Case-insensitive substring of the namespace; ClusterProfiles never match a non-empty one.
    pub namespace: Option<String>,
    /// Case-insensitive substring of the name.
    pub name: Option<String>,
    pub sync_mode: Option<SyncModeValue>,
    /// `true`: only DryRun profiles; `false`: only the others.
    pub dry_run: Option<bool>,
}

impl From<ProfileFilter> for ProfileQuery {
    fn from(f: ProfileFilter) -> Self {
        ProfileQuery {
            kind: f.kind.map(Into::into),
            namespace: f.namespace,
            name: f.name,
            sync_mode: f.sync_mode.map(Into::into),
            dry_run: f.dry_run,
        }
    }
}

#[derive(Enum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ProfileOrderField {
    /// Namespace (ClusterProfiles, which have none, first), then name, then kind.
    #[default]
    NamespaceName,
    /// Name, then namespace, then kind.
    Name,
    /// Tier, then namespace, name, kind.
    Tier,
}

#[derive(InputObject, Default)]
pub struct ProfileOrderBy {
    #[graphql(default)]
    pub field: ProfileOrderField,
    #[graphql(default)]
    pub direction: OrderDirection,
}
