//! The Helm chart in `deploy/chart/fleetgraph`, checked without helm (not installable offline
//! here): templates are read with their `{{ }}` actions blanked out, which leaves the static YAML
//! they render, and that is held against the code — RBAC against the kinds the fleet cache
//! watches, environment variables against what `fleetgraph serve` reads, `.Values` references
//! against values.yaml. `helm lint` / `helm template` are not run by this test.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use clap::CommandFactory;
use fleetgraph::cli::Cli;
use fleetgraph::fleet::cache::FleetKind;
use serde_yaml::Value;

fn chart_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/chart/fleetgraph")
}

fn read(relative: &str) -> String {
    let path = chart_dir().join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn templates() -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = std::fs::read_dir(chart_dir().join("templates"))
        .expect("templates/")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            (name, std::fs::read_to_string(&p).expect("readable"))
        })
        .collect();
    out.sort();
    out
}

/// The template with lines that are only actions dropped and inline actions replaced by `X`.
fn static_part(template: &str) -> String {
    let mut out = String::new();
    for line in template.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with("{{") && trimmed.ends_with("}}") {
            continue;
        }
        let mut rest = line;
        while let Some(start) = rest.find("{{") {
            out.push_str(&rest[..start]);
            out.push('X');
            let end = rest[start..]
                .find("}}")
                .unwrap_or_else(|| panic!("unclosed action in line {line:?}"));
            rest = &rest[start + end + 2..];
        }
        out.push_str(rest);
        out.push('\n');
    }
    out
}

/// Every rendered object (static part), by kind.
fn objects() -> Vec<Value> {
    let mut out = Vec::new();
    for (name, text) in templates() {
        let yaml = static_part(&text);
        for doc in yaml.split("\n---") {
            if doc
                .lines()
                .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
            {
                continue;
            }
            let value: Value =
                serde_yaml::from_str(doc).unwrap_or_else(|e| panic!("{name}: {e}\n{doc}"));
            out.push(value);
        }
    }
    out
}

fn of_kind(kind: &str) -> Value {
    let mut found: Vec<Value> = objects()
        .into_iter()
        .filter(|o| o["kind"].as_str() == Some(kind))
        .collect();
    assert_eq!(found.len(), 1, "exactly one {kind} in the chart");
    found.remove(0)
}

