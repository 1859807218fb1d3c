//! One case per mutation. Callers expected to be allowed act on objects made for them just
//! before (so nothing the other cells rely on changes); the others aim at tenant B (hidden:
//! NOT_FOUND) or at tenant A (visible but not theirs: FORBIDDEN), and must change nothing.

use std::sync::atomic::{AtomicUsize, Ordering};

use futures::future::BoxFuture;
use serde_json::{Value, json};

use super::queries::Expect::{self, *};
use super::world::{Matrix, Who, Who::*};

const UNAUTHENTICATED: Expect = Deny("UNAUTHENTICATED");

pub struct MutationCase {
    pub field: &'static str,
    pub query: &'static str,
    /// The variables `who` sends, made after setting up what an allowed caller acts on.
    pub variables: for<'a> fn(&'a Matrix, Who) -> BoxFuture<'a, Value>,
    pub expect: fn(Who) -> Expect,
}

/// Registering, bootstrapping, deleting clusters and creating / deleting tenants.
fn admin_or_ops(w: Who) -> Expect {
    match w {
        Admin | Ops => Allow,
        NoToken => UNAUTHENTICATED,
        _ => Deny("FORBIDDEN"),
    }
}

/// Acting on the registered cluster: callers who see it (their tenants live there) are
/// FORBIDDEN; callers who see none answer as if it did not exist.
fn registered_cluster_admin(w: Who) -> Expect {
    match w {
        Admin | Ops => Allow,
        OwnerA | DevWeb | Reader => Deny("FORBIDDEN"),
        ServiceAccount | GroupUser => Deny("NOT_FOUND"),
        _ => UNAUTHENTICATED,
    }
}

fn admin_only(w: Who) -> Expect {
    match w {
        Admin => Allow,
        NoToken => UNAUTHENTICATED,
        _ => Deny("FORBIDDEN"),
    }
}

/// Tenant settings: the owner of A may change A; B is hidden from A's callers.
fn tenant_settings(w: Who) -> Expect {
    match w {
        Admin | Ops | OwnerA => Allow,
        DevWeb | Reader => Deny("FORBIDDEN"),
        ServiceAccount | GroupUser => Deny("NOT_FOUND"),
        _ => UNAUTHENTICATED,
    }
}

/// Tenant-level changes where the owner of A aims at B.
fn tenant_config_owner_on_b(w: Who) -> Expect {
    match w {
        Admin | Ops => Allow,
        OwnerA | ServiceAccount | GroupUser => Deny("NOT_FOUND"),
        DevWeb | Reader => Deny("FORBIDDEN"),
        _ => UNAUTHENTICATED,
    }
}

/// Work inside a project: projectDev of web may; readOnly may not.
fn project_work(w: Who) -> Expect {
    match w {
        Admin | Ops | DevWeb => Allow,
        OwnerA | ServiceAccount | GroupUser => Deny("NOT_FOUND"),
        Reader => Deny("FORBIDDEN"),
        _ => UNAUTHENTICATED,
    }
}

/// As [`project_work`], for workflow steps an app that never ran may refuse with another
/// code once authorized.
fn project_work_passes(w: Who) -> Expect {
    match project_work(w) {
        Allow => Passes,
        other => other,
    }
}

fn slug(who: Who) -> String {
    format!("{who:?}").to_lowercase()
}

