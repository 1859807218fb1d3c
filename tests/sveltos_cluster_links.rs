//! A cluster's links to profiles over HTTP against kubesim: `matchingProfiles` (selector,
//! clusterRefs, status, owned summaries; Profiles only in their namespace), the `node` link of
//! helm releases / deployed resources / profile statuses, and `dryRun(profile)` from
//! ClusterReports.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::fleet::{self, FleetWorld};
use common::server::error_codes;
use common::sim;
use fleetgraph::fleet::generator::{FleetSpec, generate};
use kube::api::{Api, Patch, PatchParams};
use kube::core::{ApiResource, DynamicObject, GroupVersionKind};
use serde_json::{Value, json};

async fn start(seed: u64) -> FleetWorld {
    fleet::start(generate(&FleetSpec::small(seed)), |c| {
        c.auth.auth_disabled = true
    })
    .await
}

fn labels_of(o: &Value) -> BTreeMap<String, String> {
    o["metadata"]["labels"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
        .collect()
}

/// The Kubernetes rules, written out independently of the server's.
fn selects(selector: &Value, labels: &BTreeMap<String, String>) -> bool {
    let match_labels = selector["matchLabels"]
        .as_object()
        .filter(|m| !m.is_empty());
    let expressions = selector["matchExpressions"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    if match_labels.is_none() && expressions.is_empty() {
        return false;
    }
    match_labels
        .into_iter()
        .flatten()
        .all(|(k, v)| labels.get(k).map(String::as_str) == v.as_str())
        && expressions.iter().all(|e| {
            let key = e["key"].as_str().unwrap();
            let values: Vec<&str> = e["values"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            let value = labels.get(key).map(String::as_str);
            match e["operator"].as_str().unwrap() {
                "In" => value.is_some_and(|v| values.contains(&v)),
                "NotIn" => value.is_none_or(|v| !values.contains(&v)),
                "Exists" => value.is_some(),
                "DoesNotExist" => value.is_none(),
                _ => false,
            }
        })
}

fn cluster_kind(o: &Value) -> &'static str {
    if o["kind"] == "Cluster" {
        "Cluster"
    } else {
        "SveltosCluster"
    }
}

fn names(reference: &Value, kind: &str, namespace: &str, name: &str, own_ns: &str) -> bool {
    let ref_ns = reference["namespace"]
        .as_str()
        .filter(|n| !n.is_empty())
        .unwrap_or(own_ns);
    reference["kind"] == kind && reference["name"] == name && ref_ns == namespace
}

/// (KIND, namespace or "", name) of the profiles matching a cluster object, sorted.
fn expected_matching(world: &FleetWorld, cluster: &Value) -> Vec<(String, String, String)> {
    let kind = cluster_kind(cluster);
    let ns = cluster["metadata"]["namespace"].as_str().unwrap();
    let name = cluster["metadata"]["name"].as_str().unwrap();
    let labels = labels_of(cluster);
    let summary_owners: BTreeSet<(String, String)> = world
        .of_kind("ClusterSummary")
        .into_iter()
        .filter(|s| {
            s["metadata"]["namespace"] == ns
                && s["spec"]["clusterName"] == name
                && s["spec"]["clusterType"] == if kind == "Cluster" { "Capi" } else { "Sveltos" }
        })
        .filter_map(|s| {
            let owner = s["metadata"]["ownerReferences"].as_array()?.first()?;
            Some((
                owner["kind"].as_str()?.to_string(),
                owner["name"].as_str()?.to_string(),
            ))
        })
        .collect();
    let mut out: Vec<(String, String, String)> = world
        .objects
        .iter()
        .filter(|o| o["kind"] == "ClusterProfile" || o["kind"] == "Profile")
        .filter(|p| {
            let own_ns = p["metadata"]["namespace"].as_str().unwrap_or_default();
            if p["kind"] == "Profile" && own_ns != ns {
                return false;
            }
            let spec = &p["spec"];
            let listed = |refs: &Value| {
                refs.as_array()
                    .into_iter()
                    .flatten()
                    .any(|r| names(r, kind, ns, name, own_ns))
            };
            let pname = p["metadata"]["name"].as_str().unwrap();
            selects(&spec["clusterSelector"], &labels)
                || listed(&spec["clusterRefs"])
                || listed(&p["status"]["matchingClusters"])
                || summary_owners
                    .contains(&(p["kind"].as_str().unwrap().to_string(), pname.to_string()))
        })
        .map(|p| {
            (
                p["kind"].as_str().unwrap().to_string(),
                p["metadata"]["namespace"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                p["metadata"]["name"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

const MATCHING: &str = r#"query($first: Int) { clusters(first: 100) { edges { node {
  kind namespace name
  matchingProfiles(first: $first) { totalCount edges { node { kind namespace name } } }
} } } }"#;

fn listed_matching(node: &Value) -> Vec<(String, String, String)> {
    node["matchingProfiles"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let p = &e["node"];
            let kind = if p["kind"] == "CLUSTER_PROFILE" {
                "ClusterProfile"
            } else {
                "Profile"
            };
            (
                kind.to_string(),
                p["namespace"].as_str().unwrap_or_default().to_string(),
                p["name"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn find_cluster<'a>(world: &'a FleetWorld, node: &Value) -> &'a Value {
    let kind = if node["kind"] == "CAPI" {
        "Cluster"
    } else {
        "SveltosCluster"
    };
    world
        .objects
        .iter()
        .find(|o| {
            o["kind"] == kind
                && o["metadata"]["namespace"] == node["namespace"]
                && o["metadata"]["name"] == node["name"]
        })
        .unwrap()
}

#[tokio::test]
async fn matching_profiles_follow_selectors_refs_status_and_live_labels() {
    let world = start(41).await;
    let body = world.server.gql_vars(MATCHING, json!({"first": 100})).await;
    assert!(body.get("errors").is_none(), "{body}");
    let clusters = body["data"]["clusters"]["edges"].as_array().unwrap();
    let mut with_matches = 0;
    for edge in clusters {
        let node = &edge["node"];
        let expected = expected_matching(&world, find_cluster(&world, node));
        assert_eq!(
            listed_matching(node),
            expected,
            "{} {}",
            node["namespace"],
            node["name"]
        );
        assert_eq!(node["matchingProfiles"]["totalCount"], expected.len());
        with_matches += usize::from(!expected.is_empty());
    }
    assert!(with_matches > 0);

    // Pages: one profile per page for the cluster with the most matches.
    let busiest = clusters
        .iter()
        .max_by_key(|e| {
            e["node"]["matchingProfiles"]["totalCount"]
                .as_u64()
                .unwrap()
        })
        .unwrap();
    let total = busiest["node"]["matchingProfiles"]["totalCount"]
        .as_u64()
        .unwrap();
    assert!(total >= 2);
    let body = world.server.gql_vars(MATCHING, json!({"first": 1})).await;
    let again = body["data"]["clusters"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| {
            e["node"]["name"] == busiest["node"]["name"]
                && e["node"]["namespace"] == busiest["node"]["namespace"]
        })
        .unwrap();
    assert_eq!(again["node"]["matchingProfiles"]["totalCount"], total);
    assert_eq!(
        again["node"]["matchingProfiles"]["edges"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // A new label that a ClusterProfile selects makes it match at the next query.
    let profile = world
        .of_kind("ClusterProfile")
        .into_iter()
        .find(|p| p["spec"]["clusterSelector"]["matchLabels"].is_object())
        .expect("a ClusterProfile with matchLabels");
    let selector = profile["spec"]["clusterSelector"]["matchLabels"].clone();
    let target = world
        .of_kind("SveltosCluster")
        .into_iter()
        .find(|c| {
            !expected_matching(&world, c).iter().any(|m| {
                m.0 == "ClusterProfile" && m.2 == profile["metadata"]["name"].as_str().unwrap()
            })
        })
        .expect("a cluster the profile does not match yet");
    let ns = target["metadata"]["namespace"]
        .as_str()
        .unwrap()
        .to_string();
    let name = target["metadata"]["name"].as_str().unwrap().to_string();
    let client = sim::client(&world.sim, sim::ADMIN_TOKEN).await;
    let gvk = GroupVersionKind::gvk("lib.projectsveltos.io", "v1beta1", "SveltosCluster");
    let api: Api<DynamicObject> = Api::namespaced_with(client, &ns, &ApiResource::from_gvk(&gvk));
    api.patch(
        &name,
        &PatchParams::default(),
        &Patch::Merge(json!({"metadata": {"labels": selector}})),
    )
    .await
    .expect("labels patched");
    let query = r#"query($ns: String!, $name: String!) {
        clusters(filter: {namespace: $ns, name: $name, kind: SVELTOS}) { edges { node {
          namespace name matchingProfiles(first: 100) { edges { node { kind name } } } } } } }"#;
    let profile_name = profile["metadata"]["name"].as_str().unwrap().to_string();
    let mut found = false;
    for _ in 0..250 {
        let body = world
            .server
            .gql_vars(query, json!({"ns": ns, "name": name}))
            .await;
        found = body["data"]["clusters"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["node"]["name"] == name.as_str())
            .flat_map(|e| {
                e["node"]["matchingProfiles"]["edges"]
                    .as_array()
                    .unwrap()
                    .clone()
            })
            .any(|p| {
                p["node"]["kind"] == "CLUSTER_PROFILE" && p["node"]["name"] == profile_name.as_str()
            });
        if found {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(found, "the relabelled cluster matches {profile_name}");
    world.server.shutdown().await;
}

#[tokio::test]
async fn addon_rows_link_to_their_profile_nodes() {
    let world = start(43).await;
    let body = world
        .server
        .gql(
            r#"{ clusters(first: 100) { edges { node {
                helmReleases(first: 100) { edges { node { profile { kind namespace name node { id kind namespace name } } } } }
                deployedResources(first: 100) { edges { node { profiles { kind namespace name node { name } } } } }
                profileStatuses(first: 100) { edges { node { profile { kind namespace name node { name tier } } } } }
            } } } }"#,
        )
        .await;
    assert!(body.get("errors").is_none(), "{body}");
    let existing: BTreeSet<(String, String, String)> = world
        .objects
        .iter()
        .filter(|o| o["kind"] == "ClusterProfile" || o["kind"] == "Profile")
        .map(|p| {
            (
                if p["kind"] == "ClusterProfile" {
                    "CLUSTER_PROFILE"
                } else {
                    "PROFILE"
                }
                .to_string(),
                p["metadata"]["namespace"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                p["metadata"]["name"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let mut references = Vec::new();
    for cluster in body["data"]["clusters"]["edges"].as_array().unwrap() {
        let node = &cluster["node"];
        for e in node["helmReleases"]["edges"].as_array().unwrap() {
            references.push(e["node"]["profile"].clone());
        }
        for e in node["profileStatuses"]["edges"].as_array().unwrap() {
            references.push(e["node"]["profile"].clone());
        }
        for e in node["deployedResources"]["edges"].as_array().unwrap() {
            references.extend(e["node"]["profiles"].as_array().unwrap().iter().cloned());
        }
    }
    assert!(references.len() > 10);
    for r in &references {
        let key = (
            r["kind"].as_str().unwrap().to_string(),
            r["namespace"].as_str().unwrap_or_default().to_string(),
            r["name"].as_str().unwrap().to_string(),
        );
        if existing.contains(&key) {
            assert_eq!(r["node"]["name"], r["name"], "{r}");
        } else {
            assert!(
                r["node"].is_null(),
                "no node for a profile that does not exist: {r}"
            );
        }
    }
    world.server.shutdown().await;
}

const DRY_RUN: &str = r#"query($ns: String!, $name: String!, $kind: ClusterKind!, $profile: ProfileKeyInput!) {
  clusters(filter: {namespace: $ns, name: $name, kind: $kind}) { edges { node { name namespace
    dryRun(profile: $profile) { profileKind profileNamespace profileName reportName reportMissing hasChanges
      helmReleaseChanges { releaseName releaseNamespace chartVersion action message }
      resourceChanges { group version kind namespace name action message }
      kustomizeChanges { group version kind namespace name action message } } } } } }"#;

fn resource_changes(reports: &Value) -> Vec<Value> {
    reports
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["action"] != "No Action")
        .map(|r| {
            let res = &r["resource"];
            json!({"group": res["group"].as_str().unwrap_or_default(), "version": res["version"],
                   "kind": res["kind"], "namespace": res["namespace"].as_str().filter(|n| !n.is_empty()),
                   "name": res["name"], "action": r["action"], "message": r["message"].as_str().filter(|m| !m.is_empty())})
        })
        .collect()
}

#[tokio::test]
async fn dry_run_reports_changes_from_cluster_reports() {
    let world = start(47).await;
    let reports = world.of_kind("ClusterReport");
    assert!(!reports.is_empty());
    let mut saw_changes = false;
    for report in &reports {
        let ns = report["metadata"]["namespace"].as_str().unwrap();
        let report_name = report["metadata"]["name"].as_str().unwrap();
        let cluster = report["spec"]["clusterName"].as_str().unwrap();
        let cluster_type = report["metadata"]["labels"]["projectsveltos.io/cluster-type"]
            .as_str()
            .unwrap();
        let infix = format!("--{}--{cluster}", cluster_type.to_lowercase());
        let stem = report_name.strip_suffix(&infix).unwrap();
        let profile = match stem.strip_prefix("p--") {
            Some(name) => json!({"kind": "PROFILE", "namespace": ns, "name": name}),
            None => json!({"kind": "CLUSTER_PROFILE", "name": stem}),
        };
        let kind = if cluster_type == "Capi" {
            "CAPI"
        } else {
            "SVELTOS"
        };
        let body = world
            .server
            .gql_vars(
                DRY_RUN,
                json!({"ns": ns, "name": cluster, "kind": kind, "profile": profile}),
            )
            .await;
        assert!(body.get("errors").is_none(), "{body}");
        let edges = body["data"]["clusters"]["edges"].as_array().unwrap();
        let node = edges
            .iter()
            .find(|e| e["node"]["name"] == cluster && e["node"]["namespace"] == ns)
            .unwrap();
        let dry = &node["node"]["dryRun"];
        let status = &report["status"];
        let helm: Vec<Value> = status["releaseReports"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|r| r["action"] != "No Action")
            .map(|r| {
                json!({"releaseName": r["chartName"], "releaseNamespace": r["releaseNamespace"],
                       "chartVersion": r["chartVersion"].as_str().unwrap_or_default(),
                       "action": r["action"], "message": r["message"].as_str().filter(|m| !m.is_empty())})
            })
            .collect();
        let mut resources = resource_changes(&status["resourceReports"]);
        resources.extend(resource_changes(&status["helmResourceReports"]));
        let kustomize = resource_changes(&status["kustomizeResourceReports"]);
        let has_changes = !(helm.is_empty() && resources.is_empty() && kustomize.is_empty());
        assert_eq!(dry["reportName"], report_name);
        assert_eq!(dry["reportMissing"], false);
        assert_eq!(dry["hasChanges"], has_changes);
        assert_eq!(dry["helmReleaseChanges"], json!(helm));
        assert_eq!(dry["resourceChanges"], json!(resources));
        assert_eq!(dry["kustomizeChanges"], json!(kustomize));
        assert_eq!(dry["profileName"], profile["name"]);
        saw_changes |= has_changes;
    }
    assert!(saw_changes, "some report lists changes");

    // No report for the pair: reportMissing, nothing listed.
    let cluster = world.of_kind("SveltosCluster")[0];
    let ns = cluster["metadata"]["namespace"].as_str().unwrap();
    let name = cluster["metadata"]["name"].as_str().unwrap();
    let body = world
        .server
        .gql_vars(
            DRY_RUN,
            json!({"ns": ns, "name": name, "kind": "SVELTOS",
                   "profile": {"kind": "CLUSTER_PROFILE", "name": "no-such-profile"}}),
        )
        .await;
    let dry = &body["data"]["clusters"]["edges"][0]["node"]["dryRun"];
    assert_eq!(dry["reportMissing"], true, "{body}");
    assert_eq!(dry["hasChanges"], false);
    assert_eq!(dry["helmReleaseChanges"], json!([]));

    // Bad input: namespace on a ClusterProfile, none on a Profile, another namespace.
    for profile in [
        json!({"kind": "CLUSTER_PROFILE", "namespace": ns, "name": "x"}),
        json!({"kind": "PROFILE", "name": "x"}),
        json!({"kind": "PROFILE", "namespace": format!("{ns}-other"), "name": "x"}),
    ] {
        let body = world
            .server
            .gql_vars(
                DRY_RUN,
                json!({"ns": ns, "name": name, "kind": "SVELTOS", "profile": profile}),
            )
            .await;
        assert_eq!(error_codes(&body), ["BAD_USER_INPUT"], "{profile}: {body}");
    }
    world.server.shutdown().await;
}

#[tokio::test]
async fn matching_profiles_respect_profile_visibility() {
    let world = fleet::start(generate(&FleetSpec::small(53)), |_| {}).await;
    let cluster = world
        .of_kind("SveltosCluster")
        .into_iter()
        .find(|c| {
            expected_matching(&world, c)
                .iter()
                .any(|m| m.0 == "ClusterProfile")
        })
        .expect("a cluster matched by a ClusterProfile");
    let ns = cluster["metadata"]["namespace"]
        .as_str()
        .unwrap()
        .to_string();
    world.sim.add_token("dev-token", "dev", &["devs"]);
    world
        .sim
        .load_yaml(&format!(
            r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {{ name: devs-admin, namespace: {ns} }}
roleRef: {{ apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin }}
subjects:
- {{ kind: Group, name: devs, apiGroup: rbac.authorization.k8s.io }}
"#
        ))
        .expect("rbac");
    let body: Value = world
        .server
        .http
        .post(world.server.endpoint("/graphql"))
        .bearer_auth("dev-token")
        .json(&json!({"query": MATCHING, "variables": {"first": 100}}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(body.get("errors").is_none(), "{body}");
    let edges = body["data"]["clusters"]["edges"].as_array().unwrap();
    let node = edges
        .iter()
        .find(|e| e["node"]["name"] == cluster["metadata"]["name"])
        .expect("the cluster is visible in its namespace");
    let expected: Vec<_> = expected_matching(&world, cluster)
        .into_iter()
        .filter(|m| m.0 == "Profile")
        .collect();
    assert_eq!(
        listed_matching(&node["node"]),
        expected,
        "ClusterProfiles need cluster-wide rights; Profiles of the namespace show"
    );
    world.server.shutdown().await;
}
