//! The KubeNova guide's whole flow over GraphQL HTTP against a kubesim cluster, on SQLite and
//! PostgreSQL: register → tenant → quotas, limits, network policies → plan → project → access
//! → app → policy set attached → deploy → status → revisions → diff → logs → traits, policies,
//! image → suspend, resume, rollback → usage → kubeconfig (used against kubesim; RBAC holds) →
//! deletes. After each step the real objects in kubesim and the rows in the store are checked.

mod common;

use chrono::{DateTime, Utc};
use common::TestDb;
use common::sim::eventually_async;
use common::tenancy::{self, TenancyWorld, app_pod, client_from_kubeconfig, kubevela_reports};
use common::tenancy::{last_audit, quota_status};
use k8s_openapi::api::core::v1::{ConfigMap, Pod};
use kube::Api;
use kube::api::{DeleteParams, ListParams, PostParams};
use kubesim::KubeSim;
use serde_json::{Value, json};
use uuid::Uuid;

const NS: &str = "tn-acme-app-web";
const VELA: &str = "core.oam.dev/v1beta1";
const RBAC: &str = "rbac.authorization.k8s.io/v1";

fn capsule(sim: &KubeSim) -> Value {
    sim.get_object("capsule.clastix.io/v1beta2", "Tenant", "", "acme")
        .expect("Capsule Tenant")
}

fn application(sim: &KubeSim) -> Value {
    sim.get_object(VELA, "Application", NS, "shop")
        .expect("Application")
}

fn uuid_of(value: &Value) -> Uuid {
    Uuid::parse_str(value.as_str().expect("uuid string")).expect("uuid")
}

/// Runs a mutation as admin; `input` goes in as `$i`, `$id` is the node to act on.
async fn run(w: &TenancyWorld, query: &str, vars: Value) -> Value {
    w.admin_ok(query, vars).await
}

async fn revision_count(w: &TenancyWorld, app: Uuid) -> (i32, usize) {
    let row = w.store.app(app).await.expect("q").expect("app row");
    let revs = w.store.app_revisions(app).await.expect("q");
    (row.revision, revs.len())
}

fn status(result: Result<impl Sized, kube::Error>) -> u16 {
    match result {
        Ok(_) => 200,
        Err(kube::Error::Api(s)) => s.code,
        Err(e) => panic!("not an API answer: {e}"),
    }
}

#[tokio::test]
async fn the_guides_flow_on_every_backend() {
    for db in TestDb::all().await {
        let backend = db.backend;
        let w = tenancy::start_configured(db, |c| c.tenancy.usage_sample_interval_secs = 1).await;
        flow(&w, backend).await;
        w.shutdown().await;
    }
}

