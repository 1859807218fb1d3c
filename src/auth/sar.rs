//! Who may see which Sveltos / Cluster API objects (decisions.md, Sveltos side, points 1-2).
//!
//! Cluster-wide callers (auth disabled; admin, ops or readOnly) see everything without a review.
//! Kubernetes callers are asked about with SubjectAccessReviews carrying their user, groups, uid
//! and extra, on the real plural resources: first "list everywhere", then "list in namespace"
//! for each namespace involved, and only then "get" per object. Reviews run through a per-request
//! DataLoader (one batch, concurrently) and answers are kept per principal for a short TTL.

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
use crate::error::{Error, Result};
use crate::fleet::cache::{FleetKind, ObjectKey};
use crate::ttl_cache::TtlCache;

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

/// Shared by all requests: the management cluster and the per-principal answer cache.
pub struct SveltosAccess {
    client: Option<kube::Client>,
    cache: TtlCache<(String, AccessKey), bool>,
}

impl SveltosAccess {
    pub fn new(client: Option<kube::Client>, ttl: Duration) -> Arc<Self> {
        Arc::new(Self {
            client,
            cache: TtlCache::new(ttl, 100_000),
        })
    }

    async fn review(&self, principal: &Principal, key: &AccessKey) -> Result<bool> {
        let cache_key = (principal.key(), key.clone());
        if let Some(allowed) = self.cache.get(&cache_key) {
            return Ok(allowed);
        }
        let (Some(client), Some(identity)) = (&self.client, &principal.kube) else {
            return Ok(false);
        };
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
        let api: Api<SubjectAccessReview> = Api::all(client.clone());
        let answer = api
            .create(&PostParams::default(), &review)
            .await
            .map_err(|e| {
                tracing::warn!(error = %e, "SubjectAccessReview failed");
                Error::Unavailable(
                    "cannot check permissions: the management cluster did not answer".to_string(),
                )
            })?;
        let allowed = answer.status.is_some_and(|s| s.allowed);
        self.cache.insert(cache_key, allowed);
        Ok(allowed)
    }
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
    Ok(Visible::Only(allowed))
}
