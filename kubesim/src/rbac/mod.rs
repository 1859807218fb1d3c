//! The RBAC authorizer of `plugin/pkg/auth/authorizer/rbac`, over a snapshot of the stored
//! Roles, ClusterRoles, RoleBindings and ClusterRoleBindings.
//!
//! The snapshot resolves every binding's role once and indexes bindings by subject, so that
//! `authorize` (run on every request) only looks at the bindings that name the caller.

mod aggregate;
mod bootstrap;
mod message;
mod rule;

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use serde_json::Value;

use crate::authn::{SYSTEM_MASTERS, service_account_username};
use crate::identity::{Attributes, Decision, UserInfo};

pub use aggregate::aggregate_cluster_roles;
pub use bootstrap::bootstrap_rbac_objects;
pub use message::forbidden_message;
pub use rule::{NonResourceRule, PolicyRule, ResourceRule};

fn text<'a>(v: &'a Value, pointer: &str) -> &'a str {
    v.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

fn rules_of(v: &Value) -> Vec<PolicyRule> {
    v.get("rules")
        .and_then(Value::as_array)
        .map(|a| a.iter().map(PolicyRule::from_value).collect())
        .unwrap_or_default()
}

struct Subject {
    kind: String,
    name: String,
    /// As written in the binding (possibly empty), for the reason text.
    namespace: String,
}

struct Binding {
    /// `None` for a ClusterRoleBinding.
    namespace: Option<String>,
    name: String,
    role_kind: String,
    role_name: String,
    subjects: Vec<Subject>,
    /// The role's rules, or the error the real authorizer reports when it cannot find them.
    rules: Result<Arc<Vec<PolicyRule>>, String>,
}

impl Binding {
    /// `ClusterRoleBinding "x" of ClusterRole "y" to Group "z"`, as rule.go describes a source.
    fn describe(&self, subject: usize) -> String {
        let s = &self.subjects[subject];
        let who = if s.kind == "ServiceAccount" {
            let ns = if s.namespace.is_empty() {
                self.namespace.as_deref().unwrap_or("")
            } else {
                &s.namespace
            };
            format!("{} \"{}/{}\"", s.kind, s.name, ns)
        } else {
            format!("{} \"{}\"", s.kind, s.name)
        };
        match &self.namespace {
            None => format!(
                "ClusterRoleBinding \"{}\" of {} \"{}\" to {who}",
                self.name, self.role_kind, self.role_name
            ),
            Some(ns) => format!(
                "RoleBinding \"{}/{ns}\" of {} \"{}\" to {who}",
                self.name, self.role_kind, self.role_name
            ),
        }
    }
}

/// Bindings by the user names and group names their subjects match, as (binding, subject)
/// positions. ServiceAccount subjects are indexed under their `system:serviceaccount:` name.
#[derive(Default)]
struct SubjectIndex {
    by_user: HashMap<String, Vec<(usize, usize)>>,
    by_group: HashMap<String, Vec<(usize, usize)>>,
}

impl SubjectIndex {
    fn add(&mut self, binding_idx: usize, binding: &Binding) {
        for (i, s) in binding.subjects.iter().enumerate() {
            match s.kind.as_str() {
                "User" => self.by_user.entry(s.name.clone()).or_default(),
                "Group" => self.by_group.entry(s.name.clone()).or_default(),
                "ServiceAccount" => {
                    // A RoleBinding's ServiceAccount subject defaults to the binding's namespace;
                    // a ClusterRoleBinding's without a namespace matches nobody.
                    let ns = if s.namespace.is_empty() {
                        binding.namespace.as_deref().unwrap_or("")
                    } else {
                        &s.namespace
                    };
                    if ns.is_empty() {
                        continue;
                    }
                    self.by_user
                        .entry(service_account_username(ns, &s.name))
                        .or_default()
                }
                _ => continue,
            }
            .push((binding_idx, i));
        }
    }

    /// The bindings applying to `user`, in binding order, each with its first matching subject.
    fn applicable(&self, user: &UserInfo) -> Vec<(usize, usize)> {
        let mut hits: Vec<(usize, usize)> = Vec::new();
        if let Some(v) = self.by_user.get(&user.username) {
            hits.extend_from_slice(v);
        }
        for g in &user.groups {
            if let Some(v) = self.by_group.get(g) {
                hits.extend_from_slice(v);
            }
        }
        hits.sort_unstable();
        hits.dedup_by_key(|(b, _)| *b);
        hits
    }
}

/// An immutable view of the cluster's RBAC objects, ready to answer authorization questions.
#[derive(Default)]
pub struct RbacSnapshot {
    bindings: Vec<Binding>,
    cluster: SubjectIndex,
    namespaced: HashMap<String, SubjectIndex>,
}

impl std::fmt::Debug for RbacSnapshot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RbacSnapshot")
            .field("bindings", &self.bindings.len())
            .finish_non_exhaustive()
    }
}

