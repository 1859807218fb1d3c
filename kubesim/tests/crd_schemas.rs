//! Every CRD in `../shared/crds` against the fixtures in `tests/fixtures/{valid,invalid}`:
//! each served version's schema compiles, the valid object is admitted with none of its fields
//! pruned, and the invalid one is rejected with the field (and reason) its annotations name.

use std::path::{Path, PathBuf};

use kubesim::schema::{CompiledSchema, FieldError, invalid_status};
use serde_json::Value;

const EXPECTED_FIELD: &str = "kubesim.test/expected-field";
const EXPECTED_REASON: &str = "kubesim.test/expected-reason";

fn crds_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/crds");
    assert!(
        dir.is_dir(),
        "CRD folder {} is missing: these tests read the upstream CRDs from shared/crds beside the \
         workspace",
        dir.display()
    );
    dir
}

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

struct Crd {
    file: PathBuf,
    group: String,
    kind: String,
    plural: String,
    /// (version name, served, schema)
    versions: Vec<(String, bool, Value)>,
}

fn load_crds() -> Vec<Crd> {
    let mut files = Vec::new();
    for sub in std::fs::read_dir(crds_dir()).unwrap() {
        let sub = sub.unwrap().path();
        if sub.is_dir() {
            for f in std::fs::read_dir(&sub).unwrap() {
                let f = f.unwrap().path();
                if f.extension().is_some_and(|e| e == "yaml") {
                    files.push(f);
                }
            }
        }
    }
    files.sort();
    files
        .into_iter()
        .map(|file| {
            let doc: Value =
                serde_yaml::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
            let spec = &doc["spec"];
            let versions = spec["versions"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| {
                    (
                        v["name"].as_str().unwrap().to_string(),
                        v["served"].as_bool().unwrap_or(false),
                        v["schema"]["openAPIV3Schema"].clone(),
                    )
                })
                .collect();
            Crd {
                group: spec["group"].as_str().unwrap().to_string(),
                kind: spec["names"]["kind"].as_str().unwrap().to_string(),
                plural: spec["names"]["plural"].as_str().unwrap().to_string(),
                versions,
                file,
            }
        })
        .collect()
}

fn load_fixture(kind: &str, crd: &Crd) -> Result<Value, String> {
    let path = fixtures_dir()
        .join(kind)
        .join(format!("{}_{}.yaml", crd.group, crd.plural));
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_yaml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

fn schema_for<'a>(crd: &'a Crd, obj: &Value) -> Result<&'a Value, String> {
    let api_version = obj["apiVersion"].as_str().unwrap_or_default();
    let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
    if group != crd.group || obj["kind"] != crd.kind.as_str() {
        return Err(format!(
            "fixture is {api_version} {}, CRD is {} {}",
            obj["kind"], crd.group, crd.kind
        ));
    }
    crd.versions
        .iter()
        .find(|(v, served, _)| v == version && *served)
        .map(|(_, _, s)| s)
        .ok_or_else(|| format!("version {version} is not served"))
}

/// Paths of `before` that are gone or changed in `after` (defaults may add, never remove).
fn lost_fields(before: &Value, after: &Value, path: &str, out: &mut Vec<String>) {
    match (before, after) {
        (Value::Object(b), Value::Object(a)) => {
            for (k, v) in b {
                let p = format!("{path}.{k}");
                match a.get(k) {
                    Some(av) => lost_fields(v, av, &p, out),
                    None => out.push(p),
                }
            }
        }
        (Value::Array(b), Value::Array(a)) if b.len() == a.len() => {
            for (i, (bv, av)) in b.iter().zip(a).enumerate() {
                lost_fields(bv, av, &format!("{path}[{i}]"), out);
            }
        }
        (b, a) if b != a => out.push(format!("{path} changed")),
        _ => {}
    }
}

fn show(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|e| format!("\n    {e} ({})", e.reason))
        .collect()
}

#[test]
fn every_served_schema_compiles() {
    let crds = load_crds();
    assert_eq!(
        crds.len(),
        36,
        "expected the 36 CRDs listed in shared/crds/SOURCES.md"
    );
    for crd in &crds {
        for (version, served, schema) in &crd.versions {
            if *served {
                CompiledSchema::new(schema)
                    .unwrap_or_else(|e| panic!("{} {version}: {e}", crd.file.display()));
            }
        }
    }
}

