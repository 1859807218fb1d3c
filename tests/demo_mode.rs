//! `fleetgraph demo` as a user meets it: the world is there, the printed tokens work when auth is
//! on, and the fleet keeps changing.

use std::time::Duration;

use fleetgraph::demo::{self, DemoConfig};
use fleetgraph::fleet::cache::{Change, FleetKind};
use serde_json::{Value, json};

async fn gql(url: &str, token: Option<&str>, query: &str) -> Value {
    let mut request = reqwest::Client::new()
        .post(url)
        .json(&json!({ "query": query }));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request
        .send()
        .await
        .expect("request sent")
        .json()
        .await
        .expect("JSON body")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_auth_the_printed_tokens_work_and_anonymous_callers_do_not() {
    let mut config = DemoConfig::ephemeral(12);
    config.auth = true;
    let lines = std::sync::Mutex::new(Vec::<String>::new());
    let world = demo::start(&config, &|l| lines.lock().unwrap().push(l.to_string()))
        .await
        .expect("demo starts");
    let progress = lines.lock().unwrap().join("\n");
    assert!(
        progress.contains("generating a fleet of 12 clusters"),
        "{progress}"
    );
    assert!(progress.contains("fleet cache synced"), "{progress}");

    let url = world.graphql_url();
    let query = "{ viewer { subject roles authKind } stats { capiClusters sveltosClusters } }";
    let admin = gql(&url, Some(&world.tokens.admin), query).await;
    assert_eq!(admin["data"]["viewer"]["subject"], "demo-admin", "{admin}");
    assert_eq!(admin["data"]["viewer"]["roles"], json!(["ADMIN"]));
    let clusters = admin["data"]["stats"]["capiClusters"].as_i64().unwrap()
        + admin["data"]["stats"]["sveltosClusters"].as_i64().unwrap();
    assert_eq!(clusters, 12);

    let viewer = gql(&url, Some(&world.tokens.read_only), query).await;
    assert_eq!(
        viewer["data"]["viewer"]["roles"],
        json!(["READ_ONLY"]),
        "{viewer}"
    );

    let anonymous = gql(&url, None, "{ stats { capiClusters } }").await;
    assert_eq!(
        anonymous["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
        "{anonymous}"
    );
    world.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pulse_changes_statuses_the_server_sees() {
    let mut config = DemoConfig::ephemeral(12);
    config.pulse_secs = 1;
    let world = demo::start(&config, &|_| {}).await.expect("demo starts");
    let mut events = world.server.state.fleet.subscribe();
    let changed = tokio::time::timeout(Duration::from_secs(60), async {
        loop {
            match events.recv().await {
                Ok(e)
                    if e.change == Change::Updated
                        && matches!(
                            e.kind,
                            FleetKind::ClusterSummary | FleetKind::SveltosCluster
                        ) =>
                {
                    return e.kind;
                }
                Ok(_) => continue,
                Err(e) => panic!("event stream ended: {e}"),
            }
        }
    })
    .await
    .expect("the pulse changed something within a minute");
    assert!(matches!(
        changed,
        FleetKind::ClusterSummary | FleetKind::SveltosCluster
    ));
    world.shutdown().await;
}

/// The README's run command as a new user runs it (`fleetgraph demo`, only the port changed):
/// it prints its progress and the GraphiQL URL, serves a fleet, and stops cleanly on SIGTERM.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_command_prints_where_to_go_and_serves_a_fleet() {
    use std::process::Stdio;
    use tokio::io::{AsyncBufReadExt, BufReader};

    let dir = tempfile::tempdir().unwrap();
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_fleetgraph"))
        .args(["demo", "--listen", "127.0.0.1:0", "--clusters", "30"])
        .current_dir(dir.path())
        .env_remove("FLEETGRAPH_LISTEN")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn");
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut seen = Vec::new();
    let url = tokio::time::timeout(Duration::from_secs(120), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            seen.push(line.clone());
            if let Some(url) = line.strip_prefix("GraphiQL") {
                return url.trim().to_string();
            }
        }
        panic!("demo exited before serving: {seen:#?}");
    })
    .await
    .expect("the demo serves within two minutes");
    // The rest of the banner, then drain stderr so the child never blocks on a full pipe.
    let mut banner = seen.join("\n");
    for _ in 0..12 {
        if let Ok(Ok(Some(line))) =
            tokio::time::timeout(Duration::from_secs(5), lines.next_line()).await
        {
            banner.push('\n');
            banner.push_str(&line);
        }
    }
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    assert!(
        banner.contains("generating a fleet of 30 clusters"),
        "{banner}"
    );
    assert!(banner.contains("AUTHENTICATION IS DISABLED"), "{banner}");
    assert!(banner.contains("kubectl --kubeconfig"), "{banner}");

    let body = gql(&url, None, "{ stats { capiClusters sveltosClusters } }").await;
    let stats = &body["data"]["stats"];
    assert_eq!(
        stats["capiClusters"].as_i64().unwrap() + stats["sveltosClusters"].as_i64().unwrap(),
        30,
        "{body}"
    );

    let pid = child.id().expect("pid").to_string();
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = tokio::time::timeout(Duration::from_secs(30), child.wait())
        .await
        .expect("exits after SIGTERM")
        .unwrap();
    assert!(status.success(), "clean exit: {status:?}");
}
