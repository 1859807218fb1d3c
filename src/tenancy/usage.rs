//! Usage of a tenant or project: current values from the ResourceQuota status of its
//! namespaces, and average / peak over a range from samples the sampler stores periodically.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use k8s_openapi::api::core::v1::{Namespace, ResourceQuota};
use kube::Api;
use kube::api::ListParams;
use uuid::Uuid;

use crate::error::{Error, Result};
use crate::store::Store;
use crate::store::tenancy::projects::Model as ProjectRow;
use crate::store::tenancy::tenants::Model as TenantRow;
use crate::store::usage::{Reading, SampleRow};
use crate::tenancy::Tenancy;
use crate::tenancy::apps::cluster::kube_error;

/// Capsule's label on every namespace of a tenant.
pub const TENANT_LABEL: &str = "capsule.clastix.io/tenant";

/// The ranges the legacy API accepted (`range` query parameter).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UsageRange {
    Hour,
    Day,
    Week,
    Month,
}

impl UsageRange {
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "1h" => Ok(Self::Hour),
            "24h" => Ok(Self::Day),
            "7d" => Ok(Self::Week),
            "30d" => Ok(Self::Month),
            other => Err(Error::bad_field(
                "range",
                format!("unknown range {other:?}: use 1h, 24h, 7d or 30d"),
            )),
        }
    }

    pub fn duration(self) -> Duration {
        match self {
            Self::Hour => Duration::hours(1),
            Self::Day => Duration::hours(24),
            Self::Week => Duration::days(7),
            Self::Month => Duration::days(30),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Hour => "1h",
            Self::Day => "24h",
            Self::Week => "7d",
            Self::Month => "30d",
        }
    }
}

/// Whose namespaces count.
#[derive(Clone, Debug, PartialEq)]
pub enum Namespaces {
    /// Every namespace labelled for this Capsule tenant.
    Tenant(String),
    /// One project namespace.
    One(String),
}

/// A Kubernetes quantity in base units (cores, bytes, counts); `None` when malformed.
pub fn parse_quantity(text: &str) -> Option<f64> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '+' || c == '-'))
        .unwrap_or(text.len());
    let (number, suffix) = text.split_at(split);
    let value: f64 = number.parse().ok()?;
    let factor = match suffix {
        "" => 1.0,
        "n" => 1e-9,
        "u" => 1e-6,
        "m" => 1e-3,
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "P" => 1e15,
        "E" => 1e18,
        "Ki" => 1024.0,
        "Mi" => 1024f64.powi(2),
        "Gi" => 1024f64.powi(3),
        "Ti" => 1024f64.powi(4),
        "Pi" => 1024f64.powi(5),
        "Ei" => 1024f64.powi(6),
        s if s.starts_with(['e', 'E']) => 10f64.powi(s[1..].parse::<i32>().ok()?),
        _ => return None,
    };
    Some(value * factor)
}

async fn namespaces(client: &kube::Client, which: &Namespaces) -> Result<Vec<String>> {
    match which {
        Namespaces::One(ns) => Ok(vec![ns.clone()]),
        Namespaces::Tenant(tenant) => {
            let api: Api<Namespace> = Api::all(client.clone());
            let list = api
                .list(&ListParams::default().labels(&format!("{TENANT_LABEL}={tenant}")))
                .await
                .map_err(|e| {
                    kube_error(&format!("listing the namespaces of tenant {tenant}"), e)
                })?;
            let mut names: Vec<String> = list
                .items
                .into_iter()
                .filter_map(|n| n.metadata.name)
                .collect();
            names.sort();
            Ok(names)
        }
    }
}

/// Sums `status.used` and `status.hard` (else `spec.hard`) per resource over the quotas of the
/// namespaces, in resource-name order.
pub fn sum_quotas(quotas: &[ResourceQuota]) -> Vec<Reading> {
    let mut used: BTreeMap<String, f64> = BTreeMap::new();
    let mut hard: BTreeMap<String, f64> = BTreeMap::new();
    for quota in quotas {
        let status = quota.status.as_ref();
        let hard_map = status
            .and_then(|s| s.hard.as_ref())
            .or_else(|| quota.spec.as_ref().and_then(|s| s.hard.as_ref()));
        for (resource, q) in hard_map.into_iter().flatten() {
            if let Some(v) = parse_quantity(&q.0) {
                *hard.entry(resource.clone()).or_default() += v;
                used.entry(resource.clone()).or_default();
            }
        }
        for (resource, q) in status.and_then(|s| s.used.as_ref()).into_iter().flatten() {
            if let Some(v) = parse_quantity(&q.0) {
                *used.entry(resource.clone()).or_default() += v;
            }
        }
    }
    used.into_iter()
        .map(|(resource, used)| Reading {
            hard: hard.get(&resource).copied(),
            resource,
            used,
        })
        .collect()
}

/// The current readings, from the ResourceQuotas of the namespaces.
pub async fn current(client: &kube::Client, which: &Namespaces) -> Result<Vec<Reading>> {
    let mut quotas = Vec::new();
    for ns in namespaces(client, which).await? {
        let api: Api<ResourceQuota> = Api::namespaced(client.clone(), &ns);
        let list = api
            .list(&ListParams::default())
            .await
            .map_err(|e| kube_error(&format!("listing the ResourceQuotas of {ns}"), e))?;
        quotas.extend(list.items);
    }
    Ok(sum_quotas(&quotas))
}

