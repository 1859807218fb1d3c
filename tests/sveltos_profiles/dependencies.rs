//! Dependency rules case by case (decisions.md, Sveltos side, point 3) and their live updates.

use super::*;

const DEPS: &str = r#"query D($kind: ProfileKind!, $namespace: String, $name: String!) {
  profile(kind: $kind, namespace: $namespace, name: $name) {
    name
    dependencies { __typename kind namespace name }
    unresolvedDependencies
    dependents { __typename kind namespace name }
  }
}"#;

async fn deps(world: &FleetWorld, kind: &str, namespace: Option<&str>, name: &str) -> Value {
    let vars = json!({ "kind": kind, "namespace": namespace, "name": name });
    ok(world, DEPS, vars).await["profile"].clone()
}

/// `[kind namespace name]` triples of a list of profiles.
fn refs(list: &Value) -> Vec<(String, Option<String>, String)> {
    list.as_array()
        .unwrap_or_else(|| panic!("not a list: {list}"))
        .iter()
        .map(|p| {
            (
                p["kind"].as_str().unwrap().to_string(),
                p["namespace"].as_str().map(str::to_string),
                p["name"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn cp(name: &str) -> (String, Option<String>, String) {
    ("CLUSTER_PROFILE".to_string(), None, name.to_string())
}

fn ns_profile(namespace: &str, name: &str) -> (String, Option<String>, String) {
    (
        "PROFILE".to_string(),
        Some(namespace.to_string()),
        name.to_string(),
    )
}

/// Polls a profile's dependency view until `check` holds (the next snapshot shows a change).
async fn until(
    world: &FleetWorld,
    (kind, namespace, name): (&str, Option<&str>, &str),
    what: &str,
    check: impl Fn(&Value) -> bool,
) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        let node = deps(world, kind, namespace, name).await;
        if check(&node) {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}: {node}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn depends_on(object: &Value) -> Vec<String> {
    object["spec"]["dependsOn"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|n| n.as_str().unwrap().to_string())
        .collect()
}

fn profile_object(kind: &str, namespace: Option<&str>, name: &str, on: &[&str]) -> Value {
    let mut metadata = json!({ "name": name });
    if let Some(ns) = namespace {
        metadata["namespace"] = json!(ns);
    }
    json!({
        "apiVersion": "config.projectsveltos.io/v1beta1",
        "kind": kind,
        "metadata": metadata,
        "spec": { "clusterSelector": { "matchLabels": { "fleetgraph-test": "none" } }, "dependsOn": on },
    })
}

#[tokio::test]
async fn chains_dangling_names_and_namespaced_profiles_resolve_and_follow_changes() {
    let world = start(17).await;
    let cluster_profiles: BTreeMap<String, Vec<String>> = world
        .of_kind("ClusterProfile")
        .into_iter()
        .map(|o| {
            (
                o["metadata"]["name"].as_str().unwrap().to_string(),
                depends_on(o),
            )
        })
        .collect();
    // A chain of three from the generator: top -> middle -> bottom.
    let (top, middle, bottom) = cluster_profiles
        .iter()
        .find_map(|(top, on)| {
            let middle = on.first()?;
            let bottom = cluster_profiles.get(middle)?.first()?;
            cluster_profiles
                .contains_key(bottom)
                .then(|| (top.clone(), middle.clone(), bottom.clone()))
        })
        .expect("the generator writes dependency chains");
    let node = deps(&world, "CLUSTER_PROFILE", None, &top).await;
    assert_eq!(refs(&node["dependencies"]), vec![cp(&middle)]);
    assert_eq!(node["unresolvedDependencies"], json!([]));
    let node = deps(&world, "CLUSTER_PROFILE", None, &middle).await;
    assert_eq!(refs(&node["dependencies"]), vec![cp(&bottom)]);
    assert_eq!(refs(&node["dependents"]), vec![cp(&top)]);
    assert_eq!(node["dependencies"][0]["__typename"], "ClusterProfile");
    let node = deps(&world, "CLUSTER_PROFILE", None, &bottom).await;
    assert_eq!(node["dependencies"], json!([]));
    assert!(refs(&node["dependents"]).contains(&cp(&middle)));

    // The dangling name is reported as unresolved and is no profile anywhere.
    let (dangling, _) = cluster_profiles
        .iter()
        .find(|(_, on)| on.iter().any(|n| n == MISSING_DEPENDENCY))
        .expect("the generator writes a dangling dependency");
    let node = deps(&world, "CLUSTER_PROFILE", None, dangling).await;
    assert_eq!(node["unresolvedDependencies"], json!([MISSING_DEPENDENCY]));
    assert_eq!(node["dependencies"], json!([]));
    assert!(
        deps(&world, "CLUSTER_PROFILE", None, MISSING_DEPENDENCY)
            .await
            .is_null()
    );
    let listed = page(&world, json!({ "first": 100 })).await;
    assert!(
        keys(&listed)
            .iter()
            .all(|(_, name, _)| name != MISSING_DEPENDENCY)
    );
    let tiers = ok(
        &world,
        "{ profileTiers { tier profiles(first: 100) { edges { node { name } } } } }",
        json!({}),
    )
    .await;
    assert!(
        !tiers.to_string().contains(MISSING_DEPENDENCY),
        "no phantom tier entry"
    );
    assert!(
        tiers["profileTiers"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["tier"] != 0)
    );

    // Profiles depend on Profiles of their own namespace, never on a ClusterProfile or another
    // namespace's Profile of the same name; their references carry the namespace.
    let namespaces: Vec<String> = world
        .of_kind("Namespace")
        .iter()
        .map(|o| o["metadata"]["name"].as_str().unwrap().to_string())
        .collect();
    let (home, away) = (namespaces[0].as_str(), namespaces[1].as_str());
    for object in [
        profile_object("Profile", Some(home), "fg-base", &[]),
        profile_object("Profile", Some(home), "fg-app", &["fg-base", "fg-ghost"]),
        profile_object("Profile", Some(away), "fg-app", &["fg-base"]),
        profile_object("ClusterProfile", None, "fg-base", &[]),
    ] {
        world.sim.apply_object(object).expect("profile applied");
    }
    until(
        &world,
        ("PROFILE", Some(away), "fg-app"),
        "the new profiles",
        |n| !n.is_null(),
    )
    .await;
    let app = deps(&world, "PROFILE", Some(home), "fg-app").await;
    assert_eq!(
        refs(&app["dependencies"]),
        vec![ns_profile(home, "fg-base")]
    );
    assert_eq!(app["dependencies"][0]["__typename"], "NamespacedProfile");
    assert_eq!(app["unresolvedDependencies"], json!(["fg-ghost"]));
    let away_app = deps(&world, "PROFILE", Some(away), "fg-app").await;
    assert_eq!(away_app["dependencies"], json!([]));
    assert_eq!(away_app["unresolvedDependencies"], json!(["fg-base"]));
    let base = deps(&world, "PROFILE", Some(home), "fg-base").await;
    assert_eq!(refs(&base["dependents"]), vec![ns_profile(home, "fg-app")]);
    let cluster_base = deps(&world, "CLUSTER_PROFILE", None, "fg-base").await;
    assert_eq!(cluster_base["dependents"], json!([]));

    // Live changes: deleting the middle of the chain leaves the top with an unresolved name
    // and the bottom without that dependent.
    world
        .sim
        .delete_object(
            "config.projectsveltos.io/v1beta1",
            "ClusterProfile",
            "",
            &middle,
        )
        .expect("deleted");
    until(
        &world,
        ("CLUSTER_PROFILE", None, &top),
        "the deletion",
        |n| n["dependencies"] == json!([]) && n["unresolvedDependencies"] == json!([middle]),
    )
    .await;
    let node = deps(&world, "CLUSTER_PROFILE", None, &bottom).await;
    assert!(!refs(&node["dependents"]).contains(&cp(&middle)));

    // Changing dependsOn moves the dependent; recreating a deleted dependency resolves again.
    world
        .sim
        .apply_object(profile_object(
            "Profile",
            Some(home),
            "fg-app",
            &["fg-ghost"],
        ))
        .expect("dependsOn changed");
    until(
        &world,
        ("PROFILE", Some(home), "fg-base"),
        "the dependsOn change",
        |n| n["dependents"] == json!([]),
    )
    .await;
    world
        .sim
        .apply_object(profile_object("ClusterProfile", None, &middle, &[&bottom]))
        .expect("recreated");
    until(
        &world,
        ("CLUSTER_PROFILE", None, &bottom),
        "the recreated dependent",
        |n| refs(&n["dependents"]).contains(&cp(&middle)),
    )
    .await;
    let node = deps(&world, "CLUSTER_PROFILE", None, &top).await;
    assert_eq!(refs(&node["dependencies"]), vec![cp(&middle)]);
    assert_eq!(node["unresolvedDependencies"], json!([]));
    world.server.shutdown().await;
}
