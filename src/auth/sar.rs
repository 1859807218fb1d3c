//! Who may see which Sveltos / Cluster API objects (decisions.md, Sveltos side, points 1-2).
//!
//! Cluster-wide callers (auth disabled; admin, ops or readOnly) see everything without a review.
//! Kubernetes callers are asked about with SubjectAccessReviews carrying their user, groups, uid
//! and extra, on the real plural resources: first "list everywhere"; when that fails, the
//! caller's rules in each namespace involved (one SelfSubjectRulesReview per namespace, see
//! `rules.rs`) decide per object; where they cannot, "list in namespace" and then "get" per
//! object. Reviews run through a per-request DataLoader (one batch, concurrently) and answers
//! are kept per principal for a short TTL.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use async_graphql::dataloader::{DataLoader, Loader};
use futures::future::join_all;
use k8s_openapi::api::authorization::v1::{
    ResourceAttributes, SubjectAccessReview, SubjectAccessReviewSpec,
};
use kube::api::{Api, PostParams};

use super::principal::{AuthKind, Principal};
use super::roles::Role;
use super::rules::{CLUSTER_SCOPE_PROBE_NAMESPACE, NamespaceRules, RulesReviewer};
use super::token_review::KubeIdentity;
use crate::cluster_client::Management;
use crate::error::{Error, Result};
use crate::fleet::cache::{FleetKind, ObjectKey};
use crate::ttl_cache::FetchOnceCache;

/// One question for the authorizer.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct AccessKey {
    pub kind: FleetKind,
    pub verb: &'static str,
    /// "" for every namespace or for cluster-scoped kinds.
    pub namespace: String,
    /// "" for a collection.
    pub name: String,
}

/// The caller's rules in one namespace (see `rules.rs`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RulesKey(pub String);

/// Shared by all requests: the management cluster and the per-principal answer caches.
pub struct SveltosAccess {
    client: Option<kube::Client>,
    cache: FetchOnceCache<(String, AccessKey), bool>,
    rules: RulesReviewer,
}

impl SveltosAccess {
    pub fn new(management: Option<Management>, ttl: Duration) -> Arc<Self> {
        Arc::new(Self {
            client: management.as_ref().map(|m| m.client.clone()),
            cache: FetchOnceCache::new(ttl, 100_000),
            rules: RulesReviewer::new(management, ttl),
        })
    }

    async fn review(&self, principal: &Principal, key: &AccessKey) -> Result<bool> {
        let (Some(client), Some(identity)) = (&self.client, &principal.kube) else {
            return Ok(false);
        };
        self.cache
            .get_or_fetch((principal.key(), key.clone()), || {
                ask(client.clone(), identity, key)
            })
            .await
    }
}

/// One SubjectAccessReview for the caller.
async fn ask(client: kube::Client, identity: &KubeIdentity, key: &AccessKey) -> Result<bool> {
    let review = SubjectAccessReview {
        spec: SubjectAccessReviewSpec {
            user: Some(identity.username.clone()),
            groups: Some(identity.groups.clone()),
            uid: (!identity.uid.is_empty()).then(|| identity.uid.clone()),
            extra: (!identity.extra.is_empty()).then(|| identity.extra.clone()),
            resource_attributes: Some(ResourceAttributes {
                group: Some(key.kind.group().to_string()),
                resource: Some(key.kind.plural().to_string()),
                verb: Some(key.verb.to_string()),
                namespace: (!key.namespace.is_empty()).then(|| key.namespace.clone()),
                name: (!key.name.is_empty()).then(|| key.name.clone()),
                ..Default::default()
            }),
            ..Default::default()
        },
        ..Default::default()
    };
    let api: Api<SubjectAccessReview> = Api::all(client);
    let answer = api
        .create(&PostParams::default(), &review)
        .await
        .map_err(|e| {
            tracing::warn!(error = %e, "SubjectAccessReview failed");
            Error::Unavailable(
                "cannot check permissions: the management cluster did not answer".to_string(),
            )
        })?;
    Ok(answer.status.is_some_and(|s| s.allowed))
}

/// The per-request loader: batches every review a request needs.
pub struct SarLoader {
    access: Arc<SveltosAccess>,
    principal: Principal,
}

impl SarLoader {
    pub fn for_request(access: Arc<SveltosAccess>, principal: Principal) -> DataLoader<Self> {
        DataLoader::new(SarLoader { access, principal }, tokio::spawn)
    }
}

impl Loader<AccessKey> for SarLoader {
    type Value = bool;
    type Error = Arc<String>;

    async fn load(
        &self,
        keys: &[AccessKey],
    ) -> std::result::Result<HashMap<AccessKey, bool>, Self::Error> {
        let answers = join_all(keys.iter().map(|k| self.access.review(&self.principal, k))).await;
        let mut out = HashMap::with_capacity(keys.len());
        for (key, answer) in keys.iter().zip(answers) {
            out.insert(key.clone(), answer.map_err(|e| Arc::new(e.to_string()))?);
        }
        Ok(out)
    }
}

impl Loader<RulesKey> for SarLoader {
    type Value = Option<Arc<NamespaceRules>>;
    type Error = Arc<String>;

    async fn load(
        &self,
        keys: &[RulesKey],
    ) -> std::result::Result<HashMap<RulesKey, Self::Value>, Self::Error> {
        let key = self.principal.key();
        let token = self.principal.kube_token.as_ref();
        let answers = join_all(
            keys.iter()
                .map(|k| self.access.rules.rules(&key, token, &k.0)),
        )
        .await;
        Ok(keys.iter().cloned().zip(answers).collect())
    }
}

/// What a caller may see of one kind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Visible {
    All,
    Only(HashSet<ObjectKey>),
}

