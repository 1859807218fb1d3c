//! The snapshot's cluster list and summary indexes are patched after a change of a few clusters
//! or summaries instead of rebuilt whole: the patched snapshot must equal a full build of the
//! same stores, and the clusters the change did not touch must be shared with the previous
//! snapshot.

use std::collections::BTreeMap;
use std::sync::Arc;

use fleetgraph::fleet::cache::{
    CapiObject, ClusterRef, FleetKind, FleetSnapshot, KeyChanges, ObjectKey, Stores, summary_index,
};
use fleetgraph::fleet::generator::{FleetSpec, generate};
use fleetgraph::fleet::kinds::{
    CapiCluster, ClusterSummary, ClusterType, HealthFlags, ProfileId, SveltosCluster,
};
use serde_json::Value;

type Map<T> = BTreeMap<ObjectKey, Arc<T>>;

fn key_of(object: &Value) -> ObjectKey {
    let meta = &object["metadata"];
    ObjectKey::new(
        meta["namespace"].as_str().unwrap_or_default(),
        meta["name"].as_str().unwrap_or_default(),
    )
}

fn parse<T: serde::de::DeserializeOwned>(objects: &[Value], kind: &str) -> Map<T> {
    objects
        .iter()
        .filter(|o| o["kind"] == kind)
        .map(|o| {
            (
                key_of(o),
                Arc::new(serde_json::from_value(o.clone()).unwrap()),
            )
        })
        .collect()
}

/// A generated fleet large enough that a change of a handful of clusters is patched.
fn fleet() -> (Map<CapiObject>, Map<SveltosCluster>, Map<ClusterSummary>) {
    let spec = FleetSpec {
        clusters: 200,
        summaries: 400,
        ..FleetSpec::small(11)
    };
    let objects = generate(&spec);
    let capi = parse::<CapiCluster>(&objects, "Cluster")
        .into_iter()
        .map(|(k, c)| (k, Arc::new(CapiObject::V1beta2((*c).clone()))))
        .collect();
    (
        capi,
        parse(&objects, "SveltosCluster"),
        parse(&objects, "ClusterSummary"),
    )
}

fn all_added<T>(kind: FleetKind, map: &Map<T>) -> (FleetKind, KeyChanges) {
    (
        kind,
        KeyChanges {
            added: map.keys().cloned().collect(),
            ..Default::default()
        },
    )
}

/// A full build of the stores, as at the first sync.
fn full(stores: &Stores) -> FleetSnapshot {
    let changes = [
        all_added(FleetKind::CapiCluster, &stores.capi_clusters),
        all_added(FleetKind::SveltosCluster, &stores.sveltos_clusters),
        all_added(FleetKind::ClusterSummary, &stores.cluster_summaries),
    ];
    FleetSnapshot::default().rebuild(stores.clone(), &changes, true)
}

fn stores(
    capi: &Map<CapiObject>,
    sveltos: &Map<SveltosCluster>,
    summaries: &Map<ClusterSummary>,
) -> Stores {
    Stores {
        capi_clusters: Arc::new(capi.clone()),
        sveltos_clusters: Arc::new(sveltos.clone()),
        cluster_summaries: Arc::new(summaries.clone()),
        ..Default::default()
    }
}

fn assert_same(patched: &FleetSnapshot, built: &FleetSnapshot) {
    assert_eq!(patched.clusters.len(), built.clusters.len());
    for (p, b) in patched.clusters.iter().zip(built.clusters.iter()) {
        assert_eq!(p.reference, b.reference);
        assert_eq!(p.uid, b.uid);
        assert_eq!(p.created, b.created);
        assert_eq!(p.info, b.info);
        assert_eq!(p.health, b.health, "{:?}", p.reference);
        let found = patched
            .cluster(&b.reference)
            .expect("positions cover the list");
        assert!(
            Arc::ptr_eq(found, p),
            "{:?} is found at its place",
            b.reference
        );
        assert_same_summaries(patched, built, &b.reference);
    }
    let owned = |s: &FleetSnapshot| -> BTreeMap<ProfileId, BTreeMap<ClusterRef, usize>> {
        s.profile_index()
            .owned_summaries()
            .iter()
            .map(|(id, owned)| {
                let by_cluster = owned
                    .iter()
                    .map(|(c, summary)| (c.clone(), Arc::as_ptr(summary) as usize))
                    .collect();
                (id.clone(), by_cluster)
            })
            .collect()
    };
    let (patched_owned, built_owned) = (owned(patched), owned(built));
    assert_eq!(
        patched_owned, built_owned,
        "owned summaries by profile and cluster"
    );
    // Summaries of clusters that are not (or no longer) in the list are indexed the same too.
    for cluster in built_owned.values().flat_map(|o| o.keys()) {
        assert_same_summaries(patched, built, cluster);
    }
}

