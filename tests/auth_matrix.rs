//! Issue #4's matrix: every principal (fleetgraph roles, a Kubernetes ServiceAccount limited
//! to one namespace, a Kubernetes user allowed through a group binding, five kinds of bad
//! token, no token) × every root query, `node(id)` and every mutation → allow, deny with a
//! code, or a filtered result; every response is scanned for data of tenant B, of projects
//! outside the caller's scope and of namespaces the caller may not read. The root fields are
//! read from `schema.graphql`, so a new field without a case fails the test. Also: reviews
//! per request stay bounded and cached, and an admin causes no per-object reviews.

mod common;

#[path = "auth_matrix/leaks.rs"]
mod leaks;
#[path = "auth_matrix/mutations.rs"]
mod mutations;
#[path = "auth_matrix/queries.rs"]
mod queries;
#[path = "auth_matrix/world.rs"]
mod world;

use std::collections::BTreeSet;

use common::server::error_codes;
use queries::{Expect, FleetIds};
use serde_json::{Value, json};
use world::{Matrix, Who};

/// The fields of `type <name>` in the committed schema.
fn root_fields(name: &str) -> BTreeSet<String> {
    let schema = include_str!("../schema.graphql");
    let start = schema
        .find(&format!("\ntype {name} {{"))
        .unwrap_or_else(|| panic!("type {name} in schema.graphql"));
    let body = &schema[start + 1..];
    let body = &body[..body.find("\n}").expect("end of type")];
    let mut fields = BTreeSet::new();
    let mut in_doc = false;
    for line in body.lines().skip(1) {
        let line = line.trim();
        if line.starts_with("\"\"\"") {
            // A one-line doc opens and closes on the same line.
            if !(line.len() > 3 && line.ends_with("\"\"\"")) {
                in_doc = !in_doc;
            }
            continue;
        }
        if in_doc || line.is_empty() {
            continue;
        }
        let name: String = line
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        if !name.is_empty() {
            fields.insert(name);
        }
    }
    fields
}

/// The field's value in a response (data may be null as a whole).
fn field<'a>(body: &'a Value, name: &str) -> &'a Value {
    &body["data"][name]
}

/// Checks one answer against its expectation; returns what is wrong.
fn judge(
    who: Who,
    expect: Expect,
    name: &str,
    status: u16,
    body: &Value,
    admin: &Value,
) -> Option<String> {
    if who.bad_token() {
        let ok =
            status == 401 && error_codes(body) == ["UNAUTHENTICATED"] && body["data"].is_null();
        return (!ok).then(|| format!("want HTTP 401 UNAUTHENTICATED, got {status} {body}"));
    }
    if status != 200 {
        return Some(format!("HTTP {status}: {body}"));
    }
    let codes = error_codes(body);
    let value = field(body, name);
    let ok = match expect {
        Expect::Allow | Expect::Filtered => codes.is_empty() && !value.is_null(),
        Expect::SameAsAdmin => codes.is_empty() && body["data"] == admin["data"],
        Expect::Null => codes.is_empty() && value.is_null(),
        Expect::Deny(code) => codes.iter().any(|c| c == code) && value.is_null(),
        Expect::Passes => !codes
            .iter()
            .any(|c| ["UNAUTHENTICATED", "FORBIDDEN", "NOT_FOUND"].contains(&c.as_str())),
    };
    (!ok).then(|| format!("want {expect:?}, got {body}"))
}

