//! The periodic usage sampler: every interval, one reading of every tenant and project from the
//! ResourceQuota status in its cluster goes into the store, so `usage(range)` can report average
//! and peak. An unreachable cluster costs its own scopes that round, nothing else.

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use super::Tenancy;
use super::usage::{self, Namespaces, PROJECT_SCOPE, TENANT_SCOPE};
use crate::error::Result;

/// Samples older than the longest range (30 days) plus a day are pruned.
const KEEP: chrono::Duration = chrono::Duration::days(31);

/// What one round did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SampleReport {
    pub sampled: usize,
    pub failed: usize,
}

struct Scope {
    kind: &'static str,
    id: Uuid,
    cluster_id: Uuid,
    which: Namespaces,
}

async fn scopes(t: &Tenancy) -> Result<Vec<Scope>> {
    let mut out: Vec<Scope> = t
        .store
        .tenants(None)
        .await?
        .into_iter()
        .map(|tn| Scope {
            kind: TENANT_SCOPE,
            id: tn.id,
            cluster_id: tn.cluster_id,
            which: Namespaces::Tenant(tn.name),
        })
        .collect();
    out.extend(t.store.projects(None).await?.into_iter().map(|p| Scope {
        kind: PROJECT_SCOPE,
        id: p.id,
        cluster_id: p.cluster_id,
        which: Namespaces::One(p.namespace),
    }));
    Ok(out)
}

/// Takes one sample of every tenant and project, all stamped `at`, and prunes old samples.
pub async fn sample_all(t: &Tenancy, at: DateTime<Utc>) -> Result<SampleReport> {
    let clusters: HashMap<Uuid, _> = t
        .store
        .clusters()
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    let mut report = SampleReport::default();
    for scope in scopes(t).await? {
        let Some(cluster) = clusters.get(&scope.cluster_id) else {
            continue;
        };
        let outcome = match t.pool.client(cluster).await {
            Ok(client) => {
                usage::sample(&t.store, &client, scope.kind, scope.id, &scope.which, at).await
            }
            Err(e) => Err(e),
        };
        match outcome {
            Ok(_) => report.sampled += 1,
            Err(e) => {
                report.failed += 1;
                tracing::warn!(scope = scope.kind, id = %scope.id, cluster = %cluster.name,
                    error = %e, "usage sample failed");
            }
        }
    }
    t.store.prune_usage(at - KEEP).await?;
    Ok(report)
}

/// Runs [`sample_all`] every `every` until `stop` is cancelled (a round in flight is dropped).
/// A zero interval disables sampling.
pub fn spawn(t: Tenancy, every: Duration, stop: CancellationToken) -> Option<JoinHandle<()>> {
    if every.is_zero() {
        tracing::info!("usage sampling is off (usage-sample-interval-secs = 0)");
        return None;
    }
    Some(tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = stop.cancelled() => break,
                _ = tick.tick() => {}
            }
            tokio::select! {
                _ = stop.cancelled() => break,
                result = sample_all(&t, Utc::now()) => match result {
                    Ok(report) => tracing::debug!(sampled = report.sampled,
                        failed = report.failed, "usage sampled"),
                    Err(e) => tracing::warn!(error = %e, "usage sampling round failed"),
                },
            }
        }
    }))
}
