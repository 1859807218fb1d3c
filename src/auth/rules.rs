//! What a Kubernetes caller may read in one namespace, asked once per namespace.
//!
//! A caller that may not list a kind everywhere would otherwise cost one SubjectAccessReview per
//! object it might see, so the first page of a big fleet would make thousands of reviews. Instead
//! fleetgraph sends a SelfSubjectRulesReview *as the caller* (with the token the caller
//! presented; the API server grants it to every authenticated user through `system:basic-user`)
//! and evaluates the rules locally, with the same meaning as the reviews it replaces: an object
//! is visible when the caller may `list` its kind in the namespace, or `get` it by name.
//!
//! The answer is only trusted when the API server says it is complete. Authorizers other than
//! RBAC (webhooks) make it incomplete, and a refused or failed review gives no answer: both fall
//! back to per-object SubjectAccessReviews, which stay the source of truth.

use std::sync::Arc;
use std::time::Duration;

use k8s_openapi::api::authorization::v1::{
    ResourceRule, SelfSubjectRulesReview, SelfSubjectRulesReviewSpec,
};
use kube::api::{Api, PostParams};
use secrecy::SecretString;
use sha2::{Digest, Sha256};

use super::principal::CallerToken;
use crate::cluster_client::Management;
use crate::ttl_cache::{FetchOnceCache, TtlCache};

/// The namespace asked about for cluster-scoped kinds. Its rules also hold what the caller's
/// RoleBindings there grant, which never applies to cluster-scoped objects, so for those kinds
/// only a denial is final and an allowance is confirmed per object.
pub const CLUSTER_SCOPE_PROBE_NAMESPACE: &str = "default";

/// The complete resource rules of a caller in one namespace.
#[derive(Debug, Default)]
pub struct NamespaceRules {
    rules: Vec<ResourceRule>,
}

impl NamespaceRules {
    pub fn new(rules: Vec<ResourceRule>) -> Self {
        Self { rules }
    }

    /// May the caller list `resource` of `group` in the namespace (every object)?
    pub fn may_list(&self, group: &str, resource: &str) -> bool {
        self.rules.iter().any(|r| {
            covers(r, group, resource)
                && has_verb(r, "list")
                && r.resource_names.as_ref().is_none_or(|n| n.is_empty())
        })
    }

    /// May the caller see this object: list its kind here, or get it by name?
    pub fn may_read(&self, group: &str, resource: &str, name: &str) -> bool {
        self.may_list(group, resource)
            || self.rules.iter().any(|r| {
                covers(r, group, resource)
                    && has_verb(r, "get")
                    && r.resource_names
                        .as_ref()
                        .is_none_or(|n| n.is_empty() || n.iter().any(|n| n == name))
            })
    }
}

fn matches(values: &[String], wanted: &str) -> bool {
    values.iter().any(|v| v == "*" || v == wanted)
}

fn covers(rule: &ResourceRule, group: &str, resource: &str) -> bool {
    rule.api_groups
        .as_deref()
        .is_some_and(|groups| matches(groups, group))
        && rule
            .resources
            .as_deref()
            .is_some_and(|resources| matches(resources, resource))
}

fn has_verb(rule: &ResourceRule, verb: &str) -> bool {
    matches(&rule.verbs, verb)
}

/// Asks the management cluster, as the caller, for the caller's rules per namespace.
pub struct RulesReviewer {
    management: Option<Management>,
    /// One client per caller token: a client holds its connection pool.
    clients: TtlCache<[u8; 32], kube::Client>,
    /// `None`: no usable answer (incomplete, refused or failed), check per object instead.
    answers: FetchOnceCache<(String, String), Option<Arc<NamespaceRules>>>,
}

impl RulesReviewer {
    pub fn new(management: Option<Management>, ttl: Duration) -> Self {
        Self {
            management,
            clients: TtlCache::new(ttl, 1_000),
            answers: FetchOnceCache::new(ttl, 100_000),
        }
    }

    /// The caller's complete rules in `namespace`, or `None` when only per-object reviews can
    /// tell. `principal_key` scopes the cached answer to the caller.
    pub async fn rules(
        &self,
        principal_key: &str,
        token: Option<&CallerToken>,
        namespace: &str,
    ) -> Option<Arc<NamespaceRules>> {
        let token = token?;
        self.answers
            .get_or_fetch((principal_key.to_string(), namespace.to_string()), || {
                self.ask(token, namespace)
            })
            .await
            .ok()
            .flatten()
    }