fn assert_same_summaries(patched: &FleetSnapshot, built: &FleetSnapshot, cluster: &ClusterRef) {
    let pointers = |s: &FleetSnapshot| -> Vec<*const ClusterSummary> {
        s.summaries_of(cluster).iter().map(Arc::as_ptr).collect()
    };
    assert_eq!(
        pointers(patched),
        pointers(built),
        "summaries of {cluster:?}, in namespace/name order"
    );
}

fn key_of_summary(summary: &ClusterSummary) -> ObjectKey {
    ObjectKey::new(
        summary.metadata.namespace.clone().unwrap_or_default(),
        summary.metadata.name.clone().unwrap_or_default(),
    )
}

fn apply_summaries(before: &FleetSnapshot, summaries: &Map<ClusterSummary>) -> FleetSnapshot {
    let mut now = before.stores.clone();
    let change = now.apply(fleetgraph::fleet::cache::KindUpdate::ClusterSummary(
        Arc::new(summaries.clone()),
    ));
    let patched = before.rebuild(now.clone(), &[change], true);
    assert_same(&patched, &full(&now));
    patched
}

#[test]
fn a_feature_status_change_patches_the_summary_indexes() {
    let (capi, sveltos, mut summaries) = fleet();
    let before = full(&stores(&capi, &sveltos, &summaries));
    let (key, summary) = summaries
        .iter()
        .find(|(_, s)| {
            s.status
                .as_ref()
                .is_some_and(|st| !st.feature_summaries.is_empty())
        })
        .expect("a summary with a feature status");
    let (key, mut changed) = (key.clone(), (**summary).clone());
    if let Some(status) = changed.status.as_mut() {
        status.feature_summaries[0].failure_message = Some("bench-round-3".into());
    }
    changed.metadata.resource_version = Some("status-changed".into());
    let changed = Arc::new(changed);
    summaries.insert(key.clone(), changed.clone());

    let patched = apply_summaries(&before, &summaries);
    let cluster = fleetgraph::fleet::cache::summary_cluster(&key, &changed).expect("cluster");
    assert!(
        patched
            .summaries_of(&cluster)
            .iter()
            .any(|s| Arc::ptr_eq(s, &changed)),
        "the cluster's list holds the new object"
    );
    let owner = summary_index::owner_id(&key, &changed).expect("an owning profile");
    let owned = patched
        .profile_index()
        .summaries_of(&owner)
        .expect("the owner's summaries");
    assert!(Arc::ptr_eq(owned.get(&cluster).expect("owned"), &changed));
}

#[test]
fn summaries_that_move_appear_and_go_patch_to_a_full_build() {
    let (capi, sveltos, mut summaries) = fleet();
    let before = full(&stores(&capi, &sveltos, &summaries));
    let keys: Vec<ObjectKey> = summaries.keys().cloned().collect();
    // One moves to another cluster and another owner.
    let target = summaries[&keys[20]].clone();
    let mut moved = (*summaries[&keys[3]]).clone();
    moved.spec.cluster_name = target.spec.cluster_name.clone();
    moved.spec.cluster_namespace = target.spec.cluster_namespace.clone();
    moved.spec.cluster_type = target.spec.cluster_type.clone();
    moved.metadata.owner_references = target.metadata.owner_references.clone();
    moved.metadata.resource_version = Some("moved".into());
    summaries.insert(keys[3].clone(), Arc::new(moved));
    // One goes, one appears (a copy of another under a new name, so a duplicate owner entry
    // for the same cluster, where the first name wins).
    summaries.remove(&keys[7]);
    let mut added = (*summaries[&keys[11]]).clone();
    added.metadata.name = Some("aaa-duplicate".into());
    added.metadata.uid = Some("new-uid".into());
    let added_key = key_of_summary(&added);
    summaries.insert(added_key, Arc::new(added));

    apply_summaries(&before, &summaries);
}

fn reference(key: &ObjectKey, cluster_type: ClusterType) -> ClusterRef {
    ClusterRef {
        namespace: key.namespace.clone(),
        name: key.name.clone(),
        cluster_type,
    }
}

#[test]
fn a_label_change_patches_one_entry_and_shares_the_rest() {
    let (capi, mut sveltos, summaries) = fleet();
    let before = full(&stores(&capi, &sveltos, &summaries));
    let (key, cluster) = sveltos.iter().nth(3).expect("sveltos clusters");
    let (key, mut changed) = (key.clone(), (**cluster).clone());
    changed
        .metadata
        .labels
        .get_or_insert_with(Default::default)
        .insert("bench-round".into(), "7".into());
    changed.metadata.resource_version = Some("changed".into());
    sveltos.insert(key.clone(), Arc::new(changed));

    let mut now = before.stores.clone();
    let change = now.apply(fleetgraph::fleet::cache::KindUpdate::SveltosCluster(
        Arc::new(sveltos.clone()),
    ));
    assert_eq!(change.1.updated, vec![key.clone()]);
    let patched = before.rebuild(now.clone(), &[change], true);
    assert_same(&patched, &full(&now));

    let target = reference(&key, ClusterType::Sveltos);
    let label = patched
        .cluster(&target)
        .unwrap()
        .info
        .labels
        .get("bench-round");
    assert_eq!(label.map(String::as_str), Some("7"));
    for cluster in before.clusters.iter() {
        let after = patched.cluster(&cluster.reference).unwrap();
        assert_eq!(
            Arc::ptr_eq(cluster, after),
            cluster.reference != target,
            "only the changed cluster is rebuilt: {:?}",
            cluster.reference
        );
    }
}

