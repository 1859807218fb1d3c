//! One case (at least) per root query field and per kind of `node(id)`, with what each
//! principal must get.

use serde_json::{Value, json};

use super::world::{Ids, Who};

/// What a principal must get from one case.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expect {
    /// No errors, the field is not null.
    Allow,
    /// No errors and exactly the admin's answer (nothing hidden from a cluster-wide reader).
    SameAsAdmin,
    /// No errors, the field is not null; what it holds is checked by the leak scan.
    Filtered,
    /// No errors, the field is null (hidden answers like absent).
    Null,
    /// An error with this code and no data for the field.
    Deny(&'static str),
    /// Past authorization: no UNAUTHENTICATED, FORBIDDEN or NOT_FOUND (the operation itself may
    /// still refuse, e.g. resuming an app that never ran).
    Passes,
}

use Expect::*;
use Who::*;

const UNAUTHENTICATED: Expect = Deny("UNAUTHENTICATED");

pub struct Case {
    /// The root field the case asks for.
    pub field: &'static str,
    pub query: String,
    pub variables: Value,
    pub expect: fn(Who) -> Expect,
}

fn everyone(_: Who) -> Expect {
    Allow
}

/// The shipped catalog: any caller with a valid token.
fn signed_in(w: Who) -> Expect {
    match w {
        NoToken => UNAUTHENTICATED,
        _ => Allow,
    }
}

/// A registered cluster's catalog: whoever sees the cluster; others are told it does not exist.
fn catalog_of_cluster(w: Who) -> Expect {
    match registered_one(w) {
        Null => Deny("NOT_FOUND"),
        other => other,
    }
}

fn signed_in_but_no_mcp(w: Who) -> Expect {
    match w {
        NoToken => UNAUTHENTICATED,
        _ => Deny("UNAVAILABLE"),
    }
}

/// Sveltos lists: cluster-wide readers see all; the ServiceAccount its namespace; tenancy
/// roles have no fleet access.
fn sveltos_list(w: Who) -> Expect {
    match w {
        Admin | Ops | Reader | GroupUser => SameAsAdmin,
        ServiceAccount => Filtered,
        OwnerA | DevWeb => Deny("FORBIDDEN"),
        _ => UNAUTHENTICATED,
    }
}

/// A Sveltos object in the ServiceAccount's namespace, of a kind its Role covers.
fn sveltos_open(w: Who) -> Expect {
    match w {
        Admin | Ops | Reader | GroupUser | ServiceAccount => SameAsAdmin,
        OwnerA | DevWeb => Deny("FORBIDDEN"),
        _ => UNAUTHENTICATED,
    }
}

/// A Sveltos object the ServiceAccount may not see.
fn sveltos_closed(w: Who) -> Expect {
    match w {
        Admin | Ops | Reader | GroupUser => SameAsAdmin,
        ServiceAccount => Null,
        OwnerA | DevWeb => Deny("FORBIDDEN"),
        _ => UNAUTHENTICATED,
    }
}

fn tenancy_list(w: Who) -> Expect {
    match w {
        Admin | Ops => SameAsAdmin,
        NoToken => UNAUTHENTICATED,
        _ => Filtered,
    }
}

/// Tenant A, its project web and what is in it.
fn tenancy_a(w: Who) -> Expect {
    match w {
        Admin | Ops | OwnerA | DevWeb | Reader => Allow,
        ServiceAccount | GroupUser => Null,
        _ => UNAUTHENTICATED,
    }
}

/// Tenant A's other project: not in the projectDev's token.
fn tenancy_a_not_web(w: Who) -> Expect {
    match w {
        Admin | Ops | OwnerA | Reader => Allow,
        DevWeb | ServiceAccount | GroupUser => Null,
        _ => UNAUTHENTICATED,
    }
}

/// Tenant B and everything in it.
fn tenancy_b(w: Who) -> Expect {
    match w {
        Admin | Ops => Allow,
        NoToken => UNAUTHENTICATED,
        _ => Null,
    }
}

fn apps_of_web(w: Who) -> Expect {
    match w {
        Admin | Ops | OwnerA | DevWeb | Reader => Allow,
        ServiceAccount | GroupUser => Deny("NOT_FOUND"),
        _ => UNAUTHENTICATED,
    }
}