    /// `Err` when the API server could not be asked: not cached, the next request asks again.
    async fn ask(
        &self,
        token: &CallerToken,
        namespace: &str,
    ) -> Result<Option<Arc<NamespaceRules>>, ()> {
        let Some(client) = self.client_for(token) else {
            return Ok(None);
        };
        let review = SelfSubjectRulesReview {
            spec: SelfSubjectRulesReviewSpec {
                namespace: Some(namespace.to_string()),
            },
            ..Default::default()
        };
        let api: Api<SelfSubjectRulesReview> = Api::all(client);
        match api.create(&PostParams::default(), &review).await {
            Ok(answer) => Ok(answer.status.and_then(|status| {
                if status.incomplete {
                    tracing::debug!(
                        namespace,
                        error = status.evaluation_error.as_deref().unwrap_or(""),
                        "incomplete SelfSubjectRulesReview: checking objects one by one"
                    );
                    None
                } else {
                    Some(Arc::new(NamespaceRules::new(status.resource_rules)))
                }
            })),
            Err(kube::Error::Api(status)) if status.code == 403 || status.code == 401 => {
                tracing::debug!(namespace, reason = %status.message, "SelfSubjectRulesReview refused");
                Ok(None)
            }
            Err(e) => {
                tracing::warn!(error = %e, namespace, "SelfSubjectRulesReview failed");
                Err(())
            }
        }
    }

    fn client_for(&self, token: &CallerToken) -> Option<kube::Client> {
        let management = self.management.as_ref()?;
        let key: [u8; 32] = Sha256::digest(token.expose().as_bytes()).into();
        if let Some(client) = self.clients.get(&key) {
            return Some(client);
        }
        let mut config = management.config.clone();
        // Only the caller's token: none of fleetgraph's own credentials may ride along.
        config.auth_info = kube::config::AuthInfo {
            token: Some(SecretString::from(token.expose().to_string())),
            ..Default::default()
        };
        match kube::Client::try_from(config) {
            Ok(client) => {
                self.clients.insert(key, client.clone());
                Some(client)
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot build a client with the caller's token");
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(groups: &[&str], resources: &[&str], verbs: &[&str], names: &[&str]) -> ResourceRule {
        let strings = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        ResourceRule {
            api_groups: Some(strings(groups)),
            resources: Some(strings(resources)),
            verbs: strings(verbs),
            resource_names: (!names.is_empty()).then(|| strings(names)),
        }
    }

    const G: &str = "lib.projectsveltos.io";
    const R: &str = "sveltosclusters";

    #[test]
    fn list_without_names_opens_the_namespace() {
        let rules = NamespaceRules::new(vec![rule(&[G], &[R], &["list"], &[])]);
        assert!(rules.may_list(G, R));
        assert!(rules.may_read(G, R, "anything"));
        assert!(!rules.may_read(G, "clusters", "anything"), "other resource");
        assert!(
            !rules.may_read("cluster.x-k8s.io", R, "anything"),
            "other group"
        );
    }

    #[test]
    fn get_by_name_opens_only_those_objects() {
        let rules = NamespaceRules::new(vec![rule(&[G], &[R], &["get"], &["prod"])]);
        assert!(!rules.may_list(G, R));
        assert!(rules.may_read(G, R, "prod"));
        assert!(!rules.may_read(G, R, "staging"));
    }

    #[test]
    fn list_limited_to_names_does_not_open_the_namespace() {
        let rules = NamespaceRules::new(vec![rule(&[G], &[R], &["list"], &["prod"])]);
        assert!(!rules.may_list(G, R));
        assert!(!rules.may_read(G, R, "prod"), "list by name is not get");
    }

    #[test]
    fn wildcards_match_groups_resources_and_verbs() {
        let rules = NamespaceRules::new(vec![rule(&["*"], &["*"], &["*"], &[])]);
        assert!(rules.may_list(G, R));
        let get_any = NamespaceRules::new(vec![rule(&[G], &["*"], &["get"], &[])]);
        assert!(get_any.may_read(G, R, "x"));
        assert!(!get_any.may_list(G, R));
    }

    #[test]
    fn other_verbs_and_no_rules_deny() {
        let rules = NamespaceRules::new(vec![rule(&[G], &[R], &["create", "watch"], &[])]);
        assert!(!rules.may_read(G, R, "x"));
        assert!(!NamespaceRules::default().may_read(G, R, "x"));
    }
}