#[test]
fn added_and_removed_clusters_keep_the_order_and_positions_of_a_full_build() {
    let (mut capi, mut sveltos, summaries) = fleet();
    let before = full(&stores(&capi, &sveltos, &summaries));
    let removed = capi.keys().nth(5).expect("capi clusters").clone();
    capi.remove(&removed);
    let (template_key, template) = sveltos.iter().next().expect("sveltos clusters");
    let mut added = (**template).clone();
    let added_key = ObjectKey::new(template_key.namespace.clone(), "aaa-first-of-all");
    added.metadata.name = Some(added_key.name.clone());
    added.metadata.uid = Some("new-uid".into());
    sveltos.insert(added_key.clone(), Arc::new(added));

    let mut now = before.stores.clone();
    let changes = vec![
        now.apply(fleetgraph::fleet::cache::KindUpdate::CapiCluster(Arc::new(
            capi.clone(),
        ))),
        now.apply(fleetgraph::fleet::cache::KindUpdate::SveltosCluster(
            Arc::new(sveltos.clone()),
        )),
    ];
    let patched = before.rebuild(now.clone(), &changes, true);
    assert_same(&patched, &full(&now));
    assert!(
        patched
            .cluster(&reference(&removed, ClusterType::Capi))
            .is_none()
    );
    let added = patched
        .cluster(&reference(&added_key, ClusterType::Sveltos))
        .expect("the added cluster");
    assert_eq!(added.uid, "new-uid");
    let shared = before
        .clusters
        .iter()
        .filter(|c| {
            patched
                .cluster(&c.reference)
                .is_some_and(|p| Arc::ptr_eq(c, p))
        })
        .count();
    assert_eq!(
        shared,
        before.clusters.len() - 1,
        "untouched entries are shared"
    );
}

#[test]
fn a_summary_change_recomputes_the_health_of_the_cluster_it_describes() {
    let (capi, sveltos, mut summaries) = fleet();
    let before = full(&stores(&capi, &sveltos, &summaries));
    let unhealthy = before
        .clusters
        .iter()
        .find(|c| {
            c.health != HealthFlags::default() && !before.summaries_of(&c.reference).is_empty()
        })
        .expect("a generated cluster with health flags")
        .clone();
    // Its summaries go: the flags fall back to the defaults.
    let gone: Vec<ObjectKey> = before
        .summaries_of(&unhealthy.reference)
        .iter()
        .map(|s| {
            ObjectKey::new(
                s.metadata.namespace.clone().unwrap_or_default(),
                s.metadata.name.clone().unwrap_or_default(),
            )
        })
        .collect();
    for key in &gone {
        summaries.remove(key);
    }

    let mut now = before.stores.clone();
    let change = now.apply(fleetgraph::fleet::cache::KindUpdate::ClusterSummary(
        Arc::new(summaries.clone()),
    ));
    assert_eq!(change.1.removed.len(), gone.len());
    let patched = before.rebuild(now.clone(), &[change], true);
    assert_same(&patched, &full(&now));
    let after = patched.cluster(&unhealthy.reference).unwrap();
    assert_eq!(after.health, HealthFlags::default());
    assert!(!Arc::ptr_eq(after, &unhealthy));
}

#[test]
fn a_change_of_much_of_the_fleet_is_built_whole_with_the_same_result() {
    let (capi, mut sveltos, summaries) = fleet();
    let before = full(&stores(&capi, &sveltos, &summaries));
    for cluster in sveltos.values_mut() {
        let mut changed = (**cluster).clone();
        changed.metadata.resource_version = Some("relabelled".into());
        changed
            .metadata
            .labels
            .get_or_insert_with(Default::default)
            .insert("wave".into(), "2".into());
        *cluster = Arc::new(changed);
    }
    let mut now = before.stores.clone();
    let change = now.apply(fleetgraph::fleet::cache::KindUpdate::SveltosCluster(
        Arc::new(sveltos.clone()),
    ));
    let patched = before.rebuild(now.clone(), &[change], true);
    assert_same(&patched, &full(&now));
    assert!(
        patched
            .clusters
            .iter()
            .filter(|c| c.reference.cluster_type == ClusterType::Sveltos)
            .all(|c| c.info.labels.get("wave").map(String::as_str) == Some("2"))
    );
}