fn strings(v: &Value) -> Vec<String> {
    v.as_sequence()
        .map(|s| {
            s.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn chart_metadata_and_values_parse() {
    let chart: Value = serde_yaml::from_str(&read("Chart.yaml")).expect("Chart.yaml");
    assert_eq!(chart["apiVersion"], "v2");
    assert_eq!(chart["name"], "fleetgraph");
    assert_eq!(
        chart["appVersion"].as_str(),
        Some(env!("CARGO_PKG_VERSION")),
        "appVersion follows the crate version"
    );
    let values: Value = serde_yaml::from_str(&read("values.yaml")).expect("values.yaml");
    assert_eq!(values["replicaCount"], 1);
    assert!(values["database"]["url"].is_string());
}

#[test]
fn the_chart_holds_every_object_a_deployment_needs() {
    let kinds: BTreeSet<String> = objects()
        .iter()
        .filter_map(|o| o["kind"].as_str().map(str::to_string))
        .collect();
    for kind in [
        "Deployment",
        "Service",
        "ServiceAccount",
        "ClusterRole",
        "ClusterRoleBinding",
        "Secret",
    ] {
        assert!(kinds.contains(kind), "{kind} missing: {kinds:?}");
    }
}

#[test]
fn cluster_role_grants_exactly_what_the_code_uses() {
    let mut expected: BTreeSet<(String, String, String)> = BTreeSet::new();
    let mut add = |group: &str, resource: &str, verbs: &[&str]| {
        for verb in verbs {
            expected.insert((group.into(), resource.into(), verb.to_string()));
        }
    };
    // presence.rs watches CRDs; one mirror (watcher: list + watch) per fleet kind.
    add(
        "apiextensions.k8s.io",
        "customresourcedefinitions",
        &["list", "watch"],
    );
    for kind in FleetKind::ALL {
        add(kind.group(), kind.plural(), &["list", "watch"]);
    }
    // auth/token_review.rs and auth/sar.rs.
    add("authentication.k8s.io", "tokenreviews", &["create"]);
    add("authorization.k8s.io", "subjectaccessreviews", &["create"]);

    let role = of_kind("ClusterRole");
    let mut granted = BTreeSet::new();
    for rule in role["rules"].as_sequence().expect("rules") {
        for group in strings(&rule["apiGroups"]) {
            for resource in strings(&rule["resources"]) {
                for verb in strings(&rule["verbs"]) {
                    granted.insert((group.clone(), resource.clone(), verb));
                }
            }
        }
    }
    let missing: Vec<_> = expected.difference(&granted).collect();
    let extra: Vec<_> = granted.difference(&expected).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "missing {missing:?}, more than needed {extra:?}"
    );

    let binding = of_kind("ClusterRoleBinding");
    assert_eq!(binding["roleRef"]["kind"], "ClusterRole");
    assert_eq!(binding["subjects"][0]["kind"], "ServiceAccount");
}

fn serve_env_names() -> BTreeSet<String> {
    let cli = Cli::command();
    let serve = cli
        .get_subcommands()
        .find(|c| c.get_name() == "serve")
        .expect("serve subcommand");
    serve
        .get_arguments()
        .filter_map(|a| a.get_env())
        .map(|e| e.to_string_lossy().to_string())
        .chain(
            cli.get_arguments()
                .filter_map(|a| a.get_env())
                .map(|e| e.to_string_lossy().to_string()),
        )
        .collect()
}

/// Settings read from files of the chart's Secret, and the Secret key each file is.
const SECRET_FILES: &[(&str, &str)] = &[("FLEETGRAPH_JWT_SECRET_FILE", "jwt-secret")];

#[test]
fn deployment_probes_ports_and_settings_match_the_server() {
    let deployment = of_kind("Deployment");
    let pod = &deployment["spec"]["template"]["spec"];
    let container = &pod["containers"][0];
    assert_eq!(container["livenessProbe"]["httpGet"]["path"], "/healthz");
    assert_eq!(container["readinessProbe"]["httpGet"]["path"], "/readyz");
    assert_eq!(container["ports"][0]["name"], "http");
    assert_eq!(container["ports"][0]["containerPort"], 8080);
    assert_eq!(strings(&container["args"]), vec!["serve".to_string()]);

    let known = serve_env_names();
    let env = container["env"].as_sequence().expect("env");
    for var in env {
        let name = var["name"].as_str().expect("env name");
        assert!(
            known.contains(name),
            "the chart sets {name}, which `fleetgraph serve` does not read"
        );
    }
    let env_value = |name: &str| {
        env.iter()
            .find(|v| v["name"] == name)
            .and_then(|v| v["value"].as_str())
            .unwrap_or_else(|| panic!("{name} is set"))
            .to_string()
    };
    assert_eq!(env_value("FLEETGRAPH_LISTEN"), "0.0.0.0:8080");

    // Secret files: mounted where the *_FILE settings point, under keys the Secret has.
    let mount = pod["containers"][0]["volumeMounts"]
        .as_sequence()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "secrets")
        .expect("secrets mount");
    let dir = mount["mountPath"].as_str().unwrap();
    let secret = of_kind("Secret");
    for (var, key) in SECRET_FILES {
        assert_eq!(env_value(var), format!("{dir}/{key}"));
        assert!(secret["data"].get(key).is_some(), "Secret has {key}");
    }
    assert!(secret["data"].get("encryption-key").is_some());

    let service = of_kind("Service");
    assert_eq!(service["spec"]["ports"][0]["targetPort"], "http");
}

#[test]
fn every_values_reference_exists_in_values_yaml() {
    let values: Value = serde_yaml::from_str(&read("values.yaml")).expect("values.yaml");
    let mut sources: Vec<(String, String)> = templates();
    sources.push(("_helpers.tpl".into(), read("templates/_helpers.tpl")));
    sources.push(("NOTES.txt".into(), read("templates/NOTES.txt")));
    let mut checked = 0;
    for (name, text) in sources {
        for (i, _) in text.match_indices(".Values.") {
            let path: String = text[i + ".Values.".len()..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '.' || *c == '_')
                .collect();
            let found = path
                .trim_end_matches('.')
                .split('.')
                .try_fold(&values, |v, key| v.get(key));
            assert!(
                found.is_some(),
                "{name}: .Values.{path} is not in values.yaml"
            );
            checked += 1;
        }
    }
    assert!(checked > 20, "templates read their settings from values");
}