impl Visible {
    pub fn allows(&self, key: &ObjectKey) -> bool {
        match self {
            Visible::All => true,
            Visible::Only(keys) => keys.contains(key),
        }
    }
}

/// Callers that see all Sveltos data without reviews.
pub fn sees_everything(principal: &Principal) -> bool {
    principal.kind == AuthKind::Disabled
        || principal.has_any_role(&[Role::Admin, Role::Ops, Role::ReadOnly])
}

/// Which of `keys` (objects of `kind`) the caller may see.
pub async fn visible(
    principal: &Principal,
    loader: Option<&DataLoader<SarLoader>>,
    kind: FleetKind,
    keys: impl IntoIterator<Item = &ObjectKey>,
) -> Result<Visible> {
    if sees_everything(principal) {
        return Ok(Visible::All);
    }
    match principal.kind {
        AuthKind::Anonymous => {
            return Err(Error::Unauthenticated(
                "sign in to see the fleet: send `Authorization: Bearer <token>`".to_string(),
            ));
        }
        AuthKind::Jwt => {
            return Err(Error::Forbidden(format!(
                "your roles ({}) do not include fleet data; it needs admin, ops or readOnly",
                principal
                    .roles
                    .iter()
                    .map(|r| r.as_claim())
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        AuthKind::Kubernetes | AuthKind::Disabled => {}
    }
    let Some(loader) = loader else {
        return Ok(Visible::Only(HashSet::new()));
    };
    let load = |key: AccessKey| async move {
        loader
            .load_one(key)
            .await
            .map_err(|e| Error::Unavailable(e.to_string()))
            .map(|v| v.unwrap_or(false))
    };
    let everywhere = AccessKey {
        kind,
        verb: "list",
        namespace: String::new(),
        name: String::new(),
    };
    if load(everywhere).await? {
        return Ok(Visible::All);
    }
    let keys: Vec<&ObjectKey> = keys.into_iter().collect();
    let (mut allowed, unsure) = decide_by_rules(loader, kind, &keys).await?;
    allowed.extend(decide_by_reviews(loader, kind, &unsure).await?);
    Ok(Visible::Only(allowed))
}

/// The namespace whose rules decide about an object.
fn rules_namespace(key: &ObjectKey) -> &str {
    if key.namespace.is_empty() {
        CLUSTER_SCOPE_PROBE_NAMESPACE
    } else {
        &key.namespace
    }
}

/// Decides what the caller's rules per namespace can decide: the visible objects, and those
/// only reviews can tell (no complete rules, or a cluster-scoped object the rules allow).
async fn decide_by_rules<'k>(
    loader: &DataLoader<SarLoader>,
    kind: FleetKind,
    keys: &[&'k ObjectKey],
) -> Result<(HashSet<ObjectKey>, Vec<&'k ObjectKey>)> {
    let namespaces: BTreeSet<&str> = keys.iter().map(|k| rules_namespace(k)).collect();
    let rules = loader
        .load_many(namespaces.iter().map(|ns| RulesKey(ns.to_string())))
        .await
        .map_err(|e| Error::Unavailable(e.to_string()))?;
    let mut allowed = HashSet::new();
    let mut unsure = Vec::new();
    for key in keys {
        let namespace_rules = rules
            .get(&RulesKey(rules_namespace(key).to_string()))
            .and_then(Option::as_ref);
        match namespace_rules {
            Some(r) if r.may_read(kind.group(), kind.plural(), &key.name) => {
                if key.namespace.is_empty() {
                    unsure.push(*key);
                } else {
                    allowed.insert((*key).clone());
                }
            }
            Some(_) => {}
            None => unsure.push(*key),
        }
    }
    Ok((allowed, unsure))
}

/// SubjectAccessReviews: "list in namespace" per namespace, then "get" per remaining object.
async fn decide_by_reviews(
    loader: &DataLoader<SarLoader>,
    kind: FleetKind,
    keys: &[&ObjectKey],
) -> Result<HashSet<ObjectKey>> {
    if keys.is_empty() {
        return Ok(HashSet::new());
    }
    let namespaces: BTreeSet<&str> = keys
        .iter()
        .map(|k| k.namespace.as_str())
        .filter(|ns| !ns.is_empty())
        .collect();
    let namespace_keys: Vec<AccessKey> = namespaces
        .iter()
        .map(|ns| AccessKey {
            kind,
            verb: "list",
            namespace: ns.to_string(),
            name: String::new(),
        })
        .collect();
    let namespace_answers = loader
        .load_many(namespace_keys.clone())
        .await
        .map_err(|e| Error::Unavailable(e.to_string()))?;
    let open_namespaces: HashSet<&str> = namespace_keys
        .iter()
        .filter(|k| namespace_answers.get(k).copied().unwrap_or(false))
        .map(|k| k.namespace.as_str())
        .collect();
    let object_keys: Vec<AccessKey> = keys
        .iter()
        .filter(|k| !open_namespaces.contains(k.namespace.as_str()))
        .map(|k| AccessKey {
            kind,
            verb: "get",
            namespace: k.namespace.clone(),
            name: k.name.clone(),
        })
        .collect();
    let object_answers = loader
        .load_many(object_keys.clone())
        .await
        .map_err(|e| Error::Unavailable(e.to_string()))?;
    let mut allowed: HashSet<ObjectKey> = keys
        .iter()
        .filter(|k| open_namespaces.contains(k.namespace.as_str()))
        .map(|k| (*k).clone())
        .collect();
    allowed.extend(
        object_keys
            .iter()
            .filter(|k| object_answers.get(k).copied().unwrap_or(false))
            .map(|k| ObjectKey::new(k.namespace.clone(), k.name.clone())),
    );
    Ok(allowed)
}
