//! Every setting of the server in one place: flag, `FLEETGRAPH_*` environment variable, default.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, ValueEnum};

/// How log lines are written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

/// Store settings, shared by `serve` and `migrate`.
#[derive(Clone, Debug, Args)]
pub struct StoreConfig {
    /// Database URL: `sqlite://PATH?mode=rwc` (embedded) or `postgres://user@host/db`.
    /// The default is an SQLite file in the working directory, created if missing.
    #[arg(
        long = "database-url",
        env = "FLEETGRAPH_DATABASE_URL",
        default_value = "sqlite://fleetgraph.db?mode=rwc"
    )]
    pub database_url: String,

    /// Maximum open connections to the database.
    #[arg(
        long,
        env = "FLEETGRAPH_DATABASE_MAX_CONNECTIONS",
        default_value_t = 10
    )]
    pub database_max_connections: u32,
}

/// GraphQL limits: what a single request may ask of the server.
#[derive(Clone, Debug, Args)]
pub struct LimitsConfig {
    /// Deepest selection nesting a query may have; deeper queries fail with QUERY_TOO_COMPLEX.
    #[arg(long, env = "FLEETGRAPH_MAX_QUERY_DEPTH", default_value_t = 15)]
    pub max_query_depth: usize,

    /// Highest complexity score a query may have (each field counts 1, connections count
    /// their page size times their selection); above it the query fails with QUERY_TOO_COMPLEX.
    #[arg(
        long,
        env = "FLEETGRAPH_MAX_QUERY_COMPLEXITY",
        default_value_t = 50_000
    )]
    pub max_query_complexity: usize,

    /// Page size used when a connection is asked without `first` or `last`.
    #[arg(long, env = "FLEETGRAPH_DEFAULT_PAGE_SIZE", default_value_t = 20)]
    pub default_page_size: usize,

    /// Largest `first` / `last` a connection accepts; asking for more is an error.
    #[arg(long, env = "FLEETGRAPH_MAX_PAGE_SIZE", default_value_t = 100)]
    pub max_page_size: usize,

    /// Largest request body accepted, in bytes; larger bodies get HTTP 413.
    #[arg(long, env = "FLEETGRAPH_MAX_BODY_BYTES", default_value_t = 256 * 1024)]
    pub max_body_bytes: usize,

    /// Time a request may take, in seconds, before it is answered with UNAVAILABLE.
    #[arg(long, env = "FLEETGRAPH_REQUEST_TIMEOUT_SECS", default_value_t = 30)]
    pub request_timeout_secs: u64,

    /// Whether schema introspection (and so GraphiQL's docs) is allowed.
    #[arg(
        long,
        env = "FLEETGRAPH_INTROSPECTION",
        default_value_t = true,
        action = clap::ArgAction::Set
    )]
    pub introspection: bool,
}

impl LimitsConfig {
    pub fn request_timeout(&self) -> Duration {
        Duration::from_secs(self.request_timeout_secs)
    }
}

impl Default for LimitsConfig {
    fn default() -> Self {
        Self {
            max_query_depth: 15,
            max_query_complexity: 50_000,
            default_page_size: 20,
            max_page_size: 100,
            max_body_bytes: 256 * 1024,
            request_timeout_secs: 30,
            introspection: true,
        }
    }
}

/// Where the management cluster (Sveltos, Cluster API) is.
#[derive(Clone, Debug, Default, Args)]
pub struct KubeConfig {
    /// Kubeconfig file for the management cluster. Unset: `KUBECONFIG`, then
    /// `~/.kube/config`, then the in-cluster service account.
    #[arg(long = "kubeconfig", env = "FLEETGRAPH_KUBECONFIG")]
    pub kubeconfig: Option<PathBuf>,

    /// Context to use from the kubeconfig; unset: its current context.
    #[arg(long = "kube-context", env = "FLEETGRAPH_KUBE_CONTEXT")]
    pub kube_context: Option<String>,
}

/// Everything `fleetgraph serve` needs.
#[derive(Clone, Debug, Args)]
pub struct ServeConfig {
    /// Address and port the HTTP server listens on.
    #[arg(long, env = "FLEETGRAPH_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

    /// Seconds to let in-flight requests finish after SIGINT/SIGTERM.
    #[arg(long, env = "FLEETGRAPH_SHUTDOWN_GRACE_SECS", default_value_t = 10)]
    pub shutdown_grace_secs: u64,

    #[command(flatten)]
    pub store: StoreConfig,

    #[command(flatten)]
    pub kube: KubeConfig,

    #[command(flatten)]
    pub limits: LimitsConfig,
}

impl ServeConfig {
    /// Settings for an in-process server on an ephemeral port with the given database (tests,
    /// demo mode).
    pub fn ephemeral(database_url: impl Into<String>) -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            shutdown_grace_secs: 5,
            store: StoreConfig {
                database_url: database_url.into(),
                database_max_connections: 5,
            },
            kube: KubeConfig::default(),
            limits: LimitsConfig::default(),
        }
    }
}
