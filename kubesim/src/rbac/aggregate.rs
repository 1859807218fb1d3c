//! ClusterRole aggregation (`aggregationRule.clusterRoleSelectors`), as the clusterrole
//! aggregation controller of kube-controller-manager computes it: the union of the rules of every
//! other ClusterRole whose labels match one of the selectors.

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use super::rule::PolicyRule;
use super::{rules_of, text};

/// Does a `metav1.LabelSelector` (JSON) select an object with these labels?
fn selects(selector: &Value, labels: Option<&serde_json::Map<String, Value>>) -> bool {
    let label = |k: &str| labels.and_then(|l| l.get(k)).and_then(Value::as_str);
    let labels_ok = selector
        .get("matchLabels")
        .and_then(Value::as_object)
        .is_none_or(|m| m.iter().all(|(k, v)| label(k) == v.as_str()));
    let expressions_ok = selector
        .get("matchExpressions")
        .and_then(Value::as_array)
        .is_none_or(|exprs| {
            exprs.iter().all(|e| {
                let key = text(e, "/key");
                let values: Vec<&str> = e
                    .get("values")
                    .and_then(Value::as_array)
                    .map(|a| a.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default();
                match text(e, "/operator") {
                    "In" => label(key).is_some_and(|v| values.contains(&v)),
                    "NotIn" => label(key).is_none_or(|v| !values.contains(&v)),
                    "Exists" => label(key).is_some(),
                    "DoesNotExist" => label(key).is_none(),
                    _ => false,
                }
            })
        });
    labels_ok && expressions_ok
}

struct Role<'a> {
    labels: Option<&'a serde_json::Map<String, Value>>,
    own: Vec<PolicyRule>,
    selectors: Option<&'a Vec<Value>>,
}

struct Resolver<'a> {
    roles: HashMap<&'a str, Role<'a>>,
    /// Names in the order the controller visits them (sorted).
    names: Vec<&'a str>,
    done: HashMap<&'a str, Vec<PolicyRule>>,
    visiting: HashSet<&'a str>,
}

impl<'a> Resolver<'a> {
    fn effective(&mut self, name: &'a str) -> Vec<PolicyRule> {
        if let Some(r) = self.done.get(name) {
            return r.clone();
        }
        let Some(role) = self.roles.get(name) else {
            return Vec::new();
        };
        let Some(selectors) = role.selectors else {
            return role.own.clone();
        };
        // A cycle of aggregated roles stops at the role already being resolved; the
        // controller would converge to the same fixed point over successive syncs.
        if !self.visiting.insert(name) {
            return Vec::new();
        }
        let matching: Vec<&'a str> = self
            .names
            .iter()
            .copied()
            .filter(|other| *other != name)
            .filter(|other| {
                let labels = self.roles.get(other).and_then(|r| r.labels);
                selectors.iter().any(|s| selects(s, labels))
            })
            .collect();
        // The controller replaces an aggregated role's rules outright: whatever was stored
        // (its earlier output, or rules written by hand) does not count.
        let mut rules: Vec<PolicyRule> = Vec::new();
        for other in matching {
            for rule in self.effective(other) {
                if !rules.contains(&rule) {
                    rules.push(rule);
                }
            }
        }
        self.visiting.remove(name);
        self.done.insert(name, rules.clone());
        rules
    }
}

/// Every ClusterRole's effective rules, by name.
pub(super) fn resolve(cluster_roles: &[Value]) -> HashMap<String, Vec<PolicyRule>> {
    let roles: HashMap<&str, Role<'_>> = cluster_roles
        .iter()
        .map(|r| {
            (
                text(r, "/metadata/name"),
                Role {
                    labels: r.pointer("/metadata/labels").and_then(Value::as_object),
                    own: rules_of(r),
                    selectors: r
                        .pointer("/aggregationRule/clusterRoleSelectors")
                        .and_then(Value::as_array),
                },
            )
        })
        .collect();
    let mut names: Vec<&str> = roles.keys().copied().collect();
    names.sort_unstable();
    let mut resolver = Resolver {
        roles,
        names: names.clone(),
        done: HashMap::new(),
        visiting: HashSet::new(),
    };
    names
        .into_iter()
        .map(|n| (n.to_string(), resolver.effective(n)))
        .collect()
}

/// Writes the aggregated `rules` into every ClusterRole that has an `aggregationRule`, as the
/// aggregation controller does in a real cluster (so `kubectl get clusterrole admin -o yaml`
/// shows them). Call after any ClusterRole changes.
pub fn aggregate_cluster_roles(cluster_roles: &mut [Value]) {
    let resolved = resolve(cluster_roles);
    for role in cluster_roles.iter_mut() {
        if role.get("aggregationRule").is_none_or(Value::is_null) {
            continue;
        }
        let name = text(role, "/metadata/name");
        if let Some(rules) = resolved.get(name) {
            let rules: Vec<Value> = rules.iter().map(PolicyRule::to_value).collect();
            if let Some(obj) = role.as_object_mut() {
                obj.insert("rules".to_string(), Value::Array(rules));
            }
        }
    }
}