#[test]
fn valid_fixtures_are_admitted_without_pruning() {
    let mut failures = Vec::new();
    for crd in load_crds() {
        let name = format!("{}_{}", crd.group, crd.plural);
        let result = load_fixture("valid", &crd).and_then(|obj| {
            let schema = schema_for(&crd, &obj)?;
            let compiled = CompiledSchema::new(schema).map_err(|e| e.to_string())?;
            let mut admitted = obj.clone();
            compiled
                .admit(&mut admitted)
                .map_err(|e| format!("rejected:{}", show(&e)))?;
            let mut lost = Vec::new();
            lost_fields(&obj, &admitted, "", &mut lost);
            if !lost.is_empty() {
                return Err(format!("pruned or changed: {lost:?}"));
            }
            if obj.get("status").is_none() && schema["properties"].get("status").is_some() {
                return Err("has no status although the kind has one".into());
            }
            Ok(())
        });
        if let Err(e) = result {
            failures.push(format!("{name}: {e}"));
        }
    }
    assert!(
        failures.is_empty(),
        "valid fixtures:\n{}",
        failures.join("\n")
    );
}

#[test]
fn invalid_fixtures_are_rejected_on_the_named_field() {
    let mut failures = Vec::new();
    for crd in load_crds() {
        let name = format!("{}_{}", crd.group, crd.plural);
        let result = load_fixture("invalid", &crd).and_then(|obj| {
            let schema = schema_for(&crd, &obj)?;
            let annotations = &obj["metadata"]["annotations"];
            let field = annotations[EXPECTED_FIELD]
                .as_str()
                .ok_or_else(|| format!("annotation {EXPECTED_FIELD} missing"))?;
            let reason = annotations[EXPECTED_REASON].as_str();
            let compiled = CompiledSchema::new(schema).map_err(|e| e.to_string())?;
            let mut admitted = obj.clone();
            let errors = match compiled.admit(&mut admitted) {
                Ok(()) => return Err("admitted".into()),
                Err(errors) => errors,
            };
            let hit = errors
                .iter()
                .any(|e| e.field == field && reason.is_none_or(|r| e.reason.as_str() == r));
            if !hit {
                return Err(format!(
                    "no error on {field} ({reason:?}); got:{}",
                    show(&errors)
                ));
            }
            let status = invalid_status(
                &crd.kind,
                &crd.group,
                obj["metadata"]["name"].as_str().unwrap_or(""),
                &errors,
            );
            // Shown with --nocapture: the messages a client would read.
            println!("{}", status["message"]);
            if status["code"] != 422
                || status["details"]["causes"]
                    .as_array()
                    .is_none_or(Vec::is_empty)
            {
                return Err(format!("bad status {status}"));
            }
            Ok(())
        });
        if let Err(e) = result {
            failures.push(format!("{name}: {e}"));
        }
    }
    assert!(
        failures.is_empty(),
        "invalid fixtures:\n{}",
        failures.join("\n")
    );
}

#[test]
fn every_fixture_belongs_to_a_crd() {
    let names: Vec<String> = load_crds()
        .iter()
        .map(|c| format!("{}_{}.yaml", c.group, c.plural))
        .collect();
    for kind in ["valid", "invalid"] {
        for f in std::fs::read_dir(fixtures_dir().join(kind)).unwrap() {
            let file = f.unwrap().file_name().to_string_lossy().to_string();
            assert!(
                names.contains(&file),
                "{kind}/{file} matches no CRD in shared/crds"
            );
        }
    }
}

fn crd_named(plural: &str) -> Crd {
    load_crds()
        .into_iter()
        .find(|c| c.plural == plural)
        .expect("CRD present")
}

#[test]
fn cluster_profile_defaults_are_applied_on_admission() {
    let crd = crd_named("clusterprofiles");
    let compiled = CompiledSchema::new(&crd.versions[0].2).unwrap();
    let mut obj = serde_json::json!({
        "apiVersion": "config.projectsveltos.io/v1beta1",
        "kind": "ClusterProfile",
        "metadata": {"name": "minimal"},
        "spec": {"helmCharts": [{
            "repositoryURL": "https://kubernetes.github.io/ingress-nginx",
            "repositoryName": "ingress-nginx",
            "chartName": "ingress-nginx/ingress-nginx",
            "chartVersion": "4.11.3",
            "releaseName": "ingress-nginx",
            "releaseNamespace": "ingress-nginx"
        }]}
    });
    compiled.admit(&mut obj).unwrap();
    let spec = &obj["spec"];
    assert_eq!(spec["syncMode"], "Continuous");
    assert_eq!(spec["tier"], 100);
    assert_eq!(spec["stopMatchingBehavior"], "WithdrawPolicies");
    assert_eq!(spec["continueOnConflict"], false);
    assert_eq!(spec["continueOnError"], false);
    assert_eq!(spec["reloader"], false);
    assert_eq!(spec["helmCharts"][0]["helmChartAction"], "Install");
}

