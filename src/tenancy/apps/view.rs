//! Read models of an app: its status from the Application, its revisions matched with
//! KubeVela's ApplicationRevisions.

use serde_json::Value;

use super::vela::{
    Application, ApplicationRevision, PUBLISH_VERSION, ServiceStatus, WorkflowStatus,
};
use crate::store::apps::RevisionRow;

#[derive(Clone, Debug, PartialEq, Default)]
pub struct AppStatus {
    /// False when the Application is missing from the cluster.
    pub present: bool,
    /// KubeVela's phase (`status.status`), `pending` until KubeVela reports one.
    pub phase: String,
    /// Every service reports healthy (false when none is reported).
    pub healthy: bool,
    pub suspended: bool,
    pub publish_version: Option<String>,
    pub latest_revision: Option<String>,
    pub observed_generation: Option<i64>,
    pub workflow: Option<WorkflowStatus>,
    pub services: Vec<ServiceStatus>,
    pub conditions: Vec<Value>,
}

impl AppStatus {
    pub fn of(app: Option<&Application>) -> AppStatus {
        let Some(app) = app else {
            return AppStatus {
                phase: "missing".into(),
                ..Default::default()
            };
        };
        let status = app.status.clone().unwrap_or_default();
        AppStatus {
            present: true,
            phase: status.status.clone().unwrap_or_else(|| "pending".into()),
            healthy: !status.services.is_empty() && status.services.iter().all(|s| s.healthy),
            suspended: status.workflow.as_ref().is_some_and(|w| w.suspend),
            publish_version: app
                .metadata
                .annotations
                .as_ref()
                .and_then(|a| a.get(PUBLISH_VERSION).cloned()),
            latest_revision: status.latest_revision.as_ref().map(|r| r.name.clone()),
            observed_generation: status.observed_generation,
            workflow: status.workflow,
            services: status.services,
            conditions: status.conditions,
        }
    }
}

/// A stored revision and, when KubeVela has made it, its ApplicationRevision's name.
#[derive(Clone, Debug, PartialEq)]
pub struct Revision {
    pub row: RevisionRow,
    pub application_revision: Option<String>,
}

/// Pairs rows with objects by publishVersion (each object used once, the newest first when
/// KubeVela made several for one version).
pub fn match_revisions(rows: Vec<RevisionRow>, objects: &[ApplicationRevision]) -> Vec<Revision> {
    let mut by_version: Vec<(String, String)> = objects
        .iter()
        .filter_map(|o| Some((o.publish_version()?, o.metadata.name.clone()?)))
        .collect();
    by_version.sort();
    rows.into_iter()
        .map(|row| {
            let application_revision = by_version
                .iter()
                .rev()
                .find(|(v, _)| *v == row.publish_version)
                .map(|(_, name)| name.clone());
            Revision {
                row,
                application_revision,
            }
        })
        .collect()
}
