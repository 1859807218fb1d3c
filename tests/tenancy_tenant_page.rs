//! The tenant page (tenant, projects, apps, app status) after the registered cluster's watches
//! have synced: no Kubernetes API calls, a number of store statements that stays the same when
//! projects and apps are added, and app status following the Application watch. On SQLite and
//! PostgreSQL.
//!
//! The store statement counter is process-wide, so this file holds a single test.

mod common;

use std::time::Duration;

use common::TestDb;
use common::tenancy::{self, TenancyWorld, kubevela_reports, running_workflow};
use kubesim::KubeSim;
use serde_json::{Value, json};

const PAGE: &str = "query($t: ID!) { tenant(id: $t) { id name owners plan
    summary { namespaces projectCount } policySets { id name }
    projects(first: 100) { totalCount edges { node { id name namespace members { subject role }
      apps(first: 100) { totalCount edges { node { id name revision components { name type image }
        status { present phase healthy suspended publishVersion } } } } } } } } }";

/// Kubernetes API calls made since the last reset, watch requests aside (the watches run in
/// the background and re-watch when the server ends a watch).
fn calls(sim: &KubeSim) -> u64 {
    sim.counters()
        .by_request
        .iter()
        .filter(|((verb, _, _), _)| verb != "watch")
        .map(|(_, n)| n)
        .sum()
}

async fn page(world: &TenancyWorld, tenant: &str) -> Value {
    world.admin_ok(PAGE, json!({"t": tenant})).await
}

/// Reads the page until `done` holds for a read (failing the test after 20 s); returns it.
async fn page_until(
    world: &TenancyWorld,
    sim: &KubeSim,
    tenant: &str,
    what: &str,
    done: impl Fn(&Value, &KubeSim) -> bool,
) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        sim.reset_counters();
        let read = page(world, tenant).await;
        if done(&read, sim) {
            return read;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Reads the page until a read makes no Kubernetes call (the watches have synced and brought
/// fleetgraph's own writes); returns that read.
async fn synced_page(world: &TenancyWorld, sim: &KubeSim, tenant: &str) -> Value {
    page_until(
        world,
        sim,
        tenant,
        "a read without Kubernetes calls",
        |_, sim| calls(sim) == 0,
    )
    .await
}

/// The fewest store statements of three reads of the page (a read that splits a batch
/// counts more; the fewest is what the page needs).
async fn statements(world: &TenancyWorld, sim: &KubeSim, tenant: &str) -> u64 {
    let mut fewest = u64::MAX;
    for _ in 0..3 {
        sim.reset_counters();
        let before = fleetgraph::store::statements_run();
        page(world, tenant).await;
        fewest = fewest.min(fleetgraph::store::statements_run() - before);
        assert_eq!(calls(sim), 0, "a synced read calls Kubernetes");
    }
    fewest
}

fn apps_of(page: &Value) -> Vec<Value> {
    page["tenant"]["projects"]["edges"]
        .as_array()
        .expect("projects")
        .iter()
        .flat_map(|p| {
            p["node"]["apps"]["edges"]
                .as_array()
                .expect("apps")
                .iter()
                .map(|a| a["node"].clone())
                .collect::<Vec<_>>()
        })
        .collect()
}

async fn add_projects(world: &TenancyWorld, tenant: &str, names: &[&str], apps: usize) {
    for name in names {
        let project = world.create_project(tenant, name).await;
        for i in 0..apps {
            world
                .create_app(&project, &format!("app-{i}"), "nginx:1.25")
                .await;
        }
    }
}

#[tokio::test]
async fn tenant_page_reads_watches_and_batches_store_reads_on_every_backend() {
    for db in TestDb::all().await {
        let backend = db.backend;
        // The usage sampler would add statements of its own to the count.
        let world =
            tenancy::start_configured(db, |c| c.tenancy.usage_sample_interval_secs = 0).await;
        let sim = tenancy::workload_cluster(true).await;
        let cluster = world.register(&sim, "edge").await;
        let tenant = world.create_tenant(&cluster, "acme").await;
        add_projects(&world, &tenant, &["web", "api"], 2).await;

        // Right after the writes the page is already complete (reads not yet served by the
        // watches go to the cluster).
        let first = page(&world, &tenant).await;
        let apps = apps_of(&first);
        assert_eq!(apps.len(), 4, "{backend}: {first}");
        assert!(
            apps.iter()
                .all(|a| a["status"]["present"] == true && a["status"]["phase"] == "pending")
        );
        assert_eq!(
            first["tenant"]["summary"]["namespaces"],
            json!(["tn-acme-app-api", "tn-acme-app-web"])
        );

        let synced = synced_page(&world, &sim, &tenant).await;
        assert_eq!(
            synced, first,
            "{backend}: the watches serve what the cluster said"
        );
        let small = statements(&world, &sim, &tenant).await;

        // Twice the projects, more apps each: the same number of statements.
        add_projects(&world, &tenant, &["db", "ui"], 3).await;
        let grown = synced_page(&world, &sim, &tenant).await;
        assert_eq!(apps_of(&grown).len(), 10, "{backend}");
        assert_eq!(
            grown["tenant"]["summary"]["namespaces"]
                .as_array()
                .map(Vec::len),
            Some(4)
        );
        let large = statements(&world, &sim, &tenant).await;
        assert_eq!(
            large, small,
            "{backend}: statements per page read grew from {small} (2 projects, 4 apps) to {large} (4 projects, 10 apps)"
        );
        assert!(
            small <= 10,
            "{backend}: {small} statements for one page read"
        );

        // KubeVela reports on one Application: the next reads show it, from the watch.
        kubevela_reports(&sim, "tn-acme-app-web", "app-1", running_workflow());
        let seen = page_until(&world, &sim, &tenant, "the reported status", |read, _| {
            apps_of(read)
                .iter()
                .any(|a| a["status"]["phase"] == "running" && a["status"]["healthy"] == true)
        })
        .await;
        assert_eq!(calls(&sim), 0, "{backend}: status came from the watch");
        let running: Vec<Value> = apps_of(&seen)
            .into_iter()
            .filter(|a| a["status"]["phase"] == "running")
            .collect();
        assert_eq!(running.len(), 1, "{backend}: {seen}");
        assert_eq!(running[0]["name"], "app-1");
        assert_eq!(running[0]["status"]["publishVersion"], "1");

        world.shutdown().await;
        sim.shutdown().await;
    }
}
