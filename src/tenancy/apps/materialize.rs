//! Policy sets into traits and policies, at every publish of an app.
//!
//! A policy set is a named list of rules (legacy shape `{kind, traitType|policyType, spec}`):
//! `vela.trait` rules become a trait on every component, `vela.policy` rules an Application
//! policy. KubeVela has no app-level traits, so trait rules go on each component. What the
//! user set explicitly wins: a component that already has a trait of that type keeps its own,
//! and a policy set's policy is named `<set>-<type>` so it never replaces a user's policy.
//! Sets apply in name order, and within a set in rule order; the first set giving a trait type
//! wins for a component.

use serde_json::{Map, Value};

use super::spec::{Component, Policy, Trait};

/// A policy set as the apps side needs it: its name and its rules.
#[derive(Clone, Debug, PartialEq)]
pub struct PolicySetRules {
    pub name: String,
    pub rules: Vec<Value>,
}

/// The result of materialising: the effective components and policies.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Materialized {
    pub components: Vec<Component>,
    pub policies: Vec<Policy>,
    /// `set/kind/type` for every rule applied, for the revision record.
    pub applied: Vec<String>,
}

enum Rule {
    Trait {
        type_: String,
        properties: Map<String, Value>,
    },
    Policy {
        type_: String,
        properties: Map<String, Value>,
    },
}

/// Reads one rule; rules of other kinds or without a type are skipped (logged), as the
/// legacy server skipped them.
fn parse_rule(set: &str, rule: &Value) -> Option<Rule> {
    let kind = rule.get("kind").and_then(Value::as_str).unwrap_or_default();
    let spec = rule
        .get("spec")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let hint = match kind {
        "vela.trait" => rule.get("traitType"),
        "vela.policy" => rule.get("policyType"),
        _ => {
            tracing::warn!(
                policy_set = set,
                kind,
                "skipping a policy-set rule of unknown kind"
            );
            return None;
        }
    }
    .and_then(Value::as_str);
    let type_ = spec
        .get("type")
        .and_then(Value::as_str)
        .or(hint)
        .map(str::to_string)
        .filter(|t| !t.is_empty());
    let Some(type_) = type_ else {
        tracing::warn!(
            policy_set = set,
            kind,
            "skipping a policy-set rule without a type"
        );
        return None;
    };
    // `{type, properties}` is KubeVela's shape; a bare spec (`scaler: {replicas: 3}`) is the
    // properties themselves.
    let properties = match spec.get("properties") {
        Some(Value::Object(p)) => p.clone(),
        _ => spec.into_iter().filter(|(k, _)| k != "type").collect(),
    };
    Some(match kind {
        "vela.trait" => Rule::Trait { type_, properties },
        _ => Rule::Policy { type_, properties },
    })
}

/// A policy name from a set name and a policy type, cut to a DNS-1123 label.
fn policy_name(set: &str, type_: &str) -> String {
    let raw = format!("{set}-{type_}").to_lowercase();
    let mut name: String = raw
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    name.truncate(63);
    name.trim_matches('-').to_string()
}

