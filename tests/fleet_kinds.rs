//! Generated objects and kubesim's valid fixtures against the upstream CRDs (through kubesim's
//! schema validator) and against the typed structs.

mod fleet_support;

use fleet_support::{UpstreamCrds, check_admitted, parse_typed, yaml_documents};
use fleetgraph::fleet::generator::{FleetSpec, generate};
use fleetgraph::fleet::kinds::{ClusterProfile, Profile};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

fn describe(o: &Value) -> String {
    format!(
        "{} {}/{}",
        o["kind"].as_str().unwrap_or_default(),
        o["metadata"]["namespace"].as_str().unwrap_or_default(),
        o["metadata"]["name"].as_str().unwrap_or_default()
    )
}

/// Generated objects of the kinds the fleet reads (namespaces are left out).
fn generated(spec: &FleetSpec) -> Vec<Value> {
    generate(spec)
        .into_iter()
        .filter(|o| o["kind"] != "Namespace")
        .collect()
}

#[test]
fn generated_objects_are_accepted_by_the_upstream_schemas_with_nothing_pruned() {
    let crds = UpstreamCrds::load();
    let mut per_kind: BTreeMap<String, usize> = BTreeMap::new();
    let mut failures = Vec::new();
    for seed in [1, 2] {
        for object in generated(&FleetSpec::small(seed)) {
            *per_kind
                .entry(object["kind"].as_str().unwrap().to_owned())
                .or_default() += 1;
            if let Err(e) = check_admitted(crds.schema_for(&object), &object) {
                failures.push(format!("{}: {e}", describe(&object)));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} rejected:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // Every kind the fleet reads was generated (and so checked).
    assert_eq!(per_kind.len(), 14, "{per_kind:?}");
}

#[test]
fn generated_objects_parse_into_the_typed_structs() {
    for object in generated(&FleetSpec::small(3)) {
        match parse_typed(&object) {
            Some(Ok(())) => {}
            Some(Err(e)) => panic!("{}: {e}", describe(&object)),
            None => panic!("{}: no typed struct", describe(&object)),
        }
    }
}

fn assert_spec_round_trips(object: &Value) {
    let original = &object["spec"];
    let reserialized = match object["kind"].as_str() {
        Some("ClusterProfile") => {
            let typed: ClusterProfile = serde_json::from_value(object.clone()).unwrap();
            serde_json::to_value(&typed.spec).unwrap()
        }
        Some("Profile") => {
            let typed: Profile = serde_json::from_value(object.clone()).unwrap();
            serde_json::to_value(&typed.spec).unwrap()
        }
        other => panic!("not a profile: {other:?}"),
    };
    assert_eq!(&reserialized, original, "{}", describe(object));
}

#[test]
fn profile_specs_round_trip_unchanged() {
    let profiles: Vec<Value> = generated(&FleetSpec::demo(4))
        .into_iter()
        .filter(|o| o["kind"] == "ClusterProfile" || o["kind"] == "Profile")
        .collect();
    assert!(profiles.len() >= 20);
    for profile in &profiles {
        assert_spec_round_trips(profile);
    }
}

#[test]
fn typed_profile_fields_read_the_generated_spec() {
    let world = generated(&FleetSpec::small(5));
    let raw = world
        .iter()
        .find(|o| o["kind"] == "ClusterProfile")
        .unwrap();
    let typed: ClusterProfile = serde_json::from_value(raw.clone()).unwrap();
    assert_eq!(
        typed.spec.tier(),
        raw["spec"]["tier"].as_i64().unwrap() as i32
    );
    assert_eq!(typed.spec.sync_mode().as_str(), raw["spec"]["syncMode"]);
    assert_eq!(
        typed.spec.helm_charts().len(),
        raw["spec"]["helmCharts"].as_array().map_or(0, Vec::len)
    );
    assert_eq!(
        typed.status.unwrap().matching_clusters.len(),
        raw["status"]["matchingClusters"].as_array().unwrap().len()
    );
}

fn kubesim_fixture_dir() -> &'static Path {
    Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/kubesim/tests/fixtures/valid"
    ))
}

#[test]
fn kubesim_valid_fixtures_parse_and_profiles_round_trip() {
    let dir = kubesim_fixture_dir();
    let mut parsed = 0;
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("kubesim fixtures missing at {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        for object in yaml_documents(&path) {
            match parse_typed(&object) {
                None => continue,
                Some(Err(e)) => panic!("{} ({}): {e}", describe(&object), path.display()),
                Some(Ok(())) => parsed += 1,
            }
            if object["kind"] == "ClusterProfile" || object["kind"] == "Profile" {
                assert_spec_round_trips(&object);
            }
        }
    }
    // Cluster, SveltosCluster, profiles, summaries, configurations, reports, events, classifiers.
    assert!(parsed >= 14, "only {parsed} fixtures of the fleet's kinds");
}

/// The CEL rules kubesim does not evaluate, checked by hand on the generated objects.
#[test]
fn generated_objects_respect_the_cel_rules() {
    for object in generated(&FleetSpec::demo(6)) {
        let spec = &object["spec"];
        match object["kind"].as_str().unwrap() {
            "SveltosCluster" => assert!(
                spec.get("workloadIdentity").is_none() || spec.get("kubeconfigName").is_none(),
                "{}: workloadIdentity and kubeconfigName",
                describe(&object)
            ),
            "ClusterProfile" | "Profile" => {
                for chart in spec["helmCharts"].as_array().into_iter().flatten() {
                    let url = chart["repositoryURL"].as_str().unwrap();
                    if url.starts_with("http") || url.starts_with("oci") {
                        for field in ["chartName", "chartVersion", "repositoryName"] {
                            assert!(
                                chart[field].as_str().is_some_and(|v| !v.is_empty()),
                                "{}: {field}",
                                describe(&object)
                            );
                        }
                    }
                }
                for list in ["policyRefs", "kustomizationRefs"] {
                    for entry in spec[list].as_array().into_iter().flatten() {
                        assert_ne!(
                            entry.get("remoteURL").is_some(),
                            entry.get("kind").is_some(),
                            "{}: {list}",
                            describe(&object)
                        );
                    }
                }
            }
            _ => {}
        }
    }
}

/// The admission check itself must be able to fail, or the tests above prove nothing.
#[test]
fn admission_check_catches_pruned_and_invalid_fields() {
    let crds = UpstreamCrds::load();
    let summary = generated(&FleetSpec::small(7))
        .into_iter()
        .find(|o| o["kind"] == "ClusterSummary")
        .unwrap();
    let schema = crds.schema_for(&summary);
    check_admitted(schema, &summary).unwrap();

    let mut unknown = summary.clone();
    unknown["status"]["notAField"] = Value::Bool(true);
    assert!(
        check_admitted(schema, &unknown)
            .unwrap_err()
            .starts_with("pruned")
    );

    let mut wrong_enum = summary.clone();
    wrong_enum["status"]["featureSummaries"][0]["status"] = Value::from("Sleeping");
    assert!(
        check_admitted(schema, &wrong_enum)
            .unwrap_err()
            .starts_with("invalid")
    );

    let mut missing = summary;
    missing["spec"]
        .as_object_mut()
        .unwrap()
        .remove("clusterType");
    assert!(check_admitted(schema, &missing).is_err());
}
