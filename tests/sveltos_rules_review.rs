//! Callers limited to some namespaces are decided by their rules per namespace
//! (SelfSubjectRulesReview as the caller), not by one SubjectAccessReview per object; where the
//! rules are incomplete, per-object reviews still decide.

mod common;

use std::collections::BTreeSet;

use common::fleet::{self, FleetWorld};
use fleetgraph::fleet::generator::{FleetSpec, generate};
use serde_json::{Value, json};

const PAGE: &str = r#"{ clusters(first: 100, filter: { kind: SVELTOS }) {
  totalCount edges { node { namespace name } } } }"#;

const SAR: (&str, &str, &str) = ("create", "authorization.k8s.io", "subjectaccessreviews");
const SSRR: (&str, &str, &str) = ("create", "authorization.k8s.io", "selfsubjectrulesreviews");

fn count(world: &FleetWorld, (verb, group, resource): (&str, &str, &str)) -> u64 {
    world.sim.counters().get(verb, group, resource)
}

async fn visible(world: &FleetWorld, token: &str) -> BTreeSet<(String, String)> {
    let body: Value = world
        .server
        .http
        .post(world.server.endpoint("/graphql"))
        .bearer_auth(token)
        .json(&json!({ "query": PAGE }))
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("json");
    assert!(body.get("errors").is_none(), "{body}");
    body["data"]["clusters"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("no edges: {body}"))
        .iter()
        .map(|e| {
            (
                e["node"]["namespace"].as_str().unwrap().to_string(),
                e["node"]["name"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// SveltosClusters by namespace, and the namespaces sorted.
fn sveltos_clusters(world: &FleetWorld) -> (Vec<(String, String)>, Vec<String>) {
    let clusters: Vec<(String, String)> = world
        .of_kind("SveltosCluster")
        .iter()
        .map(|o| {
            (
                o["metadata"]["namespace"].as_str().unwrap().to_string(),
                o["metadata"]["name"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let namespaces: BTreeSet<String> = clusters.iter().map(|(ns, _)| ns.clone()).collect();
    (clusters, namespaces.into_iter().collect())
}

fn role_yaml(namespace: &str, name: &str, verbs: &str, resource_names: Option<&str>) -> String {
    let names = resource_names
        .map(|n| format!("\n  resourceNames: [{n}]"))
        .unwrap_or_default();
    format!(
        r#"
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {{ name: {name}, namespace: {namespace} }}
rules:
- apiGroups: ["lib.projectsveltos.io"]
  resources: ["sveltosclusters"]
  verbs: [{verbs}]{names}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {{ name: {name}, namespace: {namespace} }}
roleRef: {{ apiGroup: rbac.authorization.k8s.io, kind: Role, name: {name} }}
subjects:
- {{ kind: Group, name: devs, apiGroup: rbac.authorization.k8s.io }}
"#
    )
}

#[tokio::test]
async fn namespace_and_name_grants_cost_one_rules_review_per_namespace() {
    let world = fleet::start(generate(&FleetSpec::small(29)), |_| {}).await;
    let (clusters, namespaces) = sveltos_clusters(&world);
    assert!(namespaces.len() >= 2, "{namespaces:?}");
    let open = &namespaces[0];
    // In the second namespace the caller may get one cluster by name, and nothing else.
    let (named_ns, named) = clusters
        .iter()
        .find(|(ns, _)| *ns == namespaces[1])
        .expect("a cluster in the second namespace")
        .clone();
    world.sim.add_token("dev-token", "dev", &["devs"]);
    let rbac = role_yaml(open, "list-all", r#""get", "list""#, None)
        + &role_yaml(&named_ns, "get-one", r#""get""#, Some(&named));
    world.sim.load_yaml(&rbac).expect("rbac");

    let (sar, ssrr) = (count(&world, SAR), count(&world, SSRR));
    let seen = visible(&world, "dev-token").await;
    let mut expected: BTreeSet<(String, String)> = clusters
        .iter()
        .filter(|(ns, _)| ns == open)
        .cloned()
        .collect();
    expected.insert((named_ns.clone(), named.clone()));
    assert_eq!(seen, expected);
    assert!(clusters.len() > seen.len() + 2, "some clusters stay hidden");
    let reviews = count(&world, SAR) - sar;
    assert!(
        reviews <= 2,
        "one list-everywhere review per cluster kind, none per object: {reviews}"
    );
    assert_eq!(
        count(&world, SSRR) - ssrr,
        namespaces.len() as u64,
        "one rules review per namespace"
    );

    // Cached: the same page again asks nothing.
    let (sar, ssrr) = (count(&world, SAR), count(&world, SSRR));
    assert_eq!(visible(&world, "dev-token").await, expected);
    assert_eq!((count(&world, SAR), count(&world, SSRR)), (sar, ssrr));
    world.server.shutdown().await;
}

#[tokio::test]
async fn incomplete_rules_fall_back_to_per_object_reviews() {
    let world = fleet::start(generate(&FleetSpec::small(31)), |_| {}).await;
    let (clusters, namespaces) = sveltos_clusters(&world);
    let open = &namespaces[0];
    world.sim.add_token("dev-token", "dev", &["devs"]);
    // A binding to a Role that does not exist makes the API server's answer about that
    // namespace incomplete (as a webhook authorizer would), so the rules cannot be trusted.
    let broken = format!(
        r#"
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {{ name: dangling, namespace: {open} }}
roleRef: {{ apiGroup: rbac.authorization.k8s.io, kind: Role, name: not-there }}
subjects:
- {{ kind: Group, name: devs, apiGroup: rbac.authorization.k8s.io }}
"#
    );
    let rbac = role_yaml(open, "list-all", r#""get", "list""#, None) + &broken;
    world.sim.load_yaml(&rbac).expect("rbac");

    let sar = count(&world, SAR);
    let seen = visible(&world, "dev-token").await;
    let expected: BTreeSet<(String, String)> = clusters
        .iter()
        .filter(|(ns, _)| ns == open)
        .cloned()
        .collect();
    assert_eq!(seen, expected);
    assert!(
        count(&world, SAR) - sar >= 2,
        "list everywhere, then list in the namespace with incomplete rules"
    );
    world.server.shutdown().await;
}
