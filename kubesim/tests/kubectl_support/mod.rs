//! Running the real `kubectl` binaries against a kubesim instance: locating them, running them
//! with timeouts (a hang fails the test), reading a watch's output line by line, and the CRD
//! and fixture files the scenario applies.

pub mod env;
pub mod writes;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader, Lines};
use tokio::process::{Child, ChildStdout, Command};

pub const BIN_DIR: &str = "/usr/lib/google-cloud-sdk/bin";
pub const OLDEST: u32 = 27;
pub const NEWEST: u32 = 33;
const RUN_TIMEOUT: Duration = Duration::from_secs(120);

pub fn binary(minor: u32) -> PathBuf {
    Path::new(BIN_DIR).join(format!("kubectl.1.{minor}"))
}

pub fn installed() -> Vec<u32> {
    (OLDEST..=NEWEST).filter(|m| binary(*m).is_file()).collect()
}

/// What one kubectl run produced.
#[derive(Debug)]
pub struct Out {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Out {
    pub fn success(&self) -> bool {
        self.code == Some(0)
    }
}

/// One kubectl binary with one kubeconfig and its own discovery/HTTP cache directory.
#[derive(Clone)]
pub struct Kubectl {
    pub label: String,
    bin: PathBuf,
    kubeconfig: PathBuf,
    cache_dir: PathBuf,
}

impl Kubectl {
    pub fn new(minor: u32, kubeconfig: &Path, cache_dir: &Path) -> Self {
        Self {
            label: format!("kubectl 1.{minor}"),
            bin: binary(minor),
            kubeconfig: kubeconfig.to_path_buf(),
            cache_dir: cache_dir.to_path_buf(),
        }
    }

    /// The same binary as another user (another kubeconfig), sharing nothing else.
    pub fn with_kubeconfig(&self, kubeconfig: &Path, cache_dir: &Path) -> Self {
        Self {
            kubeconfig: kubeconfig.to_path_buf(),
            cache_dir: cache_dir.to_path_buf(),
            ..self.clone()
        }
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(&self.bin);
        c.arg("--kubeconfig")
            .arg(&self.kubeconfig)
            .arg("--cache-dir")
            .arg(&self.cache_dir)
            .args(args)
            .env_remove("KUBECONFIG")
            .stdin(Stdio::null())
            .kill_on_drop(true);
        c
    }

    /// Runs to completion; a run longer than two minutes fails the test.
    pub async fn run(&self, args: &[&str]) -> Out {
        let mut c = self.command(args);
        c.stdout(Stdio::piped()).stderr(Stdio::piped());
        let child = c
            .spawn()
            .unwrap_or_else(|e| panic!("{}: cannot start {args:?}: {e}", self.label));
        let out = tokio::time::timeout(RUN_TIMEOUT, child.wait_with_output())
            .await
            .unwrap_or_else(|_| panic!("{}: {args:?} hung for {RUN_TIMEOUT:?}", self.label))
            .unwrap_or_else(|e| panic!("{}: {args:?}: {e}", self.label));
        Out {
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Runs and requires success; returns stdout.
    pub async fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args).await;
        assert!(
            out.success(),
            "{}: {args:?} failed ({:?})\nstdout:\n{}\nstderr:\n{}",
            self.label,
            out.code,
            out.stdout,
            out.stderr
        );
        out.stdout
    }

    /// Runs and requires a JSON document on stdout.
    pub async fn json(&self, args: &[&str]) -> Value {
        let stdout = self.ok(args).await;
        serde_json::from_str(&stdout)
            .unwrap_or_else(|e| panic!("{}: {args:?} printed no JSON ({e}):\n{stdout}", self.label))
    }

    /// Runs and requires failure; returns the output for the caller to inspect.
    pub async fn fails(&self, args: &[&str]) -> Out {
        let out = self.run(args).await;
        assert!(
            !out.success(),
            "{}: {args:?} should have failed\nstdout:\n{}",
            self.label,
            out.stdout
        );
        out
    }

