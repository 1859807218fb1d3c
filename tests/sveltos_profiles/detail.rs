//! One profile in full (typed spec, full spec, matching clusters with feature statuses) and
//! the tier grouping.

use super::*;

const DETAIL: &str = r#"query One($kind: ProfileKind!, $namespace: String, $name: String!) {
  profile(kind: $kind, namespace: $namespace, name: $name) {
    __typename id kind namespace name tier syncMode specJson
    spec {
      clusterSelector { text matchLabels { key value } matchExpressions { key operator values } }
      clusterRefs { apiVersion kind namespace name }
      setRefs
      helmCharts { repositoryURL repositoryName chartName chartVersion releaseName releaseNamespace values helmChartAction }
      policyRefs { kind namespace name path deploymentType optional tier }
      kustomizationRefs { kind namespace name path targetNamespace deploymentType }
      maxUpdate stopMatchingBehavior continueOnConflict continueOnError reloader maxConsecutiveFailures
      validateHealths { name featureId group version kind namespace }
      dependsOn
    }
    dependencies { kind namespace name }
    unresolvedDependencies
    dependents { kind namespace name }
    matchingClusters(first: 100) {
      totalCount
      edges { node { clusterKind clusterNamespace clusterName listedInStatus clusterSummaryName
        cluster { name namespace kind }
        features { featureId status statusText failureMessage failureReason consecutiveFailures lastAppliedTime } } }
    }
  }
}"#;

async fn detail(world: &FleetWorld, kind: &str, namespace: Option<&str>, name: &str) -> Value {
    ok(
        world,
        DETAIL,
        json!({ "kind": kind, "namespace": namespace, "name": name }),
    )
    .await["profile"]
        .clone()
}

fn stored(world: &FleetWorld, kind: &str, namespace: &str, name: &str) -> Value {
    world
        .sim
        .get_object("config.projectsveltos.io/v1beta1", kind, namespace, name)
        .unwrap_or_else(|| panic!("{kind} {namespace}/{name} stored"))
}

