//! The `fleetgraph` binary as a user runs it.

use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_fleetgraph");

fn output(args: &[&str]) -> std::process::Output {
    std::process::Command::new(BIN)
        .args(args)
        .output()
        .expect("fleetgraph runs")
}

#[test]
fn serve_help_documents_every_setting_with_its_environment_variable() {
    let out = output(&["serve", "--help"]);
    assert!(out.status.success());
    let help = String::from_utf8(out.stdout).unwrap();
    for (flag, env) in [
        ("--listen", "FLEETGRAPH_LISTEN"),
        ("--database-url", "FLEETGRAPH_DATABASE_URL"),
        ("--kubeconfig", "FLEETGRAPH_KUBECONFIG"),
        ("--kube-context", "FLEETGRAPH_KUBE_CONTEXT"),
        ("--log-format", "FLEETGRAPH_LOG_FORMAT"),
        ("--max-query-depth", "FLEETGRAPH_MAX_QUERY_DEPTH"),
        ("--max-query-complexity", "FLEETGRAPH_MAX_QUERY_COMPLEXITY"),
        ("--max-page-size", "FLEETGRAPH_MAX_PAGE_SIZE"),
        ("--max-body-bytes", "FLEETGRAPH_MAX_BODY_BYTES"),
        ("--introspection", "FLEETGRAPH_INTROSPECTION"),
        ("--request-timeout-secs", "FLEETGRAPH_REQUEST_TIMEOUT_SECS"),
    ] {
        assert!(help.contains(flag), "{flag} missing from:\n{help}");
        assert!(help.contains(env), "{env} missing from:\n{help}");
    }
}

#[test]
fn schema_command_prints_the_committed_schema() {
    let out = output(&["schema"]);
    assert!(out.status.success());
    let committed =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql")).unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap(), committed);
}

#[test]
fn migrate_command_applies_migrations() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("m.db").display());
    let out = output(&["migrate", "--database-url", &url]);
    assert!(out.status.success(), "{out:?}");
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("m20261123_000001_audit_log"), "{stdout}");

    let out = output(&[
        "migrate",
        "--database-url",
        "postgres://nobody@127.0.0.1:1/x",
    ]);
    assert!(!out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("cannot connect to the database"),
        "{stderr}"
    );
}

#[test]
fn bad_flags_are_rejected_with_usage() {
    let out = output(&["serve", "--listen", "not-an-address"]);
    assert!(!out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("--listen"), "{stderr}");
}

/// The README's run command, as a new user runs it: no flags but the port, an empty working
/// directory, an SQLite file created there, and a clean exit on SIGTERM.
#[tokio::test]
async fn serve_runs_on_embedded_defaults_and_shuts_down_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(BIN)
        .args(["--log-format", "json", "serve", "--listen", "127.0.0.1:0"])
        .current_dir(dir.path())
        .env_remove("FLEETGRAPH_DATABASE_URL")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn");
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let url = tokio::time::timeout(Duration::from_secs(30), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            let Ok(log) = serde_json::from_str::<serde_json::Value>(&line) else {
                continue;
            };
            if let Some(url) = log["url"].as_str() {
                return url.to_string();
            }
        }
        panic!("server exited before serving");
    })
    .await
    .expect("server starts within 30s");

    let body: serde_json::Value = reqwest::Client::new()
        .post(&url)
        .json(&serde_json::json!({ "query": "{ version { version } }" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        body["data"]["version"]["version"],
        env!("CARGO_PKG_VERSION")
    );
    assert!(
        dir.path().join("fleetgraph.db").exists(),
        "SQLite file in the working directory"
    );

    let pid = child.id().expect("pid").to_string();
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = tokio::time::timeout(Duration::from_secs(20), child.wait())
        .await
        .expect("exits after SIGTERM")
        .unwrap();
    assert!(status.success(), "clean exit: {status:?}");
}
