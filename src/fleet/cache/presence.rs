//! Which kinds exist: a watch on CustomResourceDefinitions starts a mirror for each kind whose
//! CRD is established and stops it when the CRD goes. A missing Cluster API (or event-manager)
//! is normal: those kinds are empty, and are picked up when their CRD appears, without restart.

use std::collections::BTreeMap;

use futures::StreamExt;
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::Api;
use kube::runtime::WatchStreamExt;
use kube::runtime::watcher::{self, Event};
use tokio::sync::mpsc::UnboundedSender;
use tokio_util::sync::CancellationToken;

use super::kind::FleetKind;
use super::mirror::{MirrorMessage, mirror};
use super::stores::{CapiObject, KindUpdate, Stores};

/// The version a kind is read at, or absence.
type Wanted = BTreeMap<FleetKind, Option<&'static str>>;

pub async fn run(
    client: kube::Client,
    tx: UnboundedSender<MirrorMessage>,
    cancel: CancellationToken,
) {
    let api: Api<CustomResourceDefinition> = Api::all(client.clone());
    let stream = watcher::watcher(api, watcher::Config::default()).default_backoff();
    futures::pin_mut!(stream);
    let mut crds: BTreeMap<String, CustomResourceDefinition> = BTreeMap::new();
    let mut relist: Option<BTreeMap<String, CustomResourceDefinition>> = None;
    // Per kind: the version being mirrored, or None once announced absent. No entry: undecided.
    let mut running: BTreeMap<FleetKind, Option<(&'static str, CancellationToken)>> =
        BTreeMap::new();
    let mut listed = false;
    loop {
        let event = tokio::select! {
            _ = cancel.cancelled() => break,
            event = stream.next() => match event {
                Some(event) => event,
                None => break,
            },
        };
        match event {
            Ok(Event::Init) => relist = Some(BTreeMap::new()),
            Ok(Event::InitApply(crd)) => {
                if let Some(name) = ours(&crd) {
                    relist.get_or_insert_with(BTreeMap::new).insert(name, crd);
                }
            }
            Ok(Event::InitDone) => {
                crds = relist.take().unwrap_or_default();
                listed = true;
            }
            Ok(Event::Apply(crd)) => {
                if let Some(name) = ours(&crd) {
                    crds.insert(name, crd);
                }
            }
            Ok(Event::Delete(crd)) => {
                if let Some(name) = ours(&crd) {
                    crds.remove(&name);
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "CRD watch failed; retrying");
                continue;
            }
        }
        if !listed || relist.is_some() {
            continue;
        }
        let wanted = wanted(&crds);
        for (kind, version) in wanted {
            if let Some(current) = running.get(&kind)
                && current.as_ref().map(|(v, _)| *v) == version
            {
                continue;
            }
            if let Some(Some((_, token))) = running.remove(&kind) {
                token.cancel();
            }
            match version {
                Some(version) => {
                    tracing::info!(kind = kind.name(), version, "mirroring");
                    let token = cancel.child_token();
                    spawn_mirror(client.clone(), kind, version, tx.clone(), token.clone());
                    running.insert(kind, Some((version, token)));
                }
                None => {
                    tracing::info!(kind = kind.name(), "CRD not installed; kind is empty");
                    let _ = tx.send(MirrorMessage::Update(Stores::empty_update(kind), None));
                    let _ = tx.send(MirrorMessage::Synced(kind));
                    running.insert(kind, None);
                }
            }
        }
    }
    for (_, token) in running.into_values().flatten() {
        token.cancel();
    }
}

fn ours(crd: &CustomResourceDefinition) -> Option<String> {
    let name = crd.metadata.name.clone()?;
    FleetKind::from_crd_name(&name).map(|_| name)
}

/// For every kind: the version to read if its CRD is established and serves one we know.
fn wanted(crds: &BTreeMap<String, CustomResourceDefinition>) -> Wanted {
    FleetKind::ALL
        .into_iter()
        .map(|kind| {
            let version = crds
                .get(kind.crd_name())
                .filter(|crd| established(crd))
                .and_then(|crd| pick_version(kind, crd));
            (kind, version)
        })
        .collect()
}

fn established(crd: &CustomResourceDefinition) -> bool {
    match crd.status.as_ref().and_then(|s| s.conditions.as_ref()) {
        // A server that reports no conditions serves the CRD as soon as it exists.
        None => true,
        Some(conditions) => conditions
            .iter()
            .any(|c| c.type_ == "Established" && c.status == "True"),
    }
}

fn pick_version(kind: FleetKind, crd: &CustomResourceDefinition) -> Option<&'static str> {
    let served = |name: &str| crd.spec.versions.iter().any(|v| v.served && v.name == name);
    let preferences: &[&'static str] = match kind {
        FleetKind::CapiCluster => &["v1beta2", "v1beta1"],
        _ => &["v1beta1"],
    };
    preferences.iter().copied().find(|v| served(v))
}

fn spawn_mirror(
    client: kube::Client,
    kind: FleetKind,
    version: &'static str,
    tx: UnboundedSender<MirrorMessage>,
    cancel: CancellationToken,
) {
    use crate::fleet::kinds::*;
    macro_rules! go {
        ($t:ty, $variant:ident) => {
            tokio::spawn(mirror::<$t, $t>(
                Api::all(client),
                kind,
                |o| o,
                KindUpdate::$variant,
                tx,
                cancel,
            ))
        };
    }
    match kind {
        FleetKind::CapiCluster if version == "v1beta1" => tokio::spawn(mirror(
            Api::<CapiClusterV1beta1>::all(client),
            kind,
            CapiObject::V1beta1,
            KindUpdate::CapiCluster,
            tx,
            cancel,
        )),
        FleetKind::CapiCluster => tokio::spawn(mirror(
            Api::<CapiCluster>::all(client),
            kind,
            CapiObject::V1beta2,
            KindUpdate::CapiCluster,
            tx,
            cancel,
        )),
        FleetKind::SveltosCluster => go!(SveltosCluster, SveltosCluster),
        FleetKind::ClusterProfile => go!(ClusterProfile, ClusterProfile),
        FleetKind::Profile => go!(Profile, Profile),
        FleetKind::ClusterSummary => go!(ClusterSummary, ClusterSummary),
        FleetKind::ClusterConfiguration => go!(ClusterConfiguration, ClusterConfiguration),
        FleetKind::ClusterReport => go!(ClusterReport, ClusterReport),
        FleetKind::EventTrigger => go!(EventTrigger, EventTrigger),
        FleetKind::EventSource => go!(EventSource, EventSource),
        FleetKind::EventReport => go!(EventReport, EventReport),
        FleetKind::Classifier => go!(Classifier, Classifier),
        FleetKind::ClassifierReport => go!(ClassifierReport, ClassifierReport),
        FleetKind::ManagementClusterClassifier => {
            go!(ManagementClusterClassifier, ManagementClusterClassifier)
        }
        FleetKind::ManagementClusterClassifierReport => go!(
            ManagementClusterClassifierReport,
            ManagementClusterClassifierReport
        ),
    };
}
