//! The real `kubectl` (every installed 1.27..=1.33, at least the oldest and newest) against a
//! running kubesim: apply every upstream CRD and a valid object of each kind, `get -l`,
//! `get -o json/yaml`, `get -w` seeing a concurrent patch, `patch` (merge, json, strategic),
//! client- and server-side `apply`, strict field validation, `delete` waiting for deletion,
//! `auth can-i` for an RBAC-limited user, `api-resources` and `explain`.
//!
//! kubectl sends its token only over TLS, so each instance is reached through a
//! `kubesim::tls::TlsFront`. A version that is not installed is reported and skipped; with
//! none installed the suite fails only when `KUBESIM_REQUIRE_KUBECTL=1`.

mod kubectl_support;

use std::collections::BTreeSet;

use kubectl_support::env::{Env, start};
use kubectl_support::writes::{apply_patch_watch, patch_and_delete_custom_resource};
use kubectl_support::{
    Kubectl, NEWEST, OLDEST, binary, crd_files, crds_dir, fixtures, fixtures_dir, installed, names,
};
use serde_json::Value;

fn count_lines(out: &str, word: &str) -> usize {
    out.lines().filter(|l| l.ends_with(word)).count()
}

async fn crds_and_fixtures(k: &Kubectl) {
    let crds = crds_dir();
    let crds = crds.to_str().expect("utf-8 path");
    let out = k.ok(&["apply", "-R", "-f", crds]).await;
    assert_eq!(
        count_lines(&out, " created"),
        crd_files().len(),
        "{}: every CRD is created:\n{out}",
        k.label
    );
    k.ok(&[
        "wait",
        "--for=condition=Established",
        "crd",
        "--all",
        "--timeout=60s",
    ])
    .await;
    let again = k.ok(&["apply", "-R", "-f", crds]).await;
    assert_eq!(
        count_lines(&again, " unchanged"),
        crd_files().len(),
        "{again}"
    );

    let fx = fixtures();
    let namespaces: BTreeSet<String> = fx.iter().filter_map(|f| f.namespace.clone()).collect();
    for ns in namespaces
        .iter()
        .map(String::as_str)
        .chain(["team-a", "team-b"])
    {
        // A typed-client create: protobuf from kubectl >= 1.31.
        k.ok(&["create", "namespace", ns]).await;
    }
    let dir = fixtures_dir();
    let dir = dir.to_str().expect("utf-8 path");
    let out = k.ok(&["apply", "-f", dir]).await;
    assert_eq!(count_lines(&out, " created"), fx.len(), "{out}");
    let list = k.json(&["get", "-f", dir, "-o", "json"]).await;
    let mut got = names(&list);
    let mut want: Vec<String> = fx.iter().map(|f| f.name.clone()).collect();
    got.sort();
    want.sort();
    assert_eq!(
        got, want,
        "{}: get -f fixtures returns every object",
        k.label
    );
}

async fn selectors_and_output(k: &Kubectl) {
    let fx = fixtures();
    let f = fx
        .iter()
        .find(|f| f.namespace.is_some() && !f.labels.is_empty())
        .expect("a namespaced fixture with labels");
    let (key, value) = f.labels.iter().next().expect("a label");
    let res = f.resource();
    let ns = f.namespace.as_deref().expect("namespaced");
    let eq = format!("{key}={value}");
    let neq = format!("{key}!={value}");
    let set = format!("{key} in ({value},no-such-value)");
    let absent = format!("!{key}");
    for (sel, present) in [(&eq, true), (&neq, false), (&set, true), (&absent, false)] {
        let v = k.json(&["get", &res, "-A", "-l", sel, "-o", "json"]).await;
        assert_eq!(
            names(&v).contains(&f.name),
            present,
            "{}: get {res} -l {sel:?}",
            k.label
        );
    }
    let one = k
        .json(&["get", &res, &f.name, "-n", ns, "-o", "json"])
        .await;
    assert_eq!(one["metadata"]["labels"][key.as_str()], value.as_str());
    assert_eq!(one["kind"], f.kind.as_str());
    let yaml = k.ok(&["get", &res, &f.name, "-n", ns, "-o", "yaml"]).await;
    let parsed: Value = serde_yaml::from_str(&yaml).expect("-o yaml parses");
    assert_eq!(parsed["metadata"]["uid"], one["metadata"]["uid"]);

    // Server-side printing: the Table's columns, `-o wide` adding priority > 0 columns.
    let table = k.ok(&["get", &res, "-n", ns, "-l", &eq]).await;
    let header = table.lines().next().unwrap_or("");
    assert!(header.starts_with("NAME"), "{}: {table}", k.label);
    assert!(table.contains(&f.name), "{table}");
    if f.kind == "SveltosCluster" {
        assert!(
            header.contains("SHARD") && !header.contains("CONNECTIONSTATUS"),
            "{header}"
        );
        let wide = k.ok(&["get", &res, "-n", ns, "-o", "wide"]).await;
        assert!(
            wide.lines()
                .next()
                .unwrap_or("")
                .contains("CONNECTIONSTATUS"),
            "{wide}"
        );
    }
    let ns_table = k.ok(&["get", "namespaces"]).await;
    assert!(
        ns_table
            .lines()
            .next()
            .is_some_and(|h| h.split_whitespace().eq(["NAME", "STATUS", "AGE"])),
        "{ns_table}"
    );
}

