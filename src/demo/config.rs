//! Settings of `fleetgraph demo`, and the fleet they ask for.

use std::net::SocketAddr;

use clap::Args;

use crate::config::LimitsConfig;
use crate::error::{Error, Result};
use crate::fleet::generator::FleetSpec;

/// Largest fleet the demo generates (the benchmark fleet of graph.md).
pub const MAX_CLUSTERS: usize = 10_000;

/// Everything `fleetgraph demo` needs; nothing else has to exist.
#[derive(Clone, Debug, Args)]
pub struct DemoConfig {
    /// Address and port the GraphQL server listens on (port 0: any free port).
    #[arg(long, env = "FLEETGRAPH_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

    /// Clusters in the generated fleet (CAPI and Sveltos); profiles, summaries and the rest
    /// grow with it. 10000 is the benchmark fleet.
    #[arg(long, default_value_t = 120, value_parser = clap::value_parser!(u32).range(1..=MAX_CLUSTERS as i64))]
    pub clusters: u32,

    /// Seed of the fleet generator: the same seed gives the same fleet.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,

    /// Database URL; unset: a fresh SQLite file in a temporary directory, removed at exit.
    #[arg(long = "database-url", env = "FLEETGRAPH_DEMO_DATABASE_URL")]
    pub database_url: Option<String>,

    /// Require tokens (the printed admin token, or Kubernetes tokens of the embedded cluster).
    /// Without it authentication is disabled and every caller is an admin.
    #[arg(long, default_value_t = false)]
    pub auth: bool,

    /// Seconds between status changes in the fleet (0: the fleet stays still).
    #[arg(long, default_value_t = 5)]
    pub pulse_secs: u64,

    /// Address the embedded management cluster (kubesim) listens on; port 0: any free port.
    #[arg(long, default_value = "127.0.0.1:0")]
    pub kube_listen: SocketAddr,

    #[command(flatten)]
    pub limits: LimitsConfig,
}

impl DemoConfig {
    /// A small, quiet demo on ephemeral ports (tests).
    pub fn ephemeral(clusters: u32) -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            clusters,
            seed: 42,
            database_url: None,
            auth: false,
            pulse_secs: 0,
            kube_listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            limits: LimitsConfig::default(),
        }
    }
}

/// The generated fleet for `--clusters N`: the proportions of [`FleetSpec::demo`] (120 clusters)
/// scaled to N, so every kind of object and outcome is present at any size.
pub fn fleet_spec(config: &DemoConfig) -> Result<FleetSpec> {
    let clusters = config.clusters as usize;
    if clusters == 0 || clusters > MAX_CLUSTERS {
        return Err(Error::bad_field(
            "clusters",
            format!("the demo fleet holds 1 to {MAX_CLUSTERS} clusters"),
        ));
    }
    let base = FleetSpec::demo(config.seed);
    let scale = |n: usize, min: usize| (n * clusters / base.clusters).max(min);
    Ok(FleetSpec {
        seed: config.seed,
        namespaces: scale(base.namespaces, 1).min(20),
        clusters,
        capi: true,
        profiles: scale(base.profiles, 4),
        summaries: scale(base.summaries, 8),
        configurations: clusters,
        event_sources: scale(base.event_sources, 2).min(40),
        event_triggers: scale(base.event_triggers, 3).min(60),
        classifiers: scale(base.classifiers, 2).min(40),
        management_classifiers: scale(base.management_classifiers, 1).min(10),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_size_is_the_demo_fleet() {
        let spec = fleet_spec(&DemoConfig::ephemeral(120)).unwrap();
        assert_eq!(spec, FleetSpec::demo(42));
    }

    #[test]
    fn small_and_large_fleets_keep_every_kind() {
        let small = fleet_spec(&DemoConfig::ephemeral(3)).unwrap();
        assert_eq!(small.clusters, 3);
        assert!(small.profiles >= 4 && small.summaries >= 8 && small.classifiers >= 2);
        let large = fleet_spec(&DemoConfig::ephemeral(10_000)).unwrap();
        assert_eq!(large.profiles, 2_500);
        assert_eq!(large.summaries, 25_000);
        assert_eq!(large.namespaces, 20);
    }

    #[test]
    fn sizes_outside_the_range_are_refused() {
        assert!(fleet_spec(&DemoConfig::ephemeral(0)).is_err());
        assert!(fleet_spec(&DemoConfig::ephemeral(10_001)).is_err());
    }
}
