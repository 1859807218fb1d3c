//! GraphiQL in a real browser: headless Chromium, driven over WebDriver (chromedriver), opens the
//! demo server's `/graphql`, runs a query and sees the answer. Every asset the page loads comes
//! from the server itself (the bundle works offline). The screenshot is kept at
//! `target/tmp/graphiql.png`.
//!
//! Needs `chromium` and `chromedriver` (Debian: `chromium`, `chromium-driver`; `.ci/run`
//! installs them and sets `FLEETGRAPH_REQUIRE_BROWSER=1`, which turns their absence into a
//! failure instead of a skip).

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use fleetgraph::demo::{self, DemoConfig};
use serde_json::{Value, json};

const QUERY: &str = "{ stats { capiClusters sveltosClusters clusterProfiles } }";

fn on_path(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(name))
            .find(|p| p.is_file())
    })
}

/// The chromedriver and browser binaries, or None (with the reason) when not installed.
fn browser() -> Option<(PathBuf, Option<PathBuf>)> {
    let driver = std::env::var_os("FLEETGRAPH_CHROMEDRIVER")
        .map(PathBuf::from)
        .or_else(|| on_path("chromedriver"));
    let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .iter()
        .map(Path::new)
        .find(|p| p.is_file())
        .map(Path::to_path_buf);
    match driver {
        Some(driver) => Some((driver, chromium)),
        None => {
            let required = std::env::var("FLEETGRAPH_REQUIRE_BROWSER").is_ok_and(|v| v == "1");
            assert!(
                !required,
                "FLEETGRAPH_REQUIRE_BROWSER=1 but chromedriver is not installed \
                 (apt-get install chromium chromium-driver)"
            );
            eprintln!(
                "SKIPPED: chromedriver not installed (apt-get install chromium chromium-driver)"
            );
            None
        }
    }
}

/// chromedriver on a free port; killed on drop.
struct Driver {
    child: Child,
    url: String,
}

impl Driver {
    fn start(binary: &Path) -> Driver {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        let child = Command::new(binary)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        Driver {
            child,
            url: format!("http://127.0.0.1:{port}"),
        }
    }

    async fn connect(&self, chromium: Option<&Path>) -> Client {
        let mut options = json!({
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1400,900",
            ],
        });
        if let Some(binary) = chromium {
            options["binary"] = json!(binary.display().to_string());
        }
        let mut capabilities = serde_json::Map::new();
        capabilities.insert("goog:chromeOptions".into(), options);
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        loop {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            match ClientBuilder::new(connector)
                .capabilities(capabilities.clone())
                .connect(&self.url)
                .await
            {
                Ok(client) => return client,
                Err(_) if tokio::time::Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                Err(e) => panic!("no WebDriver session at {}: {e}", self.url),
            }
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs `script` in the page until it returns something other than null.
async fn eventually(client: &Client, what: &str, script: &str) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let value = client.execute(script, vec![]).await.expect("script runs");
        if !value.is_null() {
            return value;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graphiql_runs_a_query_in_headless_chromium() {
    let Some((driver_binary, chromium)) = browser() else {
        return;
    };
    let world = demo::start(&DemoConfig::ephemeral(20), &|_| {})
        .await
        .expect("the demo world starts");
    let driver = Driver::start(&driver_binary);
    let client = driver.connect(chromium.as_deref()).await;

    client.goto(&world.graphql_url()).await.expect("page opens");
    eventually(
        &client,
        "the GraphiQL editor",
        "const e = document.querySelector('.graphiql-query-editor .CodeMirror'); \
         return e && e.CodeMirror ? true : null;",
    )
    .await;
    client
        .execute(
            "document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror.setValue(arguments[0]);",
            vec![json!(QUERY)],
        )
        .await
        .expect("query typed");
    client
        .find(Locator::Css(".graphiql-execute-button"))
        .await
        .expect("run button")
        .click()
        .await
        .expect("clicked");
    let shown = eventually(
        &client,
        "the result pane",
        "const e = document.querySelector('.graphiql-response .CodeMirror'); \
         const text = e && e.CodeMirror ? e.CodeMirror.getValue() : ''; \
         return text.includes('capiClusters') ? text : null;",
    )
    .await;
    let result: Value = serde_json::from_str(shown.as_str().expect("text")).expect("JSON shown");
    let stats = &result["data"]["stats"];
    assert_eq!(
        stats["capiClusters"].as_i64().unwrap() + stats["sveltosClusters"].as_i64().unwrap(),
        20,
        "the page shows the demo fleet: {result}"
    );

    // Offline: every resource the page loaded came from the server itself.
    let origin = world.url();
    let loaded = client
        .execute(
            "return performance.getEntriesByType('resource').map(e => e.name);",
            vec![],
        )
        .await
        .expect("resource list");
    let loaded: Vec<String> = serde_json::from_value(loaded).expect("names");
    assert!(
        loaded.iter().any(|u| u.contains("graphiql.min.js")),
        "{loaded:?}"
    );
    let foreign: Vec<&String> = loaded.iter().filter(|u| !u.starts_with(&origin)).collect();
    assert!(foreign.is_empty(), "loaded from elsewhere: {foreign:?}");

    let png = client.screenshot().await.expect("screenshot");
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join("graphiql.png");
    std::fs::write(&path, &png).expect("screenshot written");
    eprintln!("screenshot: {}", path.display());
    assert!(png.starts_with(b"\x89PNG"), "a PNG");

    client.close().await.expect("session closed");
    drop(driver);
    world.shutdown().await;
}
