//! `Tenant.usage(range)` / `Project.usage(range)`: current ResourceQuota usage from the cluster
//! with average and peak over the range from the sampler's stored readings.

use async_graphql::SimpleObject;
use chrono::{DateTime, Utc};

use crate::error::Result;
use crate::tenancy::usage::{Aggregate, UsageRange};

/// One quota resource over the range. Values are in base units: cores for CPU, bytes for
/// memory and storage, a count otherwise.
#[derive(SimpleObject, Clone, Debug)]
pub struct UsageResource {
    /// The quota resource name, e.g. `requests.cpu`, `pods`.
    pub resource: String,
    /// `status.used` now, summed over the namespaces.
    pub current: f64,
    /// Mean of the stored samples in the range and the current reading.
    pub average: f64,
    /// Highest of the stored samples in the range and the current reading.
    pub peak: f64,
    /// The quota's hard limit now, when one is set.
    pub hard: Option<f64>,
    /// How many readings `average` and `peak` are over.
    pub samples: u64,
}

/// Usage of a tenant or project.
#[derive(SimpleObject, Clone, Debug)]
pub struct Usage {
    /// `1h`, `24h`, `7d` or `30d`.
    pub range: String,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// By resource name.
    pub resources: Vec<UsageResource>,
}

/// The range argument (default `24h`), checked.
pub fn parse_range(range: Option<String>) -> Result<UsageRange> {
    UsageRange::parse(range.as_deref().unwrap_or("24h"))
}

pub fn usage_out(range: UsageRange, now: DateTime<Utc>, aggregates: Vec<Aggregate>) -> Usage {
    Usage {
        range: range.as_str().to_string(),
        from: now - range.duration(),
        to: now,
        resources: aggregates
            .into_iter()
            .map(|a| UsageResource {
                resource: a.resource,
                current: a.current,
                average: a.average,
                peak: a.peak,
                hard: a.hard,
                samples: a.samples,
            })
            .collect(),
    }
}