#[tokio::test]
async fn a_profile_shows_its_typed_spec_full_spec_and_matching_clusters() {
    let world = start(7).await;
    let objects: Vec<Value> = world
        .objects
        .iter()
        .filter(|o| o["kind"] == "ClusterProfile" || o["kind"] == "Profile")
        .cloned()
        .collect();
    let mut typed_fields_seen = BTreeSet::new();
    for object in &objects {
        let kind = object["kind"].as_str().unwrap();
        let namespace = object["metadata"]["namespace"].as_str();
        let name = object["metadata"]["name"].as_str().unwrap();
        let node = detail(&world, graphql_kind(kind), namespace, name).await;
        let spec = &object["spec"];
        assert_eq!(
            node["__typename"],
            if kind == "Profile" {
                "NamespacedProfile"
            } else {
                "ClusterProfile"
            }
        );
        assert_eq!(node["name"], name);
        assert_eq!(
            node["specJson"],
            stored(&world, kind, namespace.unwrap_or(""), name)["spec"]
        );
        let typed = &node["spec"];
        assert_eq!(
            typed["dependsOn"],
            spec.get("dependsOn").cloned().unwrap_or(json!([]))
        );
        let charts = spec["helmCharts"].as_array().cloned().unwrap_or_default();
        assert_eq!(typed["helmCharts"].as_array().unwrap().len(), charts.len());
        for (got, want) in typed["helmCharts"].as_array().unwrap().iter().zip(&charts) {
            for field in [
                "repositoryURL",
                "chartName",
                "chartVersion",
                "releaseName",
                "releaseNamespace",
                "helmChartAction",
            ] {
                assert_eq!(got[field], want[field], "{field}");
            }
            assert_eq!(
                got["values"],
                want.get("values").cloned().unwrap_or(Value::Null)
            );
            typed_fields_seen.insert("helmCharts");
        }
        if let Some(refs) = spec["policyRefs"].as_array() {
            assert_eq!(typed["policyRefs"][0]["name"], refs[0]["name"]);
            assert_eq!(
                typed["policyRefs"][0]["deploymentType"],
                refs[0]["deploymentType"]
            );
            typed_fields_seen.insert("policyRefs");
        }
        if let Some(refs) = spec["kustomizationRefs"].as_array() {
            assert_eq!(typed["kustomizationRefs"][0]["path"], refs[0]["path"]);
            assert_eq!(
                typed["kustomizationRefs"][0]["targetNamespace"],
                refs[0]["targetNamespace"]
            );
            typed_fields_seen.insert("kustomizationRefs");
        }
        if let Some(checks) = spec["validateHealths"].as_array() {
            assert_eq!(typed["validateHealths"][0]["name"], checks[0]["name"]);
            assert_eq!(typed["validateHealths"][0]["featureId"], "Helm");
            typed_fields_seen.insert("validateHealths");
        }
        if let Some(refs) = spec["clusterRefs"].as_array() {
            let names: Vec<&Value> = typed["clusterRefs"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| &r["name"])
                .collect();
            assert_eq!(names, refs.iter().map(|r| &r["name"]).collect::<Vec<_>>());
            typed_fields_seen.insert("clusterRefs");
        }
        match &spec["maxUpdate"] {
            Value::Null => assert!(typed["maxUpdate"].is_null()),
            Value::String(s) => {
                assert_eq!(typed["maxUpdate"], s.as_str());
                typed_fields_seen.insert("maxUpdate %");
            }
            n => {
                assert_eq!(typed["maxUpdate"], n.to_string());
                typed_fields_seen.insert("maxUpdate n");
            }
        }
        let stop = spec["stopMatchingBehavior"]
            .as_str()
            .unwrap_or("WithdrawPolicies");
        assert_eq!(typed["stopMatchingBehavior"], stop);
        assert_eq!(
            typed["continueOnError"],
            spec["continueOnError"].as_bool().unwrap_or(false)
        );
        assert_eq!(typed["continueOnConflict"], false);
        // The selector as text reads back into the same structure.
        let selector = &spec["clusterSelector"];
        let text = typed["clusterSelector"]["text"].as_str().unwrap();
        for (key, value) in selector["matchLabels"].as_object().into_iter().flatten() {
            assert!(
                text.contains(&format!("{key}={}", value.as_str().unwrap())),
                "{text}"
            );
        }
        for expression in selector["matchExpressions"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let key = expression["key"].as_str().unwrap();
            match expression["operator"].as_str().unwrap() {
                "In" => assert!(text.contains(&format!("{key} in (")), "{text}"),
                "Exists" => assert!(text.split(',').any(|p| p == key), "{text}"),
                other => panic!("generator uses {other}?"),
            }
            typed_fields_seen.insert("matchExpressions");
        }

        // Matching clusters: status.matchingClusters, each with the features of the
        // ClusterSummary the profile owns there.
        let status_refs: BTreeSet<(String, String)> = object["status"]["matchingClusters"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|r| {
                (
                    r["namespace"].as_str().unwrap().to_string(),
                    r["name"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        let rows = node["matchingClusters"]["edges"].as_array().unwrap();
        assert_eq!(node["matchingClusters"]["totalCount"], rows.len());
        let listed: BTreeSet<(String, String)> = rows
            .iter()
            .map(|e| {
                (
                    e["node"]["clusterNamespace"].as_str().unwrap().to_string(),
                    e["node"]["clusterName"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        assert_eq!(listed, status_refs, "{kind} {name}");
        let order: Vec<(String, String)> = rows
            .iter()
            .map(|e| {
                (
                    e["node"]["clusterNamespace"].as_str().unwrap().to_string(),
                    e["node"]["clusterName"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        assert!(order.windows(2).all(|w| w[0] <= w[1]), "sorted");
        for row in rows {
            let row = &row["node"];
            assert_eq!(row["listedInStatus"], true);
            assert_eq!(row["cluster"]["name"], row["clusterName"]);
            let summary = world.objects.iter().find(|o| {
                o["kind"] == "ClusterSummary"
                    && o["metadata"]["namespace"] == row["clusterNamespace"]
                    && o["spec"]["clusterName"] == row["clusterName"]
                    && o["metadata"]["ownerReferences"][0]["name"] == name
                    && o["metadata"]["ownerReferences"][0]["kind"] == kind
            });
            let Some(summary) = summary else {
                assert!(row["clusterSummaryName"].is_null());
                assert_eq!(row["features"], json!([]));
                continue;
            };
            assert_eq!(row["clusterSummaryName"], summary["metadata"]["name"]);
            // Summaries waiting for dependencies have no features yet.
            let mut want: Vec<&Value> = summary["status"]["featureSummaries"]
                .as_array()
                .into_iter()
                .flatten()
                .collect();
            want.sort_by_key(|f| f["featureID"].as_str().unwrap().to_string());
            let got = row["features"].as_array().unwrap();
            assert_eq!(got.len(), want.len());
            for (g, w) in got.iter().zip(want) {
                assert_eq!(g["featureId"], w["featureID"]);
                assert_eq!(g["statusText"], w["status"]);
                assert_eq!(g["status"], screaming(w["status"].as_str().unwrap()));
                assert_eq!(
                    g["failureMessage"],
                    w.get("failureMessage").cloned().unwrap_or(Value::Null)
                );
                assert_eq!(
                    g["failureReason"],
                    w.get("failureReason").cloned().unwrap_or(Value::Null)
                );
                assert_eq!(
                    g["lastAppliedTime"].is_null(),
                    w.get("lastAppliedTime").is_none()
                );
                typed_fields_seen.insert(if g["status"] == "PROVISIONED" {
                    "provisioned"
                } else {
                    "not provisioned"
                });
            }
        }
    }
    for field in [
        "helmCharts",
        "policyRefs",
        "kustomizationRefs",
        "validateHealths",
        "clusterRefs",
        "maxUpdate %",
        "maxUpdate n",
        "matchExpressions",
        "provisioned",
        "not provisioned",
    ] {
        assert!(
            typed_fields_seen.contains(field),
            "the world exercises {field}: {typed_fields_seen:?}"
        );
    }

    // Absent profiles are null, not errors.
    assert!(
        detail(&world, "CLUSTER_PROFILE", None, "absent")
            .await
            .is_null()
    );
    assert!(
        detail(&world, "PROFILE", Some("default"), "absent")
            .await
            .is_null()
    );
    world.server.shutdown().await;
}

#[tokio::test]
async fn tiers_group_every_profile_by_tier_ascending() {
    let world = start(11).await;
    let all = expected(&world);
    let query = format!(
        "query T($filter: ProfileFilter) {{ profileTiers(filter: $filter) {{ tier profiles(first: 100) {{ totalCount edges {{ node {{ {FIELDS} }} }} }} }} }}"
    );
    let tiers = ok(&world, &query, json!({})).await["profileTiers"].clone();
    let mut want: BTreeMap<i64, Vec<Key>> = BTreeMap::new();
    for p in &all {
        want.entry(p.tier).or_default().push(p.key());
    }
    let got: BTreeMap<i64, Vec<Key>> = tiers
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["tier"].as_i64().unwrap(), keys(&t["profiles"])))
        .collect();
    assert_eq!(got, want);
    let order: Vec<i64> = tiers
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["tier"].as_i64().unwrap())
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");
    assert!(order.len() > 1);
    let dry =
        ok(&world, &query, json!({ "filter": { "dryRun": true } })).await["profileTiers"].clone();
    let dry_keys: Vec<Key> = dry
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|t| keys(&t["profiles"]))
        .collect();
    let mut want_dry: Vec<Key> = all
        .iter()
        .filter(|p| p.sync_mode == "DryRun")
        .map(Expected::key)
        .collect();
    want_dry.sort_by(|a, b| {
        let tier = |k: &Key| all.iter().find(|p| p.key() == *k).unwrap().tier;
        (tier(a), a).cmp(&(tier(b), b))
    });
    assert_eq!(dry_keys, want_dry);
    let none = ok(&world, &query, json!({ "filter": { "name": "no-such" } })).await;
    assert_eq!(none["profileTiers"], json!([]));
    world.server.shutdown().await;
}
