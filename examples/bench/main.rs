//! fleetgraph at fleet scale against graph.md §6 (a program, not a test).
//!
//! `cargo run --release --example bench -- [--clusters 10000 ...]`
//!
//! Generates the fleet in an in-process kubesim, starts fleetgraph in-process against it, and
//! prints a Markdown report: initial sync and memory, latency and throughput of the cluster page,
//! a profile page and a deep tenant page next to a bare axum handler answering the same bytes,
//! Kubernetes API calls and store statements per request, and subscription fan-out.

mod check;
mod fanout;
mod fleet;
mod load;
mod queries;
mod report;
mod world;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use clap::Parser;

use crate::fanout::Scenario;
use crate::fleet::FleetSize;
use crate::load::Target;
use crate::report::Row;

// The server binary's allocator, so the in-process server measures as it runs in production.
#[global_allocator]
static ALLOCATOR: fleetgraph::Allocator = fleetgraph::Allocator;

#[derive(Parser)]
#[command(about = "fleetgraph benchmarks at fleet scale (graph.md §6)")]
struct Args {
    #[arg(long, default_value_t = 10_000)]
    clusters: usize,
    #[arg(long, default_value_t = 1_000)]
    profiles: usize,
    #[arg(long, default_value_t = 50_000)]
    summaries: usize,
    #[arg(long, default_value_t = 10_000)]
    configurations: usize,
    /// Clusters the widened ClusterProfile of the profile page matches.
    #[arg(long, default_value_t = 1_000)]
    profile_clusters: usize,
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Projects of the tenant on the tenant page, and apps per project.
    #[arg(long, default_value_t = 10)]
    projects: usize,
    #[arg(long, default_value_t = 5)]
    apps: usize,
    /// Concurrent closed-loop clients; each request is measured at each level.
    #[arg(long, value_delimiter = ',', default_value = "1,8")]
    concurrency: Vec<usize>,
    /// Seconds measured per request, target and concurrency (after one second of warm-up).
    #[arg(long, default_value_t = 5)]
    seconds: u64,
    #[arg(long, default_value_t = 1_000)]
    subscribers: usize,
    #[arg(long, default_value_t = 50)]
    subscribers_per_connection: usize,
    #[arg(long, default_value_t = 20)]
    rounds: usize,
    /// Only check that `clusters` pages consistently in both directions (see check.rs), then exit.
    #[arg(long)]
    check_orders: bool,
    /// Skip the tenant seeding and the request figures: sync, memory and fan-out only (for
    /// profiling the fan-out on its own).
    #[arg(long)]
    fanout_only: bool,
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    let size = FleetSize {
        seed: args.seed,
        clusters: args.clusters,
        profiles: args.profiles,
        summaries: args.summaries,
        configurations: args.configurations,
        wide: args.profile_clusters,
    };
    let machine = report::machine();
    let world = world::start(&size, args.subscribers_per_connection).await?;
    eprintln!("synced in {:.2?}", world.sync);
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(64)
        .build()?;

    if args.check_orders {
        let seen = check::run(&world, &http).await?;
        println!("orders consistent over {seen} clusters");
        world.shutdown().await;
        return Ok(());
    }

    let (rows, seeding) = if args.fanout_only {
        (Vec::new(), None)
    } else {
        let (rows, seeding) = measure_requests(&args, &world, &http).await?;
        (rows, Some(seeding))
    };
    let rss_after_load_kib = world::vm_kib("VmRSS");
    let hwm_kib = world::vm_kib("VmHWM");

    let mut fanout = Vec::new();
    for scenario in [Scenario::ClusterLabel, Scenario::SummaryStatus] {
        eprintln!(
            "fan-out to {} subscribers: {}",
            args.subscribers,
            scenario.describe()
        );
        fanout.push(
            fanout::run(
                &world,
                &http,
                scenario,
                args.subscribers,
                args.subscribers_per_connection,
                args.rounds,
            )
            .await?,
        );
    }

    report::print(&report::Report {
        machine,
        fleet: &world.fleet,
        sync: world.sync,
        rss_before_kib: world.rss_before_kib,
        rss_synced_kib: world.rss_synced_kib,
        rss_after_load_kib,
        hwm_kib,
        seeding,
        projects: args.projects,
        apps: args.apps,
        seconds: args.seconds,
        rows: &rows,
        fanout: &fanout,
    });
    world.shutdown().await;
    Ok(())
}

/// The tenant seeding, then every request at every concurrency against fleetgraph and the floor.
async fn measure_requests(
    args: &Args,
    world: &world::World,
    http: &reqwest::Client,
) -> Result<(Vec<Row>, Duration)> {
    let seeding = Instant::now();
    let tenant = world.seed_tenancy(http, args.projects, args.apps).await?;
    let seeding = seeding.elapsed();
    eprintln!("tenancy seeded through mutations in {seeding:.2?}");

    let requests = [
        queries::cluster_page(),
        queries::profile_page(&world.fleet.wide_profile),
        queries::tenant_page(&tenant),
    ];
    let fleetgraph = Target {
        url: world.graphql_url(),
        bearer: Some(world.admin_token.clone()),
    };
    let mut answers = HashMap::new();
    for (i, request) in requests.iter().enumerate() {
        let body = load::fetch(http, &fleetgraph, &request.body).await?;
        if load::has_errors(&body) {
            bail!(
                "{} answers with errors: {}",
                request.name,
                String::from_utf8_lossy(&body)
            );
        }
        answers.insert(i.to_string(), body);
    }
    let floor = load::start_floor(answers.clone()).await?;

    let duration = Duration::from_secs(args.seconds);
    let warmup = Duration::from_secs(1);
    let mut rows = Vec::new();
    for (i, request) in requests.iter().enumerate() {
        let floor_target = Target {
            url: format!("http://{floor}/floor/{i}"),
            bearer: fleetgraph.bearer.clone(),
        };
        for &concurrency in &args.concurrency {
            eprintln!("measuring {} at concurrency {concurrency}", request.name);
            world.management.reset_counters();
            world.workload.reset_counters();
            let statements = fleetgraph::store::statements_run();
            let measured = load::run(
                http,
                &fleetgraph,
                &request.body,
                concurrency,
                duration,
                warmup,
            )
            .await;
            let k8s = world.management.counters().total + world.workload.counters().total;
            let statements = fleetgraph::store::statements_run() - statements;
            let bare = load::run(
                http,
                &floor_target,
                &request.body,
                concurrency,
                duration,
                warmup,
            )
            .await;
            // Warm-up requests went through the same counters: divide by all requests sent.
            let sent = (measured.requests + measured.warmup_requests).max(1);
            rows.push(Row {
                name: request.name,
                bytes: answers[&i.to_string()].len(),
                concurrency,
                k8s_per_request: k8s as f64 / sent as f64,
                statements_per_request: statements as f64 / sent as f64,
                fleetgraph: measured,
                floor: bare,
            });
        }
    }
    Ok((rows, seeding))
}