/// Applies `sets` to the user's components and policies.
pub fn materialize(
    components: &[Component],
    policies: &[Policy],
    sets: &[PolicySetRules],
) -> Materialized {
    let mut out = Materialized {
        components: components.to_vec(),
        policies: policies.to_vec(),
        applied: Vec::new(),
    };
    let mut ordered: Vec<&PolicySetRules> = sets.iter().collect();
    ordered.sort_by(|a, b| a.name.cmp(&b.name));
    for set in ordered {
        for rule in &set.rules {
            match parse_rule(&set.name, rule) {
                Some(Rule::Trait { type_, properties }) => {
                    let mut added = false;
                    for component in &mut out.components {
                        if component.traits.iter().any(|t| t.type_ == type_) {
                            continue;
                        }
                        component.traits.push(Trait {
                            type_: type_.clone(),
                            properties: properties.clone(),
                        });
                        added = true;
                    }
                    if added {
                        out.applied.push(format!("{}/trait/{type_}", set.name));
                    }
                }
                Some(Rule::Policy { type_, properties }) => {
                    let name = policy_name(&set.name, &type_);
                    if out.policies.iter().any(|p| p.name == name) {
                        continue;
                    }
                    out.policies.push(Policy {
                        name,
                        type_: type_.clone(),
                        properties,
                    });
                    out.applied.push(format!("{}/policy/{type_}", set.name));
                }
                None => {}
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn web(name: &str) -> Component {
        Component {
            name: name.into(),
            type_: "webservice".into(),
            properties: serde_json::from_value(json!({"image": "nginx"})).expect("map"),
            traits: vec![],
        }
    }

    /// The shipped catalog's sets (kubenova.md B5), as a tenant gets them from the gold plan.
    fn gold_sets() -> Vec<PolicySetRules> {
        vec![
            PolicySetRules {
                name: "gold-tier".into(),
                rules: vec![
                    json!({"kind": "vela.trait", "traitType": "scaler",
                           "spec": {"replicas": 3, "min": 3, "max": 10}}),
                    json!({"kind": "vela.policy", "policyType": "rollout",
                           "spec": {"type": "rollout", "properties": {"batchPartition": 1, "maxUnavailable": 1}}}),
                ],
            },
            PolicySetRules {
                name: "baseline".into(),
                rules: vec![json!({"kind": "vela.policy", "policyType": "health-check",
                    "spec": {"type": "health", "properties": {"probe": "http", "path": "/healthz", "intervalSeconds": 10}}})],
            },
            PolicySetRules {
                name: "bluegreen-rollout".into(),
                rules: vec![json!({"kind": "vela.policy", "policyType": "rollout",
                    "spec": {"type": "rollout", "properties": {"strategy": "bluegreen", "maxUnavailable": 0, "maxSurge": 1}}})],
            },
        ]
    }

    #[test]
    fn traits_go_on_every_component_and_policies_get_set_names() {
        let out = materialize(&[web("api"), web("ui")], &[], &gold_sets());
        for c in &out.components {
            assert_eq!(c.traits.len(), 1);
            assert_eq!(c.traits[0].type_, "scaler");
            assert_eq!(
                Value::Object(c.traits[0].properties.clone()),
                json!({"replicas": 3, "min": 3, "max": 10})
            );
        }
        let names: Vec<&str> = out.policies.iter().map(|p| p.name.as_str()).collect();
        // Sets in name order: baseline, bluegreen-rollout, gold-tier.
        assert_eq!(
            names,
            [
                "baseline-health",
                "bluegreen-rollout-rollout",
                "gold-tier-rollout"
            ]
        );
        assert_eq!(out.policies[0].type_, "health");
        assert_eq!(
            out.applied,
            [
                "baseline/policy/health",
                "bluegreen-rollout/policy/rollout",
                "gold-tier/trait/scaler",
                "gold-tier/policy/rollout"
            ]
        );
    }

    #[test]
    fn the_users_own_settings_win() {
        let mut api = web("api");
        api.traits.push(Trait {
            type_: "scaler".into(),
            properties: serde_json::from_value(json!({"replicas": 1})).expect("map"),
        });
        let user_policy = Policy {
            name: "baseline-health".into(),
            type_: "health".into(),
            properties: Map::new(),
        };
        let out = materialize(
            &[api, web("ui")],
            std::slice::from_ref(&user_policy),
            &gold_sets(),
        );
        assert_eq!(out.components[0].traits[0].properties["replicas"], json!(1));
        assert_eq!(out.components[1].traits[0].properties["replicas"], json!(3));
        assert_eq!(out.policies[0], user_policy);
        assert_eq!(out.policies.len(), 3);
    }

    #[test]
    fn no_sets_change_nothing_and_bad_rules_are_skipped() {
        let comps = [web("api")];
        assert_eq!(materialize(&comps, &[], &[]).components, comps.to_vec());
        let odd = PolicySetRules {
            name: "odd".into(),
            rules: vec![
                json!({"kind": "kyverno.rule", "spec": {"type": "x"}}),
                json!({"kind": "vela.trait", "spec": {}}),
                json!("not an object"),
            ],
        };
        let out = materialize(&comps, &[], &[odd]);
        assert_eq!(out.components, comps.to_vec());
        assert!(out.policies.is_empty() && out.applied.is_empty());
    }
}