async fn rbac_limited_user(env: &Env) {
    let (k, alice) = (&env.admin, &env.alice);
    k.ok(&[
        "create",
        "rolebinding",
        "alice-edit",
        "--clusterrole=edit",
        "--user=alice",
        "-n",
        "team-a",
    ])
    .await;
    let yes = alice
        .run(&["auth", "can-i", "get", "configmaps", "-n", "team-a"])
        .await;
    assert_eq!(
        (yes.code, yes.stdout.trim()),
        (Some(0), "yes"),
        "{}: {yes:?}",
        k.label
    );
    let no = alice
        .run(&["auth", "can-i", "get", "configmaps", "-n", "default"])
        .await;
    assert_eq!(
        (no.code, no.stdout.trim()),
        (Some(1), "no"),
        "{}: {no:?}",
        k.label
    );
    let no = alice.run(&["auth", "can-i", "create", "namespaces"]).await;
    assert_eq!(no.stdout.trim(), "no", "{no:?}");
    let list = alice.ok(&["auth", "can-i", "--list", "-n", "team-a"]).await;
    assert!(list.lines().any(|l| l.starts_with("configmaps ")), "{list}");
    alice.ok(&["get", "configmaps", "-n", "team-a"]).await;
    let denied = alice.fails(&["get", "configmaps", "-n", "default"]).await;
    assert!(denied.stderr.contains("Forbidden"), "{}", denied.stderr);
}

async fn discovery_and_explain(k: &Kubectl) {
    let out = k.ok(&["api-resources"]).await;
    for want in [
        "configmaps",
        "sveltosclusters",
        "clusterprofiles",
        "tenants",
        "customresourcedefinitions",
    ] {
        assert!(
            out.lines().any(|l| l.starts_with(want)),
            "{}: api-resources lacks {want}:\n{out}",
            k.label
        );
    }
    let namespaced = k
        .ok(&["api-resources", "--namespaced=false", "-o", "name"])
        .await;
    assert!(
        namespaced.lines().any(|l| l == "namespaces"),
        "{namespaced}"
    );
    let explain = k.ok(&["explain", "configmap.data"]).await;
    assert!(
        explain.contains("ConfigMap") && explain.contains("data"),
        "{explain}"
    );
    let explain = k
        .ok(&["explain", "sveltoscluster.spec.kubeconfigName"])
        .await;
    assert!(explain.contains("SveltosCluster"), "{explain}");
}

async fn scenario(minor: u32) {
    let bin = binary(minor);
    if !bin.is_file() {
        eprintln!(
            "kubectl 1.{minor} is not installed at {}: skipping kubectl 1.{minor}",
            bin.display()
        );
        return;
    }
    let env = start(minor).await;
    let v = env.admin.json(&["version", "-o", "json"]).await;
    assert!(v["serverVersion"]["gitVersion"].is_string(), "{v}");
    crds_and_fixtures(&env.admin).await;
    selectors_and_output(&env.admin).await;
    apply_patch_watch(&env).await;
    patch_and_delete_custom_resource(&env.admin).await;
    rbac_limited_user(&env).await;
    discovery_and_explain(&env.admin).await;
}

#[test]
fn kubectl_is_installed() {
    let found = installed();
    if found.is_empty() {
        let msg = format!(
            "no kubectl 1.{OLDEST}..1.{NEWEST} found in {}: the kubectl tests checked nothing",
            kubectl_support::BIN_DIR
        );
        eprintln!("{msg}");
        if std::env::var("KUBESIM_REQUIRE_KUBECTL").as_deref() == Ok("1") {
            panic!("{msg} (KUBESIM_REQUIRE_KUBECTL=1)");
        }
    } else {
        eprintln!("kubectl versions found: {found:?}");
    }
}

macro_rules! version_test {
    ($name:ident, $minor:expr) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $name() {
            scenario($minor).await;
        }
    };
}

version_test!(kubectl_1_27_oldest, 27);
version_test!(kubectl_1_28, 28);
version_test!(kubectl_1_29, 29);
version_test!(kubectl_1_30, 30);
version_test!(kubectl_1_31, 31);
version_test!(kubectl_1_32, 32);
version_test!(kubectl_1_33_newest, 33);