#[test]
fn sveltos_cluster_and_tenant_defaults() {
    let crd = crd_named("sveltosclusters");
    let compiled = CompiledSchema::new(&crd.versions[0].2).unwrap();
    let mut obj = serde_json::json!({
        "apiVersion": "lib.projectsveltos.io/v1beta1", "kind": "SveltosCluster",
        "metadata": {"name": "c", "namespace": "mgmt"},
        "spec": {"kubeconfigName": "c-kubeconfig"}, "status": {}
    });
    compiled.admit(&mut obj).unwrap();
    assert_eq!(obj["spec"]["consecutiveFailureThreshold"], 3);
    assert_eq!(obj["spec"]["pullMode"], false);
    assert_eq!(obj["status"]["connectionFailures"], 0);

    let crd = crd_named("tenants");
    let schema = &crd.versions.iter().find(|v| v.0 == "v1beta2").unwrap().2;
    let mut obj = serde_json::json!({
        "apiVersion": "capsule.clastix.io/v1beta2", "kind": "Tenant", "metadata": {"name": "t"},
        "spec": {"owners": [{"kind": "User", "name": "alice"}], "resourceQuotas": {"items": []}}
    });
    CompiledSchema::new(schema)
        .unwrap()
        .admit(&mut obj)
        .unwrap();
    assert_eq!(
        obj["spec"]["owners"][0]["clusterRoles"],
        serde_json::json!(["admin", "capsule-namespace-deleter"])
    );
    assert_eq!(obj["spec"]["resourceQuotas"]["scope"], "Tenant");
}

#[test]
fn unknown_fields_in_a_real_crd_are_pruned() {
    let crd = crd_named("clustersummaries");
    let compiled = CompiledSchema::new(&crd.versions[0].2).unwrap();
    let mut obj = load_fixture("valid", &crd).unwrap();
    obj["spec"]["clusterProfileSpec"]["helmCharts"][0]["chartNmae"] = "typo".into();
    obj["status"]["featureSummaries"][0]["extra"] = 1.into();
    obj["spec"]["bogus"] = true.into();
    compiled.admit(&mut obj).unwrap();
    assert_eq!(obj, {
        let mut expected = load_fixture("valid", &crd).unwrap();
        compiled.admit(&mut expected).unwrap();
        expected
    });
}

#[test]
fn cel_rules_of_the_real_crds_are_enforced() {
    let sveltos = CompiledSchema::new(&crd_named("sveltosclusters").versions[0].2).unwrap();
    let mut both = serde_json::json!({
        "apiVersion": "lib.projectsveltos.io/v1beta1", "kind": "SveltosCluster",
        "metadata": {"name": "c", "namespace": "mgmt"},
        "spec": {"kubeconfigName": "c-kubeconfig", "workloadIdentity": {
            "provider": "AWS", "endpoint": "https://eks.example", "aws": {"clusterName": "c"}}}
    });
    let errs = sveltos.admit(&mut both).unwrap_err();
    assert_eq!(
        show(&errs),
        "\n    spec: Invalid value: \"object\": workloadIdentity, kubeconfigName: conflict (FieldValueInvalid)"
    );

    let old = serde_json::json!({
        "apiVersion": "lib.projectsveltos.io/v1beta1", "kind": "SveltosCluster",
        "metadata": {"name": "c", "namespace": "mgmt"},
        "spec": {"kubeconfigName": "c-kubeconfig", "pullMode": false}
    });
    let mut flipped = old.clone();
    flipped["spec"]["pullMode"] = true.into();
    let errs = sveltos.admit_update(&old, &mut flipped).unwrap_err();
    assert_eq!(
        errs[0].to_string(),
        "spec.pullMode: Invalid value: \"boolean\": Value is immutable"
    );

    let profile = CompiledSchema::new(&crd_named("clusterprofiles").versions[0].2).unwrap();
    let mut chart = serde_json::json!({
        "apiVersion": "config.projectsveltos.io/v1beta1", "kind": "ClusterProfile",
        "metadata": {"name": "p"},
        "spec": {
            "helmCharts": [{"repositoryURL": "https://charts.example", "chartName": "x", "chartVersion": "",
                            "repositoryName": "r", "releaseName": "x", "releaseNamespace": "x"}],
            "policyRefs": [{"kind": "ConfigMap", "name": "p", "remoteURL": {"url": "https://git.example/x"}}]
        }
    });
    let errs: Vec<String> = profile
        .admit(&mut chart)
        .unwrap_err()
        .iter()
        .map(|e| e.to_string())
        .collect();
    assert_eq!(
        errs,
        vec![
            "spec.helmCharts[0]: Invalid value: \"object\": ChartVersion must be defined",
            "spec.policyRefs[0]: Invalid value: \"object\": either remoteURL or kind must be set, but not both",
        ]
    );
}

