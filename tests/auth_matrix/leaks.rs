//! What each principal must never receive: tenant B's names and ids, tenant A's project
//! outside the projectDev's token, tenancy data at all for callers without a tenancy role,
//! and Sveltos objects of namespaces the ServiceAccount may not read.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use super::world::{Matrix, TENANT_A, TENANT_B, Who};

pub struct Secrets {
    /// Global ids of tenant B's objects.
    b_ids: BTreeSet<String>,
    /// Global ids of tenant A's objects.
    a_ids: BTreeSet<String>,
    backoffice_id: String,
    closed_namespaces: BTreeSet<String>,
    /// Ids of Sveltos objects in closed namespaces.
    closed_ids: BTreeSet<String>,
}

/// Every string in a JSON value, with the key it is under (if any).
fn strings<'a>(value: &'a Value, key: Option<&'a str>, out: &mut Vec<(Option<&'a str>, &'a str)>) {
    match value {
        Value::String(s) => out.push((key, s)),
        Value::Array(items) => items.iter().for_each(|v| strings(v, key, out)),
        Value::Object(map) => map.iter().for_each(|(k, v)| strings(v, Some(k), out)),
        _ => {}
    }
}

impl Secrets {
    pub async fn gather(m: &Matrix) -> Secrets {
        let ids = &m.ids;
        let data = m
            .admin(
                r#"{ clusters(first: 100) { edges { node { id namespace } } }
                     profiles(first: 100) { edges { node { id namespace } } } }"#,
                json!({}),
            )
            .await;
        let closed_namespaces: BTreeSet<String> = m.closed_namespaces.iter().cloned().collect();
        let closed_ids = ["clusters", "profiles"]
            .iter()
            .flat_map(|list| data[*list]["edges"].as_array().cloned().unwrap_or_default())
            .filter(|e| {
                e["node"]["namespace"]
                    .as_str()
                    .is_some_and(|ns| closed_namespaces.contains(ns))
            })
            .map(|e| e["node"]["id"].as_str().unwrap().to_string())
            .collect();
        Secrets {
            b_ids: [&ids.tenant_b, &ids.shop_b, &ids.app_b, &ids.policy_b]
                .into_iter()
                .cloned()
                .collect(),
            a_ids: [
                &ids.tenant_a,
                &ids.web,
                &ids.backoffice,
                &ids.app_a,
                &ids.policy_a,
            ]
            .into_iter()
            .cloned()
            .collect(),
            backoffice_id: ids.backoffice.clone(),
            closed_namespaces,
            closed_ids,
        }
    }

    /// What `body` shows `who` that it must not.
    pub fn leaks(&self, who: Who, body: &Value) -> Vec<String> {
        let mut data = Vec::new();
        strings(&body["data"], None, &mut data);
        let mut errors = Vec::new();
        strings(&body["errors"], None, &mut errors);
        let mut found = Vec::new();
        let mut forbid_word = |word: &str, in_errors: bool| {
            for (_, s) in data
                .iter()
                .chain(if in_errors { errors.iter() } else { [].iter() })
            {
                if s.contains(word) {
                    found.push(format!("{word:?} in {s:?}"));
                }
            }
        };
        let tenancy_blind =
            matches!(who, Who::ServiceAccount | Who::GroupUser | Who::NoToken) || who.bad_token();
        if who != Who::Admin && who != Who::Ops {
            // Tenant B's names: never in data, nor in an error message.
            forbid_word(TENANT_B, true);
        }
        if who == Who::DevWeb {
            forbid_word("backoffice", true);
        }
        if tenancy_blind {
            forbid_word(TENANT_A, false);
        }
        let mut forbid_ids = |ids: &mut dyn Iterator<Item = &String>| {
            for id in ids {
                if data.iter().any(|(_, s)| s == id) {
                    found.push(format!("id {id}"));
                }
            }
        };
        if who != Who::Admin && who != Who::Ops {
            forbid_ids(&mut self.b_ids.iter());
        }
        if who == Who::DevWeb {
            forbid_ids(&mut std::iter::once(&self.backoffice_id));
        }
        if tenancy_blind {
            forbid_ids(&mut self.a_ids.iter());
        }
        if who == Who::ServiceAccount || who == Who::NoToken || who.bad_token() {
            forbid_ids(&mut self.closed_ids.iter());
            for (key, s) in &data {
                if matches!(key, Some("namespace") | Some("clusterNamespace"))
                    && self.closed_namespaces.contains(*s)
                {
                    found.push(format!("namespace {s}"));
                }
            }
        }
        found
    }
}
