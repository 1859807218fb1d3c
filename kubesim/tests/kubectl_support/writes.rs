//! The writing steps of the scenario: client- and server-side apply, merge/JSON/strategic
//! patches seen by a concurrent `get -w`, strict field validation, and deletes that wait.

use std::time::Duration;

use super::env::{Env, write};
use super::{Kubectl, fixtures, wait_for_line};

pub async fn apply_patch_watch(env: &Env) {
    let k = &env.admin;
    let cm = |data: &str| {
        format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: watched\n  namespace: team-a\n  labels: {{app: demo}}\ndata:\n{data}"
        )
    };
    let file = write(env, "cm.yaml", &cm("  a: \"1\"\n"));
    assert!(k.ok(&["apply", "-f", &file]).await.contains("created"));

    let (mut child, mut lines) = k.spawn(&["get", "configmap", "watched", "-n", "team-a", "-w"]);
    let label = k.label.clone();
    let within = Duration::from_secs(60);
    wait_for_line(&label, &mut lines, within, "the header", |l| {
        l.starts_with("NAME")
    })
    .await;
    wait_for_line(&label, &mut lines, within, "the first row", |l| {
        l.split_whitespace().take(2).eq(["watched", "1"])
    })
    .await;
    k.ok(&[
        "patch",
        "configmap",
        "watched",
        "-n",
        "team-a",
        "--type",
        "merge",
        "-p",
        r#"{"data":{"b":"2"}}"#,
    ])
    .await;
    wait_for_line(&label, &mut lines, within, "the merge-patched row", |l| {
        l.split_whitespace().take(2).eq(["watched", "2"])
    })
    .await;
    k.ok(&[
        "patch",
        "configmap",
        "watched",
        "-n",
        "team-a",
        "--type",
        "json",
        "-p",
        r#"[{"op":"add","path":"/data/c","value":"3"}]"#,
    ])
    .await;
    wait_for_line(&label, &mut lines, within, "the JSON-patched row", |l| {
        l.split_whitespace().take(2).eq(["watched", "3"])
    })
    .await;
    child.kill().await.ok();

    k.ok(&[
        "patch",
        "configmap",
        "watched",
        "-n",
        "team-a",
        "--type",
        "strategic",
        "-p",
        r#"{"data":{"d":"4"}}"#,
    ])
    .await;
    let v = k
        .json(&["get", "configmap", "watched", "-n", "team-a", "-o", "json"])
        .await;
    assert_eq!(
        v["data"],
        serde_json::json!({"a": "1", "b": "2", "c": "3", "d": "4"})
    );

    // Client-side apply again: a three-way strategic merge patch keeps b, c, d (not in the
    // last-applied configuration) and changes a.
    write(env, "cm.yaml", &cm("  a: \"10\"\n"));
    assert!(k.ok(&["apply", "-f", &file]).await.contains("configured"));
    let v = k
        .json(&["get", "configmap", "watched", "-n", "team-a", "-o", "json"])
        .await;
    assert_eq!(v["data"]["a"], "10");
    assert_eq!(v["data"]["d"], "4");
    assert!(
        v["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"]
            .is_string()
    );

    // Server-side apply, then an unknown field under the Strict validation kubectl asks for.
    let ssa = write(
        env,
        "ssa.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\n  namespace: team-a\ndata:\n  x: \"1\"\n",
    );
    k.ok(&["apply", "--server-side", "-f", &ssa]).await;
    let v = k
        .json(&[
            "get",
            "configmap",
            "ssa",
            "-n",
            "team-a",
            "-o",
            "json",
            "--show-managed-fields",
        ])
        .await;
    let managers: Vec<(&str, &str)> = v["metadata"]["managedFields"]
        .as_array()
        .map(|m| {
            m.iter()
                .map(|e| {
                    (
                        e["manager"].as_str().unwrap_or(""),
                        e["operation"].as_str().unwrap_or(""),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    assert!(managers.contains(&("kubectl", "Apply")), "{managers:?}");
    let bogus = write(
        env,
        "bogus.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bogus\n  namespace: team-a\nspec:\n  foo: 1\n",
    );
    let out = k.fails(&["apply", "-f", &bogus]).await;
    assert!(
        out.stderr.contains("unknown field \"spec\""),
        "{}: {}",
        k.label,
        out.stderr
    );
}

pub async fn patch_and_delete_custom_resource(k: &Kubectl) {
    let fx = fixtures();
    let f = fx
        .iter()
        .find(|f| f.namespace.is_some() && !f.labels.is_empty())
        .expect("a namespaced fixture with labels");
    let (res, ns) = (f.resource(), f.namespace.clone().expect("namespaced"));
    k.ok(&[
        "patch",
        &res,
        &f.name,
        "-n",
        &ns,
        "--type",
        "merge",
        "-p",
        r#"{"metadata":{"labels":{"patched":"merge"}}}"#,
    ])
    .await;
    k.ok(&[
        "patch",
        &res,
        &f.name,
        "-n",
        &ns,
        "--type",
        "json",
        "-p",
        r#"[{"op":"add","path":"/metadata/labels/jsonpatched","value":"yes"}]"#,
    ])
    .await;
    let v = k
        .json(&["get", &res, &f.name, "-n", &ns, "-o", "json"])
        .await;
    assert_eq!(v["metadata"]["labels"]["patched"], "merge");
    assert_eq!(v["metadata"]["labels"]["jsonpatched"], "yes");
    // Custom resources take no strategic merge patch (415 from the server).
    let out = k
        .fails(&[
            "patch",
            &res,
            &f.name,
            "-n",
            &ns,
            "--type",
            "strategic",
            "-p",
            "{}",
        ])
        .await;
    assert!(
        out.stderr.contains("UnsupportedMediaType") || out.stderr.contains("strategic"),
        "{}",
        out.stderr
    );

    // delete waits until the object is really gone.
    k.ok(&["delete", &res, &f.name, "-n", &ns, "--timeout=60s"])
        .await;
    let out = k.fails(&["get", &res, &f.name, "-n", &ns]).await;
    assert!(out.stderr.contains("NotFound"), "{}", out.stderr);
    k.ok(&["delete", "namespace", "team-b", "--timeout=60s"])
        .await;
    let out = k.fails(&["get", "namespace", "team-b"]).await;
    assert!(out.stderr.contains("NotFound"), "{}", out.stderr);
}