impl RbacSnapshot {
    /// Builds the snapshot from `rbac.authorization.k8s.io/v1` objects as stored. Aggregated
    /// ClusterRoles get the rules of the ClusterRoles their selectors match.
    pub fn from_objects(
        roles: &[Value],
        cluster_roles: &[Value],
        role_bindings: &[Value],
        cluster_role_bindings: &[Value],
    ) -> Self {
        let role_rules: HashMap<(&str, &str), Arc<Vec<PolicyRule>>> = roles
            .iter()
            .map(|r| {
                let key = (text(r, "/metadata/namespace"), text(r, "/metadata/name"));
                (key, Arc::new(rules_of(r)))
            })
            .collect();
        let cluster_rules: HashMap<String, Arc<Vec<PolicyRule>>> =
            aggregate::resolve(cluster_roles)
                .into_iter()
                .map(|(name, rules)| (name, Arc::new(rules)))
                .collect();

        let mut crbs: Vec<&Value> = cluster_role_bindings.iter().collect();
        crbs.sort_by_key(|b| text(b, "/metadata/name"));
        let mut rbs: Vec<&Value> = role_bindings.iter().collect();
        rbs.sort_by_key(|b| (text(b, "/metadata/namespace"), text(b, "/metadata/name")));

        let mut snapshot = Self::default();
        for (b, namespaced) in crbs
            .into_iter()
            .map(|b| (b, false))
            .chain(rbs.into_iter().map(|b| (b, true)))
        {
            let namespace = namespaced.then(|| text(b, "/metadata/namespace").to_string());
            let role_kind = text(b, "/roleRef/kind").to_string();
            let role_name = text(b, "/roleRef/name").to_string();
            let rules = match (role_kind.as_str(), &namespace) {
                ("ClusterRole", _) => cluster_rules.get(&role_name).cloned().ok_or_else(|| {
                    format!("clusterrole.rbac.authorization.k8s.io \"{role_name}\" not found")
                }),
                ("Role", Some(ns)) => role_rules
                    .get(&(ns.as_str(), role_name.as_str()))
                    .cloned()
                    .ok_or_else(|| {
                        format!("role.rbac.authorization.k8s.io \"{role_name}\" not found")
                    }),
                (kind, _) => Err(format!("unsupported role reference kind: \"{kind}\"")),
            };
            let subjects = b
                .get("subjects")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .map(|s| Subject {
                            kind: text(s, "/kind").to_string(),
                            name: text(s, "/name").to_string(),
                            namespace: text(s, "/namespace").to_string(),
                        })
                        .collect()
                })
                .unwrap_or_default();
            let binding = Binding {
                namespace,
                name: text(b, "/metadata/name").to_string(),
                role_kind,
                role_name,
                subjects,
                rules,
            };
            let idx = snapshot.bindings.len();
            match &binding.namespace {
                None => snapshot.cluster.add(idx, &binding),
                Some(ns) => snapshot
                    .namespaced
                    .entry(ns.clone())
                    .or_default()
                    .add(idx, &binding),
            }
            snapshot.bindings.push(binding);
        }
        snapshot
    }

    /// ClusterRoleBindings first, then the RoleBindings of `namespace` (none when empty).
    fn applicable(&self, user: &UserInfo, namespace: &str) -> Vec<(usize, usize)> {
        let mut hits = self.cluster.applicable(user);
        if !namespace.is_empty()
            && let Some(index) = self.namespaced.get(namespace)
        {
            hits.extend(index.applicable(user));
        }
        hits
    }

    /// Decides a request. Members of `system:masters` are always allowed with an empty reason
    /// (the apiserver's privileged-group authorizer runs before RBAC); a denial's reason is
    /// empty unless a binding naming the user points at a missing role.
    pub fn authorize(&self, user: &UserInfo, attrs: &Attributes) -> Decision {
        if user.groups.iter().any(|g| g == SYSTEM_MASTERS) {
            return Decision {
                allowed: true,
                reason: String::new(),
            };
        }
        let mut errors: Vec<&str> = Vec::new();
        for (b, s) in self.applicable(user, &attrs.namespace) {
            let binding = &self.bindings[b];
            match &binding.rules {
                Err(e) => errors.push(e),
                Ok(rules) if rules.iter().any(|r| r.allows(attrs)) => {
                    return Decision {
                        allowed: true,
                        reason: format!("RBAC: allowed by {}", binding.describe(s)),
                    };
                }
                Ok(_) => {}
            }
        }
        Decision {
            allowed: false,
            reason: if errors.is_empty() {
                String::new()
            } else {
                format!("RBAC: {}", aggregate_errors(&errors))
            },
        }
    }

    /// Every rule that applies to `user` in `namespace` (cluster-wide ones included), split as
    /// a SelfSubjectRulesReview reports them.
    pub fn rules_for(
        &self,
        user: &UserInfo,
        namespace: &str,
    ) -> (Vec<ResourceRule>, Vec<NonResourceRule>) {
        let (resource, non_resource, _) = self.rules_review(user, namespace);
        (resource, non_resource)
    }

    /// As [`RbacSnapshot::rules_for`], plus the errors that make the answer incomplete.
    pub fn rules_review(
        &self,
        user: &UserInfo,
        namespace: &str,
    ) -> (Vec<ResourceRule>, Vec<NonResourceRule>, Vec<String>) {
        let mut resource = Vec::new();
        let mut non_resource = Vec::new();
        let mut errors = Vec::new();
        for (b, _) in self.applicable(user, namespace) {
            match &self.bindings[b].rules {
                Err(e) => errors.push(e.clone()),
                Ok(rules) => {
                    for rule in rules.iter() {
                        let (r, n) = rule.split_for_review();
                        resource.extend(r);
                        non_resource.extend(n);
                    }
                }
            }
        }
        (resource, non_resource, errors)
    }
}

/// `utilerrors.NewAggregate(errs).Error()`: one message alone, several deduplicated in brackets.
pub(crate) fn aggregate_errors<S: AsRef<str>>(errors: &[S]) -> String {
    let mut seen = BTreeSet::new();
    let unique: Vec<&str> = errors
        .iter()
        .map(AsRef::as_ref)
        .filter(|e| seen.insert(*e))
        .collect();
    match unique.as_slice() {
        [one] => one.to_string(),
        many => format!("[{}]", many.join(", ")),
    }
}
