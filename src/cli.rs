//! The command line: `serve`, `migrate`, `schema`.

use clap::{Parser, Subcommand};

use crate::config::{LogFormat, ServeConfig, StoreConfig};

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

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the GraphQL API (GraphiQL at GET /graphql in a browser).
    Serve(ServeConfig),
    /// Apply pending database migrations and exit.
    Migrate(StoreConfig),
    /// Print the GraphQL schema (SDL) to standard output.
    Schema,
}
