//! The command line: `serve`, `demo`, `migrate`, `schema`, `token`.

use clap::{Parser, Subcommand};

use std::time::Duration;

use crate::config::{JwtConfig, LogFormat, ServeConfig, StoreConfig};
use crate::demo::DemoConfig;

#[derive(Debug, Parser)]
#[command(
    name = "fleetgraph",
    version,
    about = "One GraphQL graph over a Kubernetes fleet: Sveltos add-ons and tenancy",
    long_about = None
)]
pub struct Cli {
    /// Log line format.
    #[arg(long, env = "FLEETGRAPH_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,

    #[command(subcommand)]
    pub command: Command,
}

// Parsed once at start; boxing `serve`'s settings would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the GraphQL API (GraphiQL at GET /graphql in a browser).
    Serve(ServeConfig),
    /// A playground with no cluster needed: an embedded Kubernetes API (kubesim) holding a
    /// generated Sveltos / Cluster API fleet, an SQLite store, GraphiQL, and statuses that change.
    Demo(DemoConfig),
    /// Apply pending database migrations and exit.
    Migrate(StoreConfig),
    /// Print the GraphQL schema (SDL) to standard output.
    Schema,
    /// fleetgraph tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Sign a token with the configured key and print it (the first admin token comes from here).
    Issue(TokenIssueArgs),
}

#[derive(Debug, clap::Args)]
pub struct TokenIssueArgs {
    /// Who the token speaks for (`sub`).
    #[arg(long)]
    pub subject: String,

    /// Roles (comma-separated): admin, ops, tenantOwner, projectDev, readOnly.
    #[arg(long, value_delimiter = ',', required = true)]
    pub roles: Vec<String>,

    /// Tenants scoped roles apply to (comma-separated).
    #[arg(long, value_delimiter = ',')]
    pub tenants: Vec<String>,

    /// `tenant/project` pairs project-scoped roles apply to (comma-separated).
    #[arg(long, value_delimiter = ',')]
    pub projects: Vec<String>,

    /// Lifetime, e.g. `30m`, `24h`, `7d`.
    #[arg(long, default_value = "24h", value_parser = humantime::parse_duration)]
    pub ttl: Duration,

    #[command(flatten)]
    pub jwt: JwtConfig,
}
