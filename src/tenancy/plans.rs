//! The plan and policy-set catalogs shipped with fleetgraph (`assets/tenancy/*.json`, the
//! KubeNova catalog). A plan is tenant quotas plus the policy sets it attaches.
//!
//! Differences from the legacy API: every rule spec carries its `type` (KubeVela needs it),
//! policies carry a `name`, and a plan's `pods` stays a resource quota (a LimitRange has no
//! `pods` limit).

use std::collections::BTreeMap;
use std::sync::LazyLock;

use serde::Deserialize;

use crate::store::tenancy::policy_sets::Rule;

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Plan {
    pub name: String,
    pub description: String,
    pub tenant_quotas: BTreeMap<String, String>,
    pub policy_sets: Vec<String>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct CatalogPolicySet {
    pub name: String,
    pub description: String,
    pub rules: Vec<Rule>,
}

static PLANS: LazyLock<Vec<Plan>> = LazyLock::new(|| {
    serde_json::from_str(include_str!("../../assets/tenancy/plans.json"))
        .expect("assets/tenancy/plans.json is valid")
});

static POLICY_SETS: LazyLock<Vec<CatalogPolicySet>> = LazyLock::new(|| {
    serde_json::from_str(include_str!("../../assets/tenancy/policysets.json"))
        .expect("assets/tenancy/policysets.json is valid")
});

/// Plans by name.
pub fn plans() -> &'static [Plan] {
    &PLANS
}

pub fn plan(name: &str) -> Option<&'static Plan> {
    PLANS.iter().find(|p| p.name == name)
}

/// The policy-set catalog, in file order.
pub fn policy_set_catalog() -> &'static [CatalogPolicySet] {
    &POLICY_SETS
}

pub fn catalog_policy_set(name: &str) -> Option<&'static CatalogPolicySet> {
    POLICY_SETS.iter().find(|p| p.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogs_load_and_plans_name_known_policy_sets_and_valid_quotas() {
        assert_eq!(plans().len(), 2);
        for plan in plans() {
            for name in &plan.policy_sets {
                assert!(catalog_policy_set(name).is_some(), "{name}");
            }
            crate::tenancy::validate::resource_map("q", &plan.tenant_quotas).unwrap();
        }
        for set in policy_set_catalog() {
            for rule in &set.rules {
                assert!(rule.kind == "vela.trait" || rule.kind == "vela.policy");
                assert!(rule.spec["type"].is_string(), "{}", set.name);
            }
        }
    }
}
