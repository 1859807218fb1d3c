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

    /// Operations one WebSocket connection may run at once; more are refused with RATE_LIMITED.
    #[arg(
        long,
        env = "FLEETGRAPH_MAX_SUBSCRIPTIONS_PER_CONNECTION",
        default_value_t = 100
    )]
    pub max_subscriptions_per_connection: usize,

    /// Messages that may wait for a slow WebSocket reader; beyond that the connection is
    /// closed with 1008 (memory stays bounded).
    #[arg(long, env = "FLEETGRAPH_SUBSCRIPTION_BUFFER", default_value_t = 256)]
    pub subscription_buffer: usize,

    /// Seconds between keep-alive messages on an idle WebSocket connection.
    #[arg(long, env = "FLEETGRAPH_WS_KEEPALIVE_SECS", default_value_t = 15)]
    pub ws_keepalive_secs: u64,
}

impl LimitsConfig {
    pub fn request_timeout(&self) -> Duration {
        Duration::from_secs(self.request_timeout_secs)
    }

    pub fn ws_keepalive(&self) -> Duration {
        Duration::from_secs(self.ws_keepalive_secs.max(1))
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
            max_subscriptions_per_connection: 100,
            subscription_buffer: 256,
            ws_keepalive_secs: 15,
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

    /// URL of the Sveltos MCP server (streamable HTTP), e.g.
    /// `http://mcp-server.projectsveltos.svc.cluster.local`; unset: diagnostics are UNAVAILABLE.
    #[arg(long = "sveltos-mcp-url", env = "FLEETGRAPH_SVELTOS_MCP_URL")]
    pub sveltos_mcp_url: Option<String>,

    /// Seconds one MCP diagnostic may take (connect, initialize, call).
    #[arg(
        long = "sveltos-mcp-timeout-secs",
        env = "FLEETGRAPH_SVELTOS_MCP_TIMEOUT_SECS",
        default_value_t = 30
    )]
    pub sveltos_mcp_timeout_secs: u64,
}

/// Signing algorithm of fleetgraph JWTs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum JwtAlgorithm {
    /// HMAC-SHA256 with a shared secret (`--jwt-secret` / `--jwt-secret-file`).
    #[default]
    #[value(name = "HS256")]
    Hs256,
    /// RSA-SHA256 with PEM keys (`--jwt-private-key-file`, `--jwt-public-key-file`).
    #[value(name = "RS256")]
    Rs256,
    /// Ed25519 with PEM keys (`--jwt-private-key-file`, `--jwt-public-key-file`).
    #[value(name = "EdDSA")]
    EdDsa,
}

/// How callers prove who they are, and what protects the server from them.
#[derive(Clone, Debug, Args)]
pub struct AuthConfig {
    /// Trust every caller as an admin. Only for demos and local experiments: the server logs a
    /// warning at start and `viewer.authKind` is DISABLED.
    #[arg(long, env = "FLEETGRAPH_AUTH_DISABLED", default_value_t = false, action = clap::ArgAction::Set, num_args = 0..=1, default_missing_value = "true")]
    pub auth_disabled: bool,

    #[command(flatten)]
    pub jwt: JwtConfig,

    /// Audiences requested in TokenReview for Kubernetes tokens (comma-separated); empty uses
    /// the API server's default audience.
    #[arg(long, env = "FLEETGRAPH_TOKEN_REVIEW_AUDIENCES", value_delimiter = ',')]
    pub token_review_audiences: Vec<String>,

    /// Seconds a TokenReview or SubjectAccessReview result is reused for the same token or
    /// principal.
    #[arg(long, env = "FLEETGRAPH_AUTH_CACHE_TTL_SECS", default_value_t = 30)]
    pub auth_cache_ttl_secs: u64,

    /// fleetgraph roles granted to Kubernetes groups, as `group=role` pairs (comma-separated),
    /// e.g. `platform-admins=admin,sre=ops,auditors=readOnly`.
    #[arg(long, env = "FLEETGRAPH_KUBE_GROUP_ROLES", value_delimiter = ',')]
    pub kube_group_roles: Vec<String>,

    /// Requests per second each principal may make (token bucket); 0 switches the limit off.
    #[arg(long, env = "FLEETGRAPH_RATE_LIMIT_PER_SECOND", default_value_t = 50)]
    pub rate_limit_per_second: u32,

    /// Burst a principal may spend at once above its steady rate.
    #[arg(long, env = "FLEETGRAPH_RATE_LIMIT_BURST", default_value_t = 100)]
    pub rate_limit_burst: u32,

    /// Browser origins allowed to call the API cross-site (comma-separated, e.g.
    /// `https://dashboard.example.com`); empty allows none.
    #[arg(long, env = "FLEETGRAPH_CORS_ALLOWED_ORIGINS", value_delimiter = ',')]
    pub cors_allowed_origins: Vec<String>,
}

impl Default for AuthConfig {
    fn default() -> Self {
        Self {
            auth_disabled: false,
            jwt: JwtConfig::default(),
            token_review_audiences: Vec::new(),
            auth_cache_ttl_secs: 30,
            kube_group_roles: Vec::new(),
            rate_limit_per_second: 50,
            rate_limit_burst: 100,
            cors_allowed_origins: Vec::new(),
        }
    }
}

