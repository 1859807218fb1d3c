//! `PolicyRule` and the matching helpers of the real RBAC authorizer
//! (`pkg/apis/rbac/v1/evaluation_helpers.go`).

use serde::Serialize;
use serde_json::Value;

use crate::identity::Attributes;

const ALL: &str = "*";

/// One `rules[]` entry of a Role or ClusterRole.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicyRule {
    pub verbs: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub api_groups: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub resource_names: Vec<String>,
    #[serde(rename = "nonResourceURLs", skip_serializing_if = "Vec::is_empty")]
    pub non_resource_urls: Vec<String>,
}

fn strings(v: &Value, key: &str) -> Vec<String> {
    v.get(key)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

impl PolicyRule {
    /// Reads a rule from JSON, treating absent or mistyped fields as empty.
    pub fn from_value(v: &Value) -> Self {
        Self {
            verbs: strings(v, "verbs"),
            api_groups: strings(v, "apiGroups"),
            resources: strings(v, "resources"),
            resource_names: strings(v, "resourceNames"),
            non_resource_urls: strings(v, "nonResourceURLs"),
        }
    }

    pub fn to_value(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    /// `RuleAllows`: does this rule permit the request?
    pub fn allows(&self, attrs: &Attributes) -> bool {
        if !self.verb_matches(&attrs.verb) {
            return false;
        }
        match &attrs.path {
            Some(path) => self.non_resource_url_matches(path),
            None => {
                self.api_group_matches(&attrs.api_group)
                    && self.resource_matches(&attrs.resource, &attrs.subresource)
                    && self.resource_name_matches(&attrs.name)
            }
        }
    }

    fn verb_matches(&self, verb: &str) -> bool {
        self.verbs.iter().any(|v| v == ALL || v == verb)
    }

    fn api_group_matches(&self, group: &str) -> bool {
        self.api_groups.iter().any(|g| g == ALL || g == group)
    }

    /// `resource/subresource` must be named exactly, or by `*`, or by `*/subresource`;
    /// `pods/*` is not a pattern and grants nothing but a subresource literally called `*`.
    fn resource_matches(&self, resource: &str, subresource: &str) -> bool {
        self.resources.iter().any(|r| {
            if r == ALL {
                return true;
            }
            if subresource.is_empty() {
                return r == resource;
            }
            let exact = r.len() == resource.len() + 1 + subresource.len()
                && r.starts_with(resource)
                && r[resource.len()..].starts_with('/')
                && r.ends_with(subresource);
            exact || r.strip_prefix("*/") == Some(subresource)
        })
    }

    /// An empty `resourceNames` allows every name; otherwise the request must name one of
    /// them, so unnamed requests (list, watch, create, deletecollection) never match.
    fn resource_name_matches(&self, name: &str) -> bool {
        self.resource_names.is_empty() || self.resource_names.iter().any(|n| n == name)
    }

    fn non_resource_url_matches(&self, path: &str) -> bool {
        self.non_resource_urls.iter().any(|u| {
            u == ALL
                || u == path
                || u.strip_suffix('*')
                    .is_some_and(|prefix| path.starts_with(prefix.trim_end_matches('*')))
        })
    }
}

/// A `SelfSubjectRulesReview` `status.resourceRules[]` entry.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceRule {
    pub verbs: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub api_groups: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub resource_names: Vec<String>,
}

/// A `SelfSubjectRulesReview` `status.nonResourceRules[]` entry.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NonResourceRule {
    pub verbs: Vec<String>,
    #[serde(rename = "nonResourceURLs", skip_serializing_if = "Vec::is_empty")]
    pub non_resource_urls: Vec<String>,
}

impl PolicyRule {
    /// How a rules review reports this rule: its resource part and its non-resource part.
    pub(super) fn split_for_review(&self) -> (Option<ResourceRule>, Option<NonResourceRule>) {
        let resource = (!self.resources.is_empty()).then(|| ResourceRule {
            verbs: self.verbs.clone(),
            api_groups: self.api_groups.clone(),
            resources: self.resources.clone(),
            resource_names: self.resource_names.clone(),
        });
        let non_resource = (!self.non_resource_urls.is_empty()).then(|| NonResourceRule {
            verbs: self.verbs.clone(),
            non_resource_urls: self.non_resource_urls.clone(),
        });
        (resource, non_resource)
    }
}
