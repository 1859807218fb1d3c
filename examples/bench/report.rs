//! The Markdown report: set-up, the per-request table, and the graph.md §6 targets.

use std::time::Duration;

use crate::fanout::FanoutResult;
use crate::fleet::LoadedFleet;
use crate::load::LoadResult;

pub struct Row {
    pub name: &'static str,
    pub bytes: usize,
    pub concurrency: usize,
    pub k8s_per_request: f64,
    pub statements_per_request: f64,
    pub fleetgraph: LoadResult,
    pub floor: LoadResult,
}

pub struct Report<'a> {
    pub machine: String,
    pub fleet: &'a LoadedFleet,
    pub sync: Duration,
    pub rss_before_kib: u64,
    pub rss_synced_kib: u64,
    pub rss_after_load_kib: u64,
    pub hwm_kib: u64,
    /// How long the tenancy mutations took; none when the request figures were skipped.
    pub seeding: Option<Duration>,
    pub projects: usize,
    pub apps: usize,
    pub seconds: u64,
    pub rows: &'a [Row],
    pub fanout: &'a [FanoutResult],
}

/// CPU model and count, and the load average when the run started (the machine may be shared).
pub fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name")?.split(':').nth(1))
        .unwrap_or("unknown")
        .trim()
        .to_string();
    let cpus = cpuinfo
        .lines()
        .filter(|l| l.starts_with("processor"))
        .count();
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let load: Vec<&str> = load.split_whitespace().take(3).collect();
    format!("{cpus} × {model}; load average at start {}", load.join(" "))
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

pub fn print(r: &Report<'_>) {
    let f = r.fleet;
    println!("## Set-up\n");
    println!("- machine: {}", r.machine);
    println!(
        "- fleet: {} clusters, {} profiles, {} ClusterSummaries, {} ClusterConfigurations ({} objects); \
         profile page on `{}` matching {} clusters",
        f.clusters,
        f.profiles,
        f.summaries,
        f.configurations,
        f.objects,
        f.wide_profile,
        f.wide_matching
    );
    match r.seeding {
        Some(seeding) => {
            println!(
                "- tenant page: 1 tenant, {} projects × {} apps, created through GraphQL mutations in {:.2?}",
                r.projects, r.apps, seeding
            );
            println!(
                "- each figure: {} s measured after 1 s warm-up, closed loop at fixed concurrency\n",
                r.seconds
            );
        }
        None => println!("- request figures skipped (`--fanout-only`)\n"),
    }

    println!("## Sync and memory\n");
    println!("| figure | value |\n|---|---|");
    println!(
        "| initial sync (server start to cache synced) | {:.2} s |",
        r.sync.as_secs_f64()
    );
    println!(
        "| RSS before fleetgraph starts (kubesim holding the fleet) | {:.0} MiB |",
        mib(r.rss_before_kib)
    );
    println!(
        "| RSS after sync (whole process) | {:.0} MiB |",
        mib(r.rss_synced_kib)
    );
    println!(
        "| fleetgraph's share after sync (difference) | {:.0} MiB |",
        mib(r.rss_synced_kib.saturating_sub(r.rss_before_kib))
    );
    println!(
        "| RSS after the load runs | {:.0} MiB |",
        mib(r.rss_after_load_kib)
    );
    println!("| peak RSS (VmHWM) | {:.0} MiB |\n", mib(r.hwm_kib));

    if !r.rows.is_empty() {
        requests(r.rows);
    }

    println!("\n## Subscription fan-out\n");
    println!(
        "| change → subscription | subscribers | rounds | deliveries | p50 ms | p90 ms | p99 ms | max ms | missing | errors |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    for fan in r.fanout {
        fanout_row(fan);
    }
}

fn fanout_row(fan: &FanoutResult) {
    let ms = |q: f64| fan.latency_us.value_at_quantile(q) as f64 / 1000.0;
    println!(
        "| {} | {} | {} | {} | {:.1} | {:.1} | {:.1} | {:.1} | {} | {} |",
        fan.scenario.describe(),
        fan.subscribers,
        fan.rounds,
        fan.latency_us.len(),
        ms(0.5),
        ms(0.9),
        ms(0.99),
        fan.latency_us.max() as f64 / 1000.0,
        fan.missing,
        fan.errors
    );
}

/// The per-request table, then the first error of any row that had errors.
fn requests(rows: &[Row]) {
    println!("## Requests\n");
    println!(
        "| request | body | conc. | fleetgraph p50 / p90 / p99 ms | fleetgraph req/s | floor p50 / p99 ms | \
         floor req/s | floor ÷ fleetgraph req/s | k8s calls / req | store stmts / req | errors |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    for row in rows {
        let (g, b) = (&row.fleetgraph, &row.floor);
        println!(
            "| {} | {:.1} KiB | {} | {:.2} / {:.2} / {:.2} | {:.0} | {:.2} / {:.2} | {:.0} | {:.1}× | {:.3} | {:.3} | {} |",
            row.name,
            row.bytes as f64 / 1024.0,
            row.concurrency,
            g.ms(0.5),
            g.ms(0.9),
            g.ms(0.99),
            g.rps(),
            b.ms(0.5),
            b.ms(0.99),
            b.rps(),
            b.rps() / g.rps().max(f64::MIN_POSITIVE),
            row.k8s_per_request,
            row.statements_per_request,
            g.errors + b.errors,
        );
    }
    for row in rows {
        for (who, result) in [("fleetgraph", &row.fleetgraph), ("floor", &row.floor)] {
            if let Some(e) = &result.first_error {
                println!(
                    "\n**{} errors** on {} (concurrency {}, {who}); first: `{e}`",
                    result.errors, row.name, row.concurrency
                );
            }
        }
    }
}
