//! Kubernetes tokens (ServiceAccount, OIDC) checked with TokenReview on the management cluster.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use k8s_openapi::api::authentication::v1::{TokenReview, TokenReviewSpec};
use kube::api::{Api, PostParams};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::ttl_cache::TtlCache;

/// The Kubernetes identity behind a token, as TokenReview reports it.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct KubeIdentity {
    pub username: String,
    pub uid: String,
    pub groups: Vec<String>,
    pub extra: BTreeMap<String, Vec<String>>,
}

/// Asks the API server who a token belongs to; `Ok(None)` means "not authenticated".
#[async_trait::async_trait]
pub trait TokenReviewer: Send + Sync {
    async fn review(&self, token: &str) -> Result<Option<KubeIdentity>>;
}

/// TokenReview through the management cluster's client, with answers (including refusals)
/// reused for a short time by token hash so a page of requests costs one review.
pub struct KubeTokenReviewer {
    client: kube::Client,
    audiences: Vec<String>,
    cache: TtlCache<[u8; 32], Option<KubeIdentity>>,
}

impl KubeTokenReviewer {
    pub fn new(client: kube::Client, audiences: Vec<String>, ttl: Duration) -> Arc<Self> {
        Arc::new(Self {
            client,
            audiences,
            cache: TtlCache::new(ttl, 10_000),
        })
    }
}

#[async_trait::async_trait]
impl TokenReviewer for KubeTokenReviewer {
    async fn review(&self, token: &str) -> Result<Option<KubeIdentity>> {
        let key: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        if let Some(answer) = self.cache.get(&key) {
            return Ok(answer);
        }
        let review = TokenReview {
            spec: TokenReviewSpec {
                token: token.to_string(),
                audiences: (!self.audiences.is_empty()).then(|| self.audiences.clone()),
            },
            ..Default::default()
        };
        let api: Api<TokenReview> = Api::all(self.client.clone());
        let answer = api
            .create(&PostParams::default(), &review)
            .await
            .map_err(|e| {
                tracing::warn!(error = %e, "TokenReview failed");
                Error::Unavailable(
                    "cannot check the Kubernetes token: the management cluster did not answer"
                        .to_string(),
                )
            })?;
        let status = answer.status.unwrap_or_default();
        let identity = if status.authenticated == Some(true) {
            let user = status.user.unwrap_or_default();
            let mut groups = user.groups.unwrap_or_default();
            groups.sort();
            groups.dedup();
            Some(KubeIdentity {
                username: user.username.unwrap_or_default(),
                uid: user.uid.unwrap_or_default(),
                groups,
                extra: user.extra.unwrap_or_default(),
            })
        } else {
            None
        };
        self.cache.insert(key, identity.clone());
        Ok(identity)
    }
}