/// A name no earlier call returned: `<what>-<who>-<n>`.
fn fresh_name(who: Who, what: &str) -> String {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    format!(
        "{what}-{}-{}",
        slug(who),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// A fresh tenant for an allowed caller.
async fn fresh_tenant(m: &Matrix, who: Who) -> String {
    m.tenant(&fresh_name(who, "t")).await
}

/// A fresh project in a fresh tenant.
async fn fresh_project(m: &Matrix, who: Who) -> String {
    let tenant = fresh_tenant(m, who).await;
    m.project(&tenant, "work").await
}

/// The tenant `who` aims a tenant-level change at: a fresh one for admin and ops, B for the
/// owner of A when `owner_on_b`, else A.
async fn tenant_target(m: &Matrix, who: Who, owner_on_b: bool) -> String {
    match who {
        Admin | Ops => fresh_tenant(m, who).await,
        OwnerA if owner_on_b => m.ids.tenant_b.clone(),
        _ => m.ids.tenant_a.clone(),
    }
}

/// The project `who` works in: fresh for admin and ops, web for its developer, B's for the
/// owner of A, else web.
async fn project_target(m: &Matrix, who: Who) -> String {
    match who {
        Admin | Ops => fresh_project(m, who).await,
        OwnerA => m.ids.shop_b.clone(),
        _ => m.ids.web.clone(),
    }
}

/// The app `who` acts on: a fresh one (in a fresh project, or in web for its developer), B's
/// for the owner of A, else A's.
async fn app_target(m: &Matrix, who: Who) -> String {
    match who {
        Admin | Ops => {
            let project = fresh_project(m, who).await;
            m.app(&project, &fresh_name(who, "a")).await
        }
        DevWeb => m.app(&m.ids.web, &fresh_name(who, "a")).await,
        OwnerA => m.ids.app_b.clone(),
        _ => m.ids.app_a.clone(),
    }
}

async fn policy_target(m: &Matrix, who: Who) -> String {
    match who {
        Admin | Ops => {
            let tenant = fresh_tenant(m, who).await;
            m.policy_set(&tenant, "rules").await
        }
        OwnerA => m.ids.policy_b.clone(),
        _ => m.ids.policy_a.clone(),
    }
}

const RULES: &str =
    r#"[{"kind": "vela.trait", "spec": {"type": "scaler", "properties": {"replicas": 2}}}]"#;

fn rules() -> Value {
    serde_json::from_str(RULES).expect("rules")
}

pub fn cases() -> Vec<MutationCase> {
    vec![
        MutationCase {
            field: "registerCluster",
            query: "mutation($i: RegisterClusterInput!) { registerCluster(input: $i) { cluster { id } } }",
            variables: |m, who| {
                Box::pin(async move {
                    let sim = m.spare_cluster().await;
                    json!({"i": {"name": fresh_name(who, "probe"), "kubeconfig": sim}})
                })
            },
            expect: admin_or_ops,
        },
        MutationCase {
            field: "bootstrapTenancy",
            query: "mutation($id: ID!) { bootstrapTenancy(input: {clusterId: $id}) { ready } }",
            variables: |m, _| Box::pin(async move { json!({"id": m.ids.cluster}) }),
            expect: registered_cluster_admin,
        },
        MutationCase {
            field: "deleteCluster",
            query: "mutation($id: ID!) { deleteCluster(input: {id: $id}) { deletedClusterId } }",
            variables: |m, who| {
                Box::pin(async move {
                    let id = match who {
                        Admin | Ops => {
                            let sim = m.spare_cluster().await;
                            m.admin("mutation($i: RegisterClusterInput!) { registerCluster(input: $i) { cluster { id } } }",
                            json!({"i": {"name": fresh_name(who, "doomed"), "kubeconfig": sim}}))
                            .await["registerCluster"]["cluster"]["id"].as_str().unwrap().to_string()
                        }
                        _ => m.ids.cluster.clone(),
                    };
                    json!({"id": id})
                })
            },
            expect: registered_cluster_admin,
        },
        MutationCase {
            field: "createTenant",
            query: "mutation($i: CreateTenantInput!) { createTenant(input: $i) { tenant { id } } }",
            variables: |m, who| {
                Box::pin(async move {
                    json!({"i": {"clusterId": m.ids.cluster, "name": fresh_name(who, "new")}})
                })
            },
            expect: admin_or_ops,
        },
        MutationCase {
            field: "setTenantOwners",
            query: "mutation($t: ID!) { setTenantOwners(input: {tenantId: $t, owners: [\"acme-owner\"]}) { tenant { id } } }",
            variables: |m, who| {
                Box::pin(async move {
                    let t = tenant_target(m, who, false).await;
                    json!({"t": t})
                })
            },
            expect: tenant_settings,
        },
        MutationCase {
            field: "setTenantQuotas",
            query: "mutation($t: ID!) { setTenantQuotas(input: {tenantId: $t, quotas: [{resource: \"pods\", quantity: \"10\"}]}) { tenant { id } } }",
            variables: |m, who| {
                Box::pin(async move {
                    let t = tenant_target(m, who, true).await;
                    json!({"t": t})
                })
            },
            expect: tenant_config_owner_on_b,
        },
        MutationCase {
            field: "setTenantLimits",
            query: "mutation($t: ID!) { setTenantLimits(input: {tenantId: $t, limits: [{resource: \"cpu\", quantity: \"2\"}]}) { tenant { id } } }",
            variables: |m, who| {
                Box::pin(async move {
                    let t = tenant_target(m, who, true).await;
                    json!({"t": t})
                })
            },
            expect: tenant_config_owner_on_b,
        },
        MutationCase {
            field: "setTenantNetworkPolicies",
            query: "mutation($t: ID!) { setTenantNetworkPolicies(input: {tenantId: $t, defaultDeny: true}) { tenant { id } } }",
            variables: |m, who| {
                Box::pin(async move {
                    let t = tenant_target(m, who, true).await;
                    json!({"t": t})
                })
            },
            expect: tenant_config_owner_on_b,
        },
        MutationCase {
            field: "applyTenantPlan",
            query: "mutation($t: ID!) { applyTenantPlan(input: {tenantId: $t, plan: \"gold\"}) { tenant { id } } }",
            variables: |m, who| {
                Box::pin(async move {
                    let t = tenant_target(m, who, true).await;
                    json!({"t": t})
                })
            },
            expect: tenant_config_owner_on_b,
        },
        MutationCase {
            field: "deleteTenant",
            query: "mutation($t: ID!) { deleteTenant(input: {id: $t}) { deletedTenantId } }",
            variables: |m, who| {
                Box::pin(async move {
                    let t = tenant_target(m, who, true).await;
                    json!({"t": t})
                })
            },
            expect: tenant_config_owner_on_b,
        },
        MutationCase {
            field: "createPolicySet",
            query: "mutation($t: ID!, $r: JSON!) { createPolicySet(input: {tenantId: $t, name: \"probe\", rules: $r}) { policySet { id } } }",
            variables: |m, who| {
                Box::pin(async move {
                    let t = tenant_target(m, who, true).await;
                    json!({"t": t, "r": rules()})
                })
            },
            expect: tenant_config_owner_on_b,
        },
        MutationCase {
            field: "updatePolicySet",
            query: "mutation($id: ID!) { updatePolicySet(input: {id: $id, description: \"probe\"}) { policySet { id } } }",
            variables: |m, who| {
                Box::pin(async move {
                    let id = policy_target(m, who).await;
                    json!({"id": id})
                })
            },
            expect: tenant_config_owner_on_b,
        },
        MutationCase {
            field: "deletePolicySet",
            query: "mutation($id: ID!) { deletePolicySet(input: {id: $id}) { deletedPolicySetId } }",
            variables: |m, who| {
                Box::pin(async move {
                    let id = policy_target(m, who).await;
                    json!({"id": id})
                })
            },
            expect: tenant_config_owner_on_b,
        },
        MutationCase {
            field: "createProject",
            query: "mutation($t: ID!) { createProject(input: {tenantId: $t, name: \"probe\"}) { project { id } } }",
            variables: |m, who| {
                Box::pin(async move {
                    let t = tenant_target(m, who, true).await;
                    json!({"t": t})
                })
            },
            expect: tenant_config_owner_on_b,
        },
        MutationCase {
            field: "updateProjectLabels",
            query: "mutation($p: ID!) { updateProjectLabels(input: {projectId: $p, labels: [{key: \"probe\", value: \"x\"}]}) { project { id } } }",
            variables: |m, who| {
                Box::pin(async move {
                    let p = project_target(m, who).await;
                    json!({"p": p})
                })
            },
            expect: project_work,
        },
        MutationCase {
            field: "setProjectAccess",
            query: "mutation($p: ID!) { setProjectAccess(input: {projectId: $p, members: [{subject: \"dave\", role: \"readOnly\"}]}) { project { id } } }",
            variables: |m, who| {
                Box::pin(async move {
                    let p = match who {
                        DevWeb => m.ids.web.clone(),
                        _ => project_target(m, who).await,
                    };
                    json!({"p": p})
                })
            },
            expect: tenant_config_owner_on_b,
        },
        MutationCase {
            field: "deleteProject",
            query: "mutation($p: ID!) { deleteProject(input: {id: $p}) { deletedProjectId } }",
            variables: |m, who| {
                Box::pin(async move {
                    let p = match who {
                        DevWeb => m.ids.web.clone(),
                        _ => project_target(m, who).await,
                    };
                    json!({"p": p})
                })
            },
            expect: tenant_config_owner_on_b,
        },
        MutationCase {
            field: "issueToken",
            query: "mutation { issueToken(input: {subject: \"probe\", roles: [READ_ONLY]}) { tokenId } }",
            variables: |_, _| Box::pin(async move { json!({}) }),
            expect: admin_only,
        },
        MutationCase {
            field: "createApp",
            query: "mutation($p: ID!, $n: String!) { createApp(input: {projectId: $p, name: $n, image: \"nginx:1.27\"}) { app { id } } }",
            variables: |m, who| {
                Box::pin(async move {
                    let p = match who {
                        DevWeb => m.ids.web.clone(),
                        _ => project_target(m, who).await,
                    };
                    json!({"p": p, "n": fresh_name(who, "new")})
                })
            },
            expect: project_work,
        },
        MutationCase {
            field: "issueProjectKubeconfig",
            query: "mutation($p: ID!) { issueProjectKubeconfig(input: {projectId: $p, role: READ_ONLY, ttlSeconds: 600}) { expiresAt } }",
            variables: |m, who| Box::pin(async move { json!({"p": project_target(m, who).await}) }),
            expect: project_work,
        },
        app_case(
            "deployApp",
            "mutation($a: ID!) { deployApp(input: {appId: $a}) { app { id } } }",
            project_work,
        ),
        app_case(
            "suspendApp",
            "mutation($a: ID!) { suspendApp(input: {appId: $a}) { app { id } } }",
            project_work_passes,
        ),
        app_case(
            "resumeApp",
            "mutation($a: ID!) { resumeApp(input: {appId: $a}) { app { id } } }",
            project_work_passes,
        ),
        app_case(
            "rollbackApp",
            "mutation($a: ID!) { rollbackApp(input: {appId: $a, toRevision: 1}) { app { id } } }",
            project_work_passes,
        ),
        app_case(
            "deleteApp",
            "mutation($a: ID!) { deleteApp(input: {appId: $a}) { deletedAppId } }",
            project_work,
        ),
        app_case(
            "setAppTraits",
            "mutation($a: ID!) { setAppTraits(input: {appId: $a, traits: [{type: \"scaler\", properties: {replicas: 2}}]}) { app { id } } }",
            project_work,
        ),
        app_case(
            "setAppPolicies",
            "mutation($a: ID!) { setAppPolicies(input: {appId: $a, policies: []}) { app { id } } }",
            project_work,
        ),
        app_case(
            "updateAppImage",
            "mutation($a: ID!) { updateAppImage(input: {appId: $a, component: \"storefront\", image: \"nginx:1.28\"}) { app { id } } }",
            project_work_passes,
        ),
    ]
}

/// A case acting on an app: `$a` is the app's id.
fn app_case(field: &'static str, query: &'static str, expect: fn(Who) -> Expect) -> MutationCase {
    MutationCase {
        field,
        query,
        variables: |m, who| Box::pin(async move { json!({"a": app_target(m, who).await}) }),
        expect,
    }
}