/// Sveltos objects the cases point at, as the admin lists them.
async fn fleet_ids(m: &Matrix) -> FleetIds {
    let data = m
        .admin(
            r#"{ clusters(first: 100) { edges { node { id namespace } } }
                 profiles(first: 100) { edges { node { id kind namespace name } } }
                 eventTriggers(first: 1) { edges { node { id name } } }
                 classifiers(first: 1, filter: {kind: CLASSIFIER}) { edges { node { id name } } } }"#,
            json!({}),
        )
        .await;
    let clusters = data["clusters"]["edges"].as_array().unwrap();
    let cluster_in = |open: bool| {
        clusters
            .iter()
            .find(|e| (e["node"]["namespace"] == m.open_namespace.as_str()) == open)
            .unwrap_or_else(|| panic!("a cluster (open: {open})"))["node"]["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let profiles = data["profiles"]["edges"].as_array().unwrap();
    let profile = |kind: &str, namespace: Option<&str>| {
        profiles
            .iter()
            .map(|e| &e["node"])
            .find(|n| n["kind"] == kind && namespace.is_none_or(|ns| n["namespace"] == ns))
            .unwrap_or_else(|| panic!("a {kind} in {namespace:?}"))
            .clone()
    };
    let open_profile = profile("PROFILE", Some(&m.open_namespace));
    let cluster_profile = profile("CLUSTER_PROFILE", None);
    let s = |v: &Value| v.as_str().unwrap().to_string();
    FleetIds {
        open_cluster: cluster_in(true),
        closed_cluster: cluster_in(false),
        open_profile: (s(&open_profile["namespace"]), s(&open_profile["name"])),
        open_profile_id: s(&open_profile["id"]),
        cluster_profile: s(&cluster_profile["name"]),
        cluster_profile_id: s(&cluster_profile["id"]),
        trigger: s(&data["eventTriggers"]["edges"][0]["node"]["name"]),
        trigger_id: s(&data["eventTriggers"]["edges"][0]["node"]["id"]),
        classifier: s(&data["classifiers"]["edges"][0]["node"]["name"]),
        classifier_id: s(&data["classifiers"]["edges"][0]["node"]["id"]),
    }
}

#[tokio::test]
async fn every_principal_on_every_root_field() {
    let m = Matrix::start().await;
    let fleet = fleet_ids(&m).await;
    let secrets = leaks::Secrets::gather(&m).await;
    let cases = queries::cases(&m.ids, &fleet);
    let mutation_cases = mutations::cases();

    // Every root field has at least one case.
    let covered: BTreeSet<String> = cases.iter().map(|c| c.field.to_string()).collect();
    let missing: Vec<_> = root_fields("Query").difference(&covered).cloned().collect();
    assert!(
        missing.is_empty(),
        "root queries without a matrix case: {missing:?}"
    );
    let covered: BTreeSet<String> = mutation_cases.iter().map(|c| c.field.to_string()).collect();
    let missing: Vec<_> = root_fields("Mutation")
        .difference(&covered)
        .cloned()
        .collect();
    assert!(
        missing.is_empty(),
        "mutations without a matrix case: {missing:?}"
    );

    let mut failures = Vec::new();
    for case in &cases {
        let (_, admin) = m.ask(Who::Admin, &case.query, &case.variables).await;
        for who in Who::ALL {
            let (status, body) = m.ask(who, &case.query, &case.variables).await;
            let expect = (case.expect)(who);
            if let Some(wrong) = judge(who, expect, case.field, status, &body, &admin) {
                failures.push(format!(
                    "{} {} as {who:?}: {wrong}",
                    case.field, case.variables
                ));
            }
            for leak in secrets.leaks(who, &body) {
                failures.push(format!(
                    "{} {} as {who:?} leaks {leak}",
                    case.field, case.variables
                ));
            }
        }
    }
    for case in &mutation_cases {
        for who in Who::ALL {
            let variables = (case.variables)(&m, who).await;
            let (status, body) = m.ask(who, case.query, &variables).await;
            let expect = (case.expect)(who);
            if let Some(wrong) = judge(who, expect, case.field, status, &body, &Value::Null) {
                failures.push(format!("{} as {who:?}: {wrong}", case.field));
            }
            for leak in secrets.leaks(who, &body) {
                failures.push(format!("{} as {who:?} leaks {leak}", case.field));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} wrong cells:\n{}",
        failures.len(),
        failures.join("\n")
    );
    m.fleet.server.shutdown().await;
}

const FLEET_PAGE: &str = r#"{
  clusters(first: 100) { totalCount edges { node { id namespace name } } }
  profiles(first: 100) { totalCount }
  eventTriggers(first: 100) { totalCount edges { node { matchingClusterCount } } }
  classifiers(first: 100) { totalCount edges { node { matchingClusterCount } } }
  stats { sveltosClusters capiClusters clusterSummaries }
}"#;

#[tokio::test]
async fn reviews_per_request_are_bounded_and_cached() {
    let m = Matrix::start().await;
    // Kinds a request may ask about: each needs at most one list-level review.
    const KINDS: u64 = 8;

    // An admin JWT needs no reviews at all.
    let before = m.reviews();
    let (_, body) = m.ask(Who::Admin, FLEET_PAGE, &json!({})).await;
    assert!(body.get("errors").is_none(), "{body}");
    assert_eq!(
        m.reviews(),
        before,
        "admin: no SubjectAccessReview, no TokenReview"
    );

    // A Kubernetes user allowed everywhere through its group: one TokenReview, list-level
    // reviews only (fewer than the objects it sees), and none at all the second time.
    let before = m.reviews();
    let (_, body) = m.ask(Who::GroupUser, FLEET_PAGE, &json!({})).await;
    assert!(body.get("errors").is_none(), "{body}");
    let first = m.reviews();
    assert_eq!(first.1 - before.1, 1, "one TokenReview");
    assert!(
        first.0 - before.0 <= KINDS,
        "list-level reviews only: {}",
        first.0 - before.0
    );
    let clusters = body["data"]["clusters"]["totalCount"].as_u64().unwrap();
    assert!(clusters > KINDS, "the world has more objects than kinds");
    let (_, again) = m.ask(Who::GroupUser, FLEET_PAGE, &json!({})).await;
    assert_eq!(again["data"], body["data"]);
    assert_eq!(m.reviews(), first, "cached: no reviews the second time");

    // The namespace-limited ServiceAccount: list-level reviews per kind and its rules once per
    // namespace (plus one probe for cluster-scoped kinds), never per object, however many
    // objects the fleet holds; then answered from the cache; its TokenReview is cached too.
    let before = m.reviews();
    let (_, body) = m.ask(Who::ServiceAccount, FLEET_PAGE, &json!({})).await;
    assert!(body.get("errors").is_none(), "{body}");
    let first = m.reviews();
    assert_eq!(first.1 - before.1, 1, "one TokenReview");
    let bound = KINDS + m.namespaces() as u64 + 1;
    assert!(
        first.0 - before.0 <= bound,
        "reviews per kind and namespace only: {} > {bound}",
        first.0 - before.0
    );
    assert!(
        clusters > bound,
        "per-object reviews would exceed the bound: {clusters} clusters"
    );
    for _ in 0..3 {
        let (_, again) = m.ask(Who::ServiceAccount, FLEET_PAGE, &json!({})).await;
        assert_eq!(again["data"], body["data"]);
    }
    assert_eq!(
        m.reviews(),
        first,
        "cached: no reviews on repeated requests"
    );
    m.fleet.server.shutdown().await;
}