fn apps_of_b(w: Who) -> Expect {
    match w {
        Admin | Ops => Allow,
        NoToken => UNAUTHENTICATED,
        _ => Deny("NOT_FOUND"),
    }
}

fn registered_list(w: Who) -> Expect {
    match w {
        Admin | Ops | Reader => SameAsAdmin,
        NoToken => UNAUTHENTICATED,
        _ => Filtered,
    }
}

/// The registered cluster tenant A lives on.
fn registered_one(w: Who) -> Expect {
    match w {
        Admin | Ops | Reader | OwnerA | DevWeb => Allow,
        ServiceAccount | GroupUser => Null,
        _ => UNAUTHENTICATED,
    }
}

/// Tenants A and B and a cluster: tenancy roles have no fleet access, so the list is refused.
fn nodes_a_b_and_fleet(w: Who) -> Expect {
    match w {
        Admin | Ops => SameAsAdmin,
        OwnerA | DevWeb => Deny("FORBIDDEN"),
        NoToken => UNAUTHENTICATED,
        _ => Filtered,
    }
}

fn case(field: &'static str, query: &str, variables: Value, expect: fn(Who) -> Expect) -> Case {
    Case {
        field,
        query: query.to_string(),
        variables,
        expect,
    }
}

/// Sveltos objects the cases point at, read by the admin from the world.
pub struct FleetIds {
    pub open_cluster: String,
    pub closed_cluster: String,
    pub open_profile: (String, String),
    pub open_profile_id: String,
    pub cluster_profile: String,
    pub cluster_profile_id: String,
    pub trigger: String,
    pub trigger_id: String,
    pub classifier: String,
    pub classifier_id: String,
}

const NODE: &str =
    "query($id: ID!) { node(id: $id) { __typename id ... on Cluster { namespace name } } }";