/// One resource over a range.
#[derive(Clone, Debug, PartialEq)]
pub struct Aggregate {
    pub resource: String,
    pub current: f64,
    pub average: f64,
    pub peak: f64,
    pub hard: Option<f64>,
    /// Readings the average and peak are over (stored samples plus the current reading).
    pub samples: u64,
}

/// Combines the current readings with the stored samples of the range.
pub fn aggregate(current: &[Reading], samples: &[SampleRow]) -> Vec<Aggregate> {
    let mut series: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    for s in samples {
        series.entry(s.resource.as_str()).or_default().push(s.used);
    }
    let now: BTreeMap<&str, &Reading> = current.iter().map(|r| (r.resource.as_str(), r)).collect();
    let mut names: Vec<&str> = series.keys().copied().chain(now.keys().copied()).collect();
    names.sort();
    names.dedup();
    names
        .into_iter()
        .map(|name| {
            let mut values = series.get(name).cloned().unwrap_or_default();
            let reading = now.get(name);
            if let Some(r) = reading {
                values.push(r.used);
            }
            let n = values.len().max(1) as f64;
            Aggregate {
                resource: name.to_string(),
                current: reading.map(|r| r.used).unwrap_or(0.0),
                average: values.iter().sum::<f64>() / n,
                peak: values.iter().copied().fold(0.0, f64::max),
                hard: reading.and_then(|r| r.hard),
                samples: values.len() as u64,
            }
        })
        .collect()
}

/// Usage of one scope (`tenant` or `project`) over a range.
pub async fn usage(
    store: &Store,
    client: &kube::Client,
    scope: &str,
    scope_id: Uuid,
    which: &Namespaces,
    range: UsageRange,
    now: DateTime<Utc>,
) -> Result<Vec<Aggregate>> {
    let readings = current(client, which).await?;
    let samples = store
        .usage_samples(scope, scope_id, now - range.duration())
        .await?;
    Ok(aggregate(&readings, &samples))
}

/// Takes one sample of a scope and stores it.
pub async fn sample(
    store: &Store,
    client: &kube::Client,
    scope: &str,
    scope_id: Uuid,
    which: &Namespaces,
    at: DateTime<Utc>,
) -> Result<Vec<Reading>> {
    let readings = current(client, which).await?;
    store.record_usage(scope, scope_id, at, &readings).await?;
    Ok(readings)
}

/// The scope names samples are stored under.
pub const TENANT_SCOPE: &str = "tenant";
pub const PROJECT_SCOPE: &str = "project";

/// Usage of a tenant: every namespace Capsule counts for it in its cluster.
pub async fn of_tenant(
    t: &Tenancy,
    tenant: &TenantRow,
    range: UsageRange,
    now: DateTime<Utc>,
) -> Result<Vec<Aggregate>> {
    let cluster = t.store.cluster_required(tenant.cluster_id).await?;
    let client = t.pool.client(&cluster).await?;
    let which = Namespaces::Tenant(tenant.name.clone());
    usage(
        &t.store,
        &client,
        TENANT_SCOPE,
        tenant.id,
        &which,
        range,
        now,
    )
    .await
}

/// Usage of a project: its one namespace.
pub async fn of_project(
    t: &Tenancy,
    project: &ProjectRow,
    range: UsageRange,
    now: DateTime<Utc>,
) -> Result<Vec<Aggregate>> {
    let cluster = t.store.cluster_required(project.cluster_id).await?;
    let client = t.pool.client(&cluster).await?;
    let which = Namespaces::One(project.namespace.clone());
    usage(
        &t.store,
        &client,
        PROJECT_SCOPE,
        project.id,
        &which,
        range,
        now,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities() {
        assert_eq!(parse_quantity("500m"), Some(0.5));
        assert_eq!(parse_quantity("2"), Some(2.0));
        assert_eq!(parse_quantity("4Gi"), Some(4.0 * 1024f64.powi(3)));
        assert_eq!(parse_quantity("1k"), Some(1000.0));
        assert_eq!(parse_quantity("1e3"), Some(1000.0));
        assert_eq!(parse_quantity("1.5"), Some(1.5));
        assert_eq!(parse_quantity("x"), None);
        assert_eq!(parse_quantity("1Q"), None);
    }

    #[test]
    fn ranges() {
        assert_eq!(UsageRange::parse("7d").expect("ok"), UsageRange::Week);
        assert!(UsageRange::parse("2h").is_err());
    }

    fn sample(resource: &str, used: f64) -> SampleRow {
        SampleRow {
            id: Uuid::new_v4(),
            scope: "tenant".into(),
            scope_id: Uuid::nil(),
            at: Utc::now(),
            resource: resource.into(),
            used,
            hard: None,
        }
    }

    #[test]
    fn average_and_peak_include_the_current_reading() {
        let current = vec![Reading {
            resource: "pods".into(),
            used: 4.0,
            hard: Some(10.0),
        }];
        let samples = vec![sample("pods", 2.0), sample("pods", 6.0), sample("cpu", 1.0)];
        let out = aggregate(&current, &samples);
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].resource, "cpu");
        assert_eq!((out[0].current, out[0].peak, out[0].samples), (0.0, 1.0, 1));
        let pods = &out[1];
        assert_eq!((pods.current, pods.average, pods.peak), (4.0, 4.0, 6.0));
        assert_eq!((pods.hard, pods.samples), (Some(10.0), 3));
    }
}