/// fleetgraph JWT keys and claims checks, shared by `serve` and `token issue`.
#[derive(Clone, Debug, Args)]
pub struct JwtConfig {
    /// Algorithm fleetgraph tokens are signed with; tokens with any other algorithm are refused.
    #[arg(long, env = "FLEETGRAPH_JWT_ALGORITHM", value_enum, default_value_t = JwtAlgorithm::Hs256)]
    pub jwt_algorithm: JwtAlgorithm,

    /// HS256 shared secret (at least 32 bytes). Prefer `--jwt-secret-file`.
    #[arg(long, env = "FLEETGRAPH_JWT_SECRET", hide_env_values = true)]
    pub jwt_secret: Option<String>,

    /// File holding the HS256 shared secret.
    #[arg(long, env = "FLEETGRAPH_JWT_SECRET_FILE")]
    pub jwt_secret_file: Option<PathBuf>,

    /// PEM private key for RS256 / EdDSA (needed to issue tokens).
    #[arg(long, env = "FLEETGRAPH_JWT_PRIVATE_KEY_FILE")]
    pub jwt_private_key_file: Option<PathBuf>,

    /// PEM public key for RS256 / EdDSA (needed to verify tokens).
    #[arg(long, env = "FLEETGRAPH_JWT_PUBLIC_KEY_FILE")]
    pub jwt_public_key_file: Option<PathBuf>,

    /// `iss` claim written and required.
    #[arg(long, env = "FLEETGRAPH_JWT_ISSUER", default_value = "fleetgraph")]
    pub jwt_issuer: String,

    /// `aud` claim written and required.
    #[arg(long, env = "FLEETGRAPH_JWT_AUDIENCE", default_value = "fleetgraph")]
    pub jwt_audience: String,

    /// Clock skew tolerated on `exp` and `nbf`, in seconds (at most 300).
    #[arg(long, env = "FLEETGRAPH_JWT_LEEWAY_SECS", default_value_t = 30)]
    pub jwt_leeway_secs: u64,

    /// Longest lifetime of an issued token, in seconds.
    #[arg(long, env = "FLEETGRAPH_JWT_MAX_TTL_SECS", default_value_t = 30 * 24 * 3600)]
    pub jwt_max_ttl_secs: u64,
}

impl Default for JwtConfig {
    fn default() -> Self {
        Self {
            jwt_algorithm: JwtAlgorithm::Hs256,
            jwt_secret: None,
            jwt_secret_file: None,
            jwt_private_key_file: None,
            jwt_public_key_file: None,
            jwt_issuer: "fleetgraph".to_string(),
            jwt_audience: "fleetgraph".to_string(),
            jwt_leeway_secs: 30,
            jwt_max_ttl_secs: 30 * 24 * 3600,
        }
    }
}

/// The tenancy side: registered clusters' secrets and how their API servers are called.
#[derive(Clone, Debug, Args)]
pub struct TenancyConfig {
    /// Key sealing stored kubeconfigs (AES-256-GCM): 32 bytes, base64-encoded. Prefer
    /// `--encryption-key-file`. Without a key, clusters cannot be registered.
    #[arg(long, env = "FLEETGRAPH_ENCRYPTION_KEY", hide_env_values = true)]
    pub encryption_key: Option<String>,

    /// File holding the sealing key (base64 of 32 bytes, or the 32 raw bytes).
    #[arg(long, env = "FLEETGRAPH_ENCRYPTION_KEY_FILE")]
    pub encryption_key_file: Option<PathBuf>,

    /// Files of earlier sealing keys (comma-separated), still accepted for reading during a
    /// key rotation; new values are always sealed with the current key.
    #[arg(
        long,
        env = "FLEETGRAPH_ENCRYPTION_PREVIOUS_KEY_FILES",
        value_delimiter = ','
    )]
    pub encryption_previous_key_files: Vec<PathBuf>,

    /// Seconds a call to a registered cluster's API server may take.
    #[arg(long, env = "FLEETGRAPH_CLUSTER_TIMEOUT_SECS", default_value_t = 10)]
    pub cluster_timeout_secs: u64,

    /// Seconds between usage samples of every tenant and project (ResourceQuota status into
    /// the store, for average and peak over a range); 0 switches sampling off.
    #[arg(
        long,
        env = "FLEETGRAPH_USAGE_SAMPLE_INTERVAL_SECS",
        default_value_t = 300
    )]
    pub usage_sample_interval_secs: u64,
}

impl Default for TenancyConfig {
    fn default() -> Self {
        Self {
            encryption_key: None,
            encryption_key_file: None,
            encryption_previous_key_files: Vec::new(),
            cluster_timeout_secs: 10,
            usage_sample_interval_secs: 300,
        }
    }
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

    #[command(flatten)]
    pub auth: AuthConfig,

    #[command(flatten)]
    pub tenancy: TenancyConfig,
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
            auth: AuthConfig::default(),
            tenancy: TenancyConfig::default(),
        }
    }
}
