//! `kubesim` binary: serve one in-memory API server until SIGINT/SIGTERM.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;

#[derive(Parser, Debug)]
#[command(
    name = "kubesim",
    about = "In-memory Kubernetes API server for tests and demos"
)]
struct Args {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: SocketAddr,
    /// Multi-document YAML files to load at start (CRDs are loaded first).
    #[arg(long, num_args = 1..)]
    load: Vec<PathBuf>,
    /// Write a kubeconfig for the admin token here.
    #[arg(long)]
    kubeconfig_out: Option<PathBuf>,
    /// Static token: TOKEN=user:group1,group2 (repeatable).
    #[arg(long)]
    token: Vec<String>,
    /// Also serve HTTPS (self-signed, pinned in the kubeconfig) and print that URL: kubectl
    /// sends bearer tokens only over TLS.
    #[arg(long)]
    tls: bool,
    /// Admin token (random when absent; written to the kubeconfig).
    #[arg(long, env = "KUBESIM_ADMIN_TOKEN")]
    admin_token: Option<String>,
}

fn parse_token(spec: &str) -> anyhow::Result<(String, String, Vec<String>)> {
    let (token, rest) = spec
        .split_once('=')
        .ok_or_else(|| anyhow::anyhow!("--token {spec}: expected TOKEN=user:group,..."))?;
    let (user, groups) = rest.split_once(':').unwrap_or((rest, ""));
    let groups = groups
        .split(',')
        .filter(|g| !g.is_empty())
        .map(str::to_string)
        .collect();
    Ok((token.to_string(), user.to_string(), groups))
}

async fn stop_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(t) => t,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {},
            _ = term.recv() => {},
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let mut builder = kubesim::KubeSim::builder().listen(args.listen);
    if let Some(t) = &args.admin_token {
        builder = builder.admin_token(t.clone());
    }
    for spec in &args.token {
        let (t, u, g) = parse_token(spec)?;
        builder = builder.token(t, u, g);
    }
    let sim = builder.start().await?;
    // All files in one batch, so CRDs from any file load before the objects that need them.
    let mut texts = Vec::new();
    for path in &args.load {
        texts.push(
            std::fs::read_to_string(path)
                .map_err(|e| anyhow::anyhow!("reading {}: {e}", path.display()))?,
        );
    }
    if !texts.is_empty() {
        let n = sim
            .load_yaml(&texts.join("\n---\n"))
            .map_err(|e| anyhow::anyhow!("loading {:?}: {e}", args.load))?;
        eprintln!("loaded {n} objects from {} files", args.load.len());
    }
    let front = if args.tls {
        Some(kubesim::tls::TlsFront::start(sim.addr()).await?)
    } else {
        None
    };
    if let Some(path) = &args.kubeconfig_out {
        let yaml = match &front {
            Some(f) => f.kubeconfig_yaml(&sim.admin_token()),
            None => sim.kubeconfig_yaml(&sim.admin_token()),
        };
        std::fs::write(path, yaml)
            .map_err(|e| anyhow::anyhow!("writing {}: {e}", path.display()))?;
    }
    match &front {
        Some(f) => println!("{}", f.url()),
        None => println!("{}", sim.url()),
    }
    stop_signal().await;
    drop(front);
    sim.shutdown().await;
    Ok(())
}