    /// Starts a long-running command (`get -w`) whose stdout is read line by line.
    pub fn spawn(&self, args: &[&str]) -> (Child, Lines<BufReader<ChildStdout>>) {
        let mut c = self.command(args);
        c.stdout(Stdio::piped()).stderr(Stdio::null());
        let mut child = c
            .spawn()
            .unwrap_or_else(|e| panic!("{}: cannot start {args:?}: {e}", self.label));
        let stdout = child.stdout.take().expect("stdout is piped");
        (child, BufReader::new(stdout).lines())
    }
}

/// Reads lines until one satisfies `pred`; fails the test after `within` with every line seen.
pub async fn wait_for_line(
    label: &str,
    lines: &mut Lines<BufReader<ChildStdout>>,
    within: Duration,
    what: &str,
    pred: impl Fn(&str) -> bool,
) -> String {
    let mut seen = Vec::new();
    let deadline = tokio::time::Instant::now() + within;
    loop {
        match tokio::time::timeout_at(deadline, lines.next_line()).await {
            Ok(Ok(Some(line))) => {
                if pred(&line) {
                    return line;
                }
                seen.push(line);
            }
            Ok(Ok(None)) => panic!("{label}: watch output ended before {what}; saw {seen:#?}"),
            Ok(Err(e)) => panic!("{label}: reading watch output: {e}"),
            Err(_) => panic!("{label}: no {what} within {within:?}; saw {seen:#?}"),
        }
    }
}

pub fn crds_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/crds");
    assert!(
        dir.is_dir(),
        "the shared CRD folder {} is missing (tests read the upstream CRDs from there)",
        dir.display()
    );
    dir
}

/// Every `*.yaml` under the CRD folder (one CRD per file).
pub fn crd_files() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir)
            .expect("readable CRD folder")
            .flatten()
        {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "yaml") {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    walk(&crds_dir(), &mut out);
    out
}

pub fn fixtures_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/valid");
    assert!(dir.is_dir(), "fixture folder {} is missing", dir.display());
    dir
}

/// One object of the valid fixtures.
#[derive(Clone, Debug)]
pub struct Fixture {
    pub api_version: String,
    pub kind: String,
    pub name: String,
    pub namespace: Option<String>,
    pub labels: BTreeMap<String, String>,
}

impl Fixture {
    /// `kind.group` as kubectl resolves it, e.g. `sveltoscluster.lib.projectsveltos.io`.
    pub fn resource(&self) -> String {
        let group = self.api_version.rsplit_once('/').map_or("", |(g, _)| g);
        format!("{}.{group}", self.kind.to_lowercase())
    }
}

pub fn fixtures() -> Vec<Fixture> {
    let mut out = Vec::new();
    let mut files: Vec<PathBuf> = std::fs::read_dir(fixtures_dir())
        .expect("readable fixtures")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    files.sort();
    for f in files {
        let text = std::fs::read_to_string(&f).expect("readable fixture");
        for doc in serde_yaml::Deserializer::from_str(&text) {
            let v: Value = serde::Deserialize::deserialize(doc).expect("fixture YAML");
            if v.is_null() {
                continue;
            }
            let s = |p: &str| v.pointer(p).and_then(Value::as_str).map(str::to_string);
            out.push(Fixture {
                api_version: s("/apiVersion").unwrap_or_default(),
                kind: s("/kind").unwrap_or_default(),
                name: s("/metadata/name").unwrap_or_default(),
                namespace: s("/metadata/namespace"),
                labels: serde_json::from_value(v["metadata"]["labels"].clone()).unwrap_or_default(),
            });
        }
    }
    out
}

/// Names of a `kubectl get -o json` result (a List or one object).
pub fn names(v: &Value) -> Vec<String> {
    match v["items"].as_array() {
        Some(items) => items
            .iter()
            .filter_map(|i| i["metadata"]["name"].as_str().map(str::to_string))
            .collect(),
        None => v["metadata"]["name"]
            .as_str()
            .map(str::to_string)
            .into_iter()
            .collect(),
    }
}
