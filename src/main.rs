use std::process::ExitCode;

use clap::Parser;
use fleetgraph::cli::{Cli, Command};
use fleetgraph::{schema, server, store, telemetry};

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    telemetry::init(cli.log_format);
    let result = match cli.command {
        Command::Serve(config) => server::run(&config).await,
        Command::Migrate(config) => migrate(&config).await,
        Command::Schema => {
            print!("{}", schema::sdl());
            Ok(())
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %e, code = %e.code(), "fleetgraph failed");
            eprintln!("fleetgraph: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn migrate(config: &fleetgraph::config::StoreConfig) -> fleetgraph::error::Result<()> {
    let store = store::Store::connect(config).await?;
    store.migrate().await?;
    let applied = store.applied_migrations().await?;
    println!(
        "{} migrations applied on {}: {}",
        applied.len(),
        store::redact(&config.database_url),
        applied.join(", ")
    );
    Ok(())
}