async fn flow(w: &TenancyWorld, backend: &str) {
    let sim = tenancy::workload_cluster(true).await;

    // Register: validated by connecting; stored sealed; capabilities from the cluster.
    let data = run(w, "mutation($i: RegisterClusterInput!) { registerCluster(input: $i) { cluster { id uid capabilities { capsule kubeVela } } } }",
        json!({"i": {"name": "edge", "kubeconfig": sim.kubeconfig_yaml(tenancy::SIM_TOKEN),
                     "labels": [{"key": "region", "value": "eu"}]}})).await;
    let cluster = &data["registerCluster"]["cluster"];
    let cid = cluster["id"].as_str().expect("id").to_string();
    assert_eq!(
        cluster["capabilities"],
        json!({"capsule": true, "kubeVela": true}),
        "{backend}"
    );
    let row = w
        .store
        .cluster(uuid_of(&cluster["uid"]))
        .await
        .expect("q")
        .expect("cluster row");
    assert!(!row.kubeconfig_ciphertext.contains(tenancy::SIM_TOKEN));
    assert_eq!(row.labels().get("region").map(String::as_str), Some("eu"));

    // Tenant, then quotas, limits and network policies on the Capsule Tenant.
    let tid = w.create_tenant(&cid, "acme").await;
    assert_eq!(capsule(&sim)["spec"]["owners"][0]["name"], "alice");
    run(w, "mutation($t: ID!) {
        a: setTenantQuotas(input: {tenantId: $t, quotas: [{resource: \"pods\", quantity: \"20\"}]}) { tenant { id } }
        b: setTenantLimits(input: {tenantId: $t, limits: [{resource: \"cpu\", quantity: \"500m\"}]}) { tenant { id } }
        c: setTenantNetworkPolicies(input: {tenantId: $t, defaultDeny: true}) { tenant { id } } }",
        json!({"t": tid})).await;
    let spec = capsule(&sim)["spec"].clone();
    assert_eq!(
        spec["resourceQuotas"]["items"][0]["hard"],
        json!({"pods": "20"})
    );
    assert_eq!(
        spec["limitRanges"]["items"][0]["limits"][0]["max"],
        json!({"cpu": "500m"})
    );
    assert_eq!(
        spec["networkPolicies"]["items"][0]["policyTypes"],
        json!(["Ingress", "Egress"])
    );
    let trow = w
        .store
        .tenant_by_name("acme")
        .await
        .expect("q")
        .expect("tenant row");
    assert_eq!(trow.quotas().get("pods").map(String::as_str), Some("20"));
    assert_eq!(trow.network_policies().len(), 1);

    // Plan: its quotas and its policy set.
    run(w, "mutation($t: ID!) { applyTenantPlan(input: {tenantId: $t, plan: \"baseline\"}) { tenant { plan } } }",
        json!({"t": tid})).await;
    let object = capsule(&sim);
    assert_eq!(
        object["metadata"]["annotations"]["kubenova.io/plan"],
        "baseline"
    );
    assert_eq!(
        object["spec"]["resourceQuotas"]["items"][0]["hard"]["cpu"],
        "2"
    );
    let sets = w.store.policy_sets(trow.id).await.expect("q");
    assert_eq!(
        sets.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(),
        ["baseline"]
    );

    // Project: its namespace, labelled for KubeNova and Capsule.
    let pid = w.create_project(&tid, "web").await;
    let ns = sim
        .get_object("v1", "Namespace", "", NS)
        .expect("namespace");
    assert_eq!(
        ns["metadata"]["labels"]["capsule.clastix.io/tenant"],
        "acme"
    );
    let prow = w.store.projects(Some(trow.id)).await.expect("q").remove(0);
    assert_eq!(prow.namespace, NS);

    // Access: a Role with the role's verbs and a RoleBinding to the member.
    run(w, "mutation($p: ID!) { setProjectAccess(input: {projectId: $p, members: [{subject: \"bob\", role: \"projectDev\"}]}) { project { id } } }",
        json!({"p": pid})).await;
    let binding = sim
        .get_object(RBAC, "RoleBinding", NS, "kubenova-acme-web-projectdev")
        .expect("binding");
    assert_eq!(binding["subjects"][0]["name"], "bob");
    assert!(
        sim.get_object(RBAC, "Role", NS, "kubenova-acme-web-projectdev")
            .is_some()
    );
    let prow = w.store.project(prow.id).await.expect("q").expect("row");
    assert_eq!(prow.members().len(), 1);

    // App: the Application with the plan's baseline policy.
    let data = run(
        w,
        "mutation($i: CreateAppInput!) { createApp(input: $i) { app { id uuid } } }",
        json!({"i": {"projectId": pid, "name": "shop", "component": "web", "image": "nginx:1.25"}}),
    )
    .await;
    let aid = data["createApp"]["app"]["id"]
        .as_str()
        .expect("id")
        .to_string();
    let app = uuid_of(&data["createApp"]["app"]["uuid"]);
    let obj = application(&sim);
    assert_eq!(
        obj["spec"]["components"][0]["properties"]["image"],
        "nginx:1.25"
    );
    assert_eq!(obj["spec"]["policies"][0]["type"], "health");
    assert_eq!(revision_count(w, app).await, (1, 1));

    // A policy set attached to the project, materialised on deploy.
    run(
        w,
        "mutation($t: ID!) { createPolicySet(input: {tenantId: $t, name: \"observability\",
        rules: [{kind: \"vela.trait\", spec: {type: \"logging\", properties: {level: \"info\"}}}],
        attachedTo: [{project: \"web\"}]}) { policySet { id } } }",
        json!({"t": tid}),
    )
    .await;
    assert_eq!(w.store.policy_sets(trow.id).await.expect("q").len(), 2);
    assert!(
        application(&sim)["spec"]["components"][0]
            .get("traits")
            .is_none_or(|t| !t.to_string().contains("logging"))
    );
    run(
        w,
        "mutation($a: ID!) { deployApp(input: {appId: $a}) { app { revision } } }",
        json!({"a": aid}),
    )
    .await;
    let obj = application(&sim);
    assert_eq!(
        obj["metadata"]["annotations"]["app.oam.dev/publishVersion"],
        "2"
    );
    assert!(
        obj["spec"]["components"][0]["traits"]
            .to_string()
            .contains("logging"),
        "{obj}"
    );
    assert_eq!(revision_count(w, app).await, (2, 2));

    // Status, revisions, diff, logs: read from the cluster and the store.
    kubevela_reports(&sim, NS, "shop", tenancy::running_workflow());
    app_pod(
        &sim,
        NS,
        "shop",
        "web",
        "shop-web-a",
        &[(10, "listening on :80")],
    );
    w.await_app_phase(&aid, "running").await;
    let data = run(
        w,
        "query($a: ID!) { app(id: $a) { status { phase publishVersion }
        revisions { number action applicationRevision } diff(from: 1, to: 2) { op path }
        logs(component: \"web\") { pod message } } }",
        json!({"a": aid}),
    )
    .await;
    let a = &data["app"];
    assert_eq!(
        a["status"],
        json!({"phase": "running", "publishVersion": "2"})
    );
    assert_eq!(
        a["revisions"][1],
        json!({"number": 2, "action": "deploy", "applicationRevision": "shop-v2"})
    );
    assert!(
        a["diff"]
            .as_array()
            .expect("diff")
            .iter()
            .any(|c| c["path"].as_str().unwrap_or_default().contains("traits")),
        "{a}"
    );
    assert_eq!(
        a["logs"],
        json!([{"pod": "shop-web-a", "message": "listening on :80"}])
    );

    // Traits, policies, image: one revision each, each in the Application.
    run(w, "mutation($a: ID!) {
        t: setAppTraits(input: {appId: $a, component: \"web\", traits: [{type: \"scaler\", properties: {replicas: 2}}]}) { app { revision } } }",
        json!({"a": aid})).await;
    run(w, "mutation($a: ID!) {
        p: setAppPolicies(input: {appId: $a, policies: [{name: \"topology\", type: \"topology\", properties: {clusters: [\"local\"]}}]}) { app { revision } } }",
        json!({"a": aid})).await;
    run(w, "mutation($a: ID!) {
        i: updateAppImage(input: {appId: $a, component: \"web\", image: \"nginx\", tag: \"1.27\"}) { app { revision } } }",
        json!({"a": aid})).await;
    let obj = application(&sim);
    let comp = &obj["spec"]["components"][0];
    assert_eq!(comp["properties"]["image"], "nginx:1.27");
    assert!(
        comp["traits"].to_string().contains("\"replicas\":2"),
        "{comp}"
    );
    assert!(obj["spec"]["policies"].to_string().contains("topology"));
    assert_eq!(revision_count(w, app).await, (5, 5));

    // Suspend, resume (the workflow), rollback (a new revision with revision 1's spec).
    kubevela_reports(&sim, NS, "shop", tenancy::running_workflow());
    run(
        w,
        "mutation($a: ID!) { suspendApp(input: {appId: $a}) { status { suspended } } }",
        json!({"a": aid}),
    )
    .await;
    assert_eq!(application(&sim)["status"]["workflow"]["suspend"], true);
    run(
        w,
        "mutation($a: ID!) { resumeApp(input: {appId: $a}) { status { suspended } } }",
        json!({"a": aid}),
    )
    .await;
    assert_eq!(application(&sim)["status"]["workflow"]["suspend"], false);
    run(
        w,
        "mutation($a: ID!) { rollbackApp(input: {appId: $a, toRevision: 1}) { app { revision } } }",
        json!({"a": aid}),
    )
    .await;
    assert_eq!(
        application(&sim)["spec"]["components"][0]["properties"]["image"],
        "nginx:1.25"
    );
    assert_eq!(revision_count(w, app).await, (6, 6));

    // Usage: the quota status now, with the sampler's readings for average and peak.
    quota_status(&sim, NS, json!({"pods": "20"}), json!({"pods": "3"}));
    let store = w.store.clone();
    let project_uuid = prow.id;
    eventually_async(30, "a usage sample of 3 pods", || {
        let store = store.clone();
        async move {
            store
                .usage_samples("project", project_uuid, DateTime::<Utc>::UNIX_EPOCH)
                .await
                .expect("q")
                .iter()
                .any(|s| s.resource == "pods" && s.used == 3.0)
        }
    })
    .await;
    let data = run(w, "query($t: ID!, $p: ID!) {
        tenant(id: $t) { usage(range: \"24h\") { resources { resource current peak hard samples } } }
        project(id: $p) { usage(range: \"7d\") { resources { resource current peak hard samples } } } }",
        json!({"t": tid, "p": pid})).await;
    for usage in [&data["tenant"]["usage"], &data["project"]["usage"]] {
        let pods = &usage["resources"][0];
        assert_eq!(
            (
                &pods["resource"],
                &pods["current"],
                &pods["peak"],
                &pods["hard"]
            ),
            (&json!("pods"), &json!(3.0), &json!(3.0), &json!(20.0)),
            "{usage}"
        );
        assert!(pods["samples"].as_u64().expect("n") >= 2, "{usage}");
    }

    // Kubeconfig: a projectDev ServiceAccount token; kubesim enforces its Role.
    let data = run(w, "mutation($p: ID!) { issueProjectKubeconfig(input: {projectId: $p, role: PROJECT_DEV, ttlSeconds: 900}) { kubeconfig server } }",
        json!({"p": pid})).await;
    let issued = &data["issueProjectKubeconfig"];
    assert_eq!(issued["server"], sim.url());
    assert!(
        sim.get_object("v1", "ServiceAccount", NS, "kubenova-acme-web-projectdev")
            .is_some()
    );
    let client = client_from_kubeconfig(issued["kubeconfig"].as_str().expect("yaml")).await;
    let cms: Api<ConfigMap> = Api::namespaced(client.clone(), NS);
    let cm: ConfigMap =
        serde_json::from_value(json!({"metadata": {"name": "settings"}})).expect("cm");
    assert_eq!(
        status(
            Api::<Pod>::namespaced(client.clone(), NS)
                .list(&ListParams::default())
                .await
        ),
        200
    );
    assert_eq!(status(cms.create(&PostParams::default(), &cm).await), 200);
    assert_eq!(
        status(cms.delete("settings", &DeleteParams::default()).await),
        403
    );
    assert_eq!(
        status(
            Api::<Pod>::namespaced(client, "default")
                .list(&ListParams::default())
                .await
        ),
        403
    );
    assert_eq!(
        last_audit(&w.store, "issueProjectKubeconfig")
            .await
            .expect("audited")
            .1,
        "success"
    );

    // Deletes: app, project, tenant, cluster; each takes its objects and rows along.
    run(
        w,
        "mutation($a: ID!) { deleteApp(input: {appId: $a}) { deletedAppId } }",
        json!({"a": aid}),
    )
    .await;
    assert!(sim.get_object(VELA, "Application", NS, "shop").is_none());
    assert!(w.store.app(app).await.expect("q").is_none());
    run(
        w,
        "mutation($p: ID!) { deleteProject(input: {id: $p}) { deletedProjectId } }",
        json!({"p": pid}),
    )
    .await;
    assert!(sim.get_object("v1", "Namespace", "", NS).is_none());
    assert!(w.store.project(prow.id).await.expect("q").is_none());
    run(
        w,
        "mutation($t: ID!) { deleteTenant(input: {id: $t}) { removed } }",
        json!({"t": tid}),
    )
    .await;
    assert!(
        sim.get_object("capsule.clastix.io/v1beta2", "Tenant", "", "acme")
            .is_none()
    );
    assert!(w.store.tenant_by_name("acme").await.expect("q").is_none());
    assert!(w.store.policy_sets(trow.id).await.expect("q").is_empty());
    run(
        w,
        "mutation($c: ID!) { deleteCluster(input: {id: $c}) { deletedClusterId leftovers } }",
        json!({"c": cid}),
    )
    .await;
    assert!(w.store.cluster(row.id).await.expect("q").is_none());
    for op in [
        "registerCluster",
        "createTenant",
        "applyTenantPlan",
        "createProject",
        "setProjectAccess",
        "createApp",
        "createPolicySet",
        "deployApp",
        "rollbackApp",
        "deleteApp",
        "deleteCluster",
    ] {
        assert_eq!(
            last_audit(&w.store, op).await.map(|a| a.1),
            Some("success".into()),
            "{op}"
        );
    }
    sim.shutdown().await;
}