/// Through the server with the real `kube` client: every CRD is created, every valid fixture
/// is accepted (its status through `/status` where the kind has that subresource), and every
/// invalid fixture is refused with a 422 `Invalid` naming the expected field. Fixtures whose
/// error is in `status` are created without it (the main endpoint ignores status) and refused
/// on `/status`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fixtures_through_the_server() {
    use k8s_openapi::api::core::v1::Namespace;
    use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
    use kube::api::{Api, ApiResource, DynamicObject, Patch, PatchParams, PostParams};

    let sim = kubesim::KubeSim::builder()
        .admin_token("schema-admin")
        .start()
        .await
        .unwrap();
    let kc = kube::config::Kubeconfig::from_yaml(&sim.kubeconfig_yaml("schema-admin")).unwrap();
    let cfg = kube::Config::from_custom_kubeconfig(kc, &Default::default())
        .await
        .unwrap();
    let client = kube::Client::try_from(cfg).unwrap();
    let pp = PostParams::default();

    let crds = load_crds();
    let crd_api: Api<CustomResourceDefinition> = Api::all(client.clone());
    let ns_api: Api<Namespace> = Api::all(client.clone());
    for ns in ["projectsveltos", "mgmt", "payments", "shop", "vela-system"] {
        let ns: Namespace =
            serde_json::from_value(serde_json::json!({"metadata": {"name": ns}})).unwrap();
        ns_api.create(&pp, &ns).await.unwrap();
    }
    for crd in &crds {
        let obj: CustomResourceDefinition =
            serde_yaml::from_str(&std::fs::read_to_string(&crd.file).unwrap()).unwrap();
        crd_api
            .create(&pp, &obj)
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", crd.file.display()));
    }

    let mut failures = Vec::new();
    for crd in &crds {
        let name = format!("{}_{}", crd.group, crd.plural);
        for kind in ["valid", "invalid"] {
            let obj = load_fixture(kind, crd).unwrap();
            let version = obj["apiVersion"]
                .as_str()
                .unwrap()
                .split_once('/')
                .unwrap()
                .1
                .to_string();
            let ar = ApiResource {
                group: crd.group.clone(),
                version: version.clone(),
                api_version: obj["apiVersion"].as_str().unwrap().to_string(),
                kind: crd.kind.clone(),
                plural: crd.plural.clone(),
            };
            let api: Api<DynamicObject> = match obj["metadata"]["namespace"].as_str() {
                Some(ns) => Api::namespaced_with(client.clone(), ns, &ar),
                None => Api::all_with(client.clone(), &ar),
            };
            let obj_name = obj["metadata"]["name"].as_str().unwrap().to_string();
            let mut body = obj.clone();
            let status = body.as_object_mut().unwrap().remove("status");
            let dynamic: DynamicObject = serde_json::from_value(body).unwrap();
            let expected = obj["metadata"]["annotations"][EXPECTED_FIELD]
                .as_str()
                .unwrap_or("");
            let via_status = kind == "invalid" && expected.starts_with("status");
            let created = api.create(&pp, &dynamic).await;
            let result = match (kind, via_status, created) {
                ("valid", _, Err(e)) => Err(format!("valid create refused: {e}")),
                ("valid", _, Ok(_)) => match status {
                    Some(s) => api
                        .patch_status(
                            &obj_name,
                            &PatchParams::default(),
                            &Patch::Merge(serde_json::json!({"status": s})),
                        )
                        .await
                        .map(drop)
                        .map_err(|e| format!("valid status refused: {e}")),
                    None => Ok(()),
                },
                (_, true, Err(e)) => Err(format!("create without the bad status refused: {e}")),
                (_, true, Ok(_)) => {
                    let patch =
                        Patch::Merge(serde_json::json!({"status": status.unwrap_or_default()}));
                    expect_invalid(
                        api.patch_status(&obj_name, &PatchParams::default(), &patch)
                            .await
                            .map(drop),
                        expected,
                    )
                }
                (_, false, created) => expect_invalid(created.map(drop), expected),
            };
            if let Err(e) = result {
                failures.push(format!("{kind} {name}: {e}"));
            }
        }
    }
    sim.shutdown().await;
    assert!(
        failures.is_empty(),
        "through the server:\n{}",
        failures.join("\n")
    );
}

fn expect_invalid(result: Result<(), kube::Error>, field: &str) -> Result<(), String> {
    match result {
        Ok(()) => Err("invalid object accepted".into()),
        Err(kube::Error::Api(status)) => {
            let causes = status
                .details
                .as_ref()
                .map(|d| d.causes.clone())
                .unwrap_or_default();
            if status.code == 422
                && status.reason == "Invalid"
                && causes.iter().any(|c| c.field == field)
            {
                Ok(())
            } else {
                Err(format!("expected 422 Invalid on {field}, got {status:?}"))
            }
        }
        Err(e) => Err(format!("expected 422 Invalid on {field}, got {e}")),
    }
}