pub fn cases(ids: &Ids, fleet: &FleetIds) -> Vec<Case> {
    let node = |id: &str, expect: fn(Who) -> Expect| case("node", NODE, json!({"id": id}), expect);
    vec![
        case("version", "{ version { version } }", json!({}), everyone),
        case("viewer", "{ viewer { authKind } }", json!({}), everyone),
        case(
            "clusters",
            "{ clusters(first: 100) { totalCount edges { node { id kind namespace name ready version } } } }",
            json!({}),
            sveltos_list,
        ),
        case(
            "profiles",
            "{ profiles(first: 100) { totalCount edges { node { id kind namespace name } } } }",
            json!({}),
            sveltos_list,
        ),
        case(
            "profileTiers",
            "{ profileTiers { tier profiles(first: 100) { totalCount edges { node { id namespace name } } } } }",
            json!({}),
            sveltos_list,
        ),
        case(
            "profile",
            "query($ns: String, $name: String!) { profile(kind: PROFILE, namespace: $ns, name: $name) {
               id name matchingClusters(first: 100) { totalCount edges { node { clusterNamespace clusterName } } } } }",
            json!({"ns": fleet.open_profile.0, "name": fleet.open_profile.1}),
            sveltos_open,
        ),
        case(
            "profile",
            "query($name: String!) { profile(kind: CLUSTER_PROFILE, name: $name) { id name } }",
            json!({"name": fleet.cluster_profile}),
            sveltos_closed,
        ),
        case(
            "stats",
            "{ stats { capiClusters notReadyCapiClusters sveltosClusters notReadySveltosClusters pullModeClusters
               clusterProfiles profiles clusterSummaries eventTriggers classifiers managementClusterClassifiers } }",
            json!({}),
            sveltos_list,
        ),
        case(
            "eventTriggers",
            "{ eventTriggers(first: 100) { totalCount edges { node { id name matchingClusterCount
               matchingClusters(first: 100) { edges { node { clusterNamespace clusterName } } } } } } }",
            json!({}),
            sveltos_list,
        ),
        case(
            "eventTrigger",
            "query($name: String!) { eventTrigger(name: $name) { id name } }",
            json!({"name": fleet.trigger}),
            sveltos_closed,
        ),
        case(
            "classifiers",
            "{ classifiers(first: 100) { totalCount edges { node { id kind name matchingClusterCount
               matchingClusters { clusterNamespace clusterName } } } } }",
            json!({}),
            sveltos_list,
        ),
        case(
            "classifier",
            "query($name: String!) { classifier(kind: CLASSIFIER, name: $name) { id name } }",
            json!({"name": fleet.classifier}),
            sveltos_closed,
        ),
        case(
            "sveltosInstallation",
            "{ sveltosInstallation { isCorrectlyInstalled } }",
            json!({}),
            signed_in_but_no_mcp,
        ),
        case(
            "registeredClusters",
            "{ registeredClusters(first: 100) { totalCount edges { node { id name } } } }",
            json!({}),
            registered_list,
        ),
        case(
            "registeredCluster",
            "query($id: ID!) { registeredCluster(id: $id) { id name } }",
            json!({"id": ids.cluster}),
            registered_one,
        ),
        case(
            "tenants",
            "{ tenants(first: 100) { totalCount edges { node { id name projects(first: 100) { edges { node { id name } } } } } } }",
            json!({}),
            tenancy_list,
        ),
        case("tenant", "query($id: ID!) { tenant(id: $id) { id name } }", json!({"id": ids.tenant_a}), tenancy_a),
        case("tenant", "query($id: ID!) { tenant(id: $id) { id name } }", json!({"id": ids.tenant_b}), tenancy_b),
        case("project", "query($id: ID!) { project(id: $id) { id name } }", json!({"id": ids.web}), tenancy_a),
        case(
            "project",
            "query($id: ID!) { project(id: $id) { id name } }",
            json!({"id": ids.backoffice}),
            tenancy_a_not_web,
        ),
        case("project", "query($id: ID!) { project(id: $id) { id name } }", json!({"id": ids.shop_b}), tenancy_b),
        case("app", "query($id: ID!) { app(id: $id) { id name } }", json!({"id": ids.app_a}), tenancy_a),
        case("app", "query($id: ID!) { app(id: $id) { id name } }", json!({"id": ids.app_b}), tenancy_b),
        case(
            "apps",
            "query($p: ID!) { apps(projectId: $p, first: 100) { totalCount edges { node { id name } } } }",
            json!({"p": ids.web}),
            apps_of_web,
        ),
        case(
            "apps",
            "query($p: ID!) { apps(projectId: $p, first: 100) { totalCount edges { node { id name } } } }",
            json!({"p": ids.shop_b}),
            apps_of_b,
        ),
        case("policySet", "query($id: ID!) { policySet(id: $id) { id name } }", json!({"id": ids.policy_b}), tenancy_b),
        case("policySetCatalog", "{ policySetCatalog { name } }", json!({}), everyone),
        case("plans", "{ plans { name } }", json!({}), everyone),
        case("plan", r#"{ plan(name: "gold") { name } }"#, json!({}), everyone),
        case("catalog", "{ catalog { components { name } traits { name } } }", json!({}), signed_in),
        case(
            "catalog",
            "query($c: ID!) { catalog(clusterId: $c) { components { name source } } }",
            json!({"c": ids.cluster}),
            catalog_of_cluster,
        ),
        node(&ids.tenant_a, tenancy_a),
        node(&ids.tenant_b, tenancy_b),
        node(&ids.backoffice, tenancy_a_not_web),
        node(&ids.shop_b, tenancy_b),
        node(&ids.app_a, tenancy_a),
        node(&ids.app_b, tenancy_b),
        node(&ids.policy_a, tenancy_a_owner_reader),
        node(&ids.policy_b, tenancy_b),
        node(&ids.cluster, registered_one),
        node(&fleet.open_cluster, sveltos_open),
        node(&fleet.closed_cluster, sveltos_closed),
        node(&fleet.open_profile_id, sveltos_open),
        node(&fleet.cluster_profile_id, sveltos_closed),
        node(&fleet.trigger_id, sveltos_closed),
        node(&fleet.classifier_id, sveltos_closed),
        case(
            "nodes",
            "query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }",
            json!({"ids": [ids.tenant_a, ids.tenant_b, fleet.closed_cluster]}),
            nodes_a_b_and_fleet,
        ),
    ]
}

/// Tenant A's policy sets: tenant-level objects, seen by whoever sees the tenant.
fn tenancy_a_owner_reader(w: Who) -> Expect {
    tenancy_a(w)
}
