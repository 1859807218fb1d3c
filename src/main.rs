use std::process::ExitCode;

use clap::Parser;
use fleetgraph::auth::jwt::{JwtKeys, TokenRequest};
use fleetgraph::auth::roles::parse_roles;
use fleetgraph::cli::{Cli, Command, TokenCommand, TokenIssueArgs};
use fleetgraph::error::Error;
use fleetgraph::{demo, schema, server, store, telemetry};

#[global_allocator]
static ALLOCATOR: fleetgraph::Allocator = fleetgraph::Allocator;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    telemetry::init(cli.log_format);
    let result = match cli.command {
        Command::Serve(config) => server::run(&config).await,
        Command::Demo(config) => demo::run(&config).await,
        Command::Migrate(config) => migrate(&config).await,
        Command::Schema => {
            print!("{}", schema::sdl());
            Ok(())
        }
        Command::Token {
            command: TokenCommand::Issue(args),
        } => issue_token(&args),
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

fn issue_token(args: &TokenIssueArgs) -> fleetgraph::error::Result<()> {
    let keys = JwtKeys::from_config(&args.jwt)?.ok_or_else(|| {
        Error::bad_field(
            "jwt",
            "no signing key configured: set --jwt-secret-file (HS256) or --jwt-private-key-file \
             and --jwt-public-key-file (RS256 / EdDSA)",
        )
    })?;
    let roles = parse_roles(args.roles.iter().map(String::as_str))
        .map_err(|e| Error::bad_field("roles", e))?;
    let issued = keys.issue(&TokenRequest {
        subject: args.subject.clone(),
        roles,
        tenants: args.tenants.clone(),
        projects: args.projects.clone(),
        ttl: args.ttl,
    })?;
    println!("{}", issued.token);
    eprintln!("expires at {}", issued.expires_at.to_rfc3339());
    Ok(())
}
