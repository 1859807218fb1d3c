//! Test controls: request counters, injected latency and failures.

use std::collections::BTreeMap;
use std::time::Duration;

use parking_lot::Mutex;
use serde::{Deserialize, Serialize};

/// Requests seen, per (verb, group, resource), and in total.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Counters {
    pub total: u64,
    /// Key: `verb group resource` (group "" for core, resource "" for non-resource paths).
    pub by_request: BTreeMap<(String, String, String), u64>,
}

impl Counters {
    /// Count for one (verb, group, resource).
    pub fn get(&self, verb: &str, group: &str, resource: &str) -> u64 {
        self.by_request
            .get(&(verb.to_string(), group.to_string(), resource.to_string()))
            .copied()
            .unwrap_or(0)
    }

    /// Sum over every verb for (group, resource).
    pub fn for_resource(&self, group: &str, resource: &str) -> u64 {
        self.by_request
            .iter()
            .filter(|((_, g, r), _)| g == group && r == resource)
            .map(|(_, n)| n)
            .sum()
    }

    pub fn to_json(&self) -> serde_json::Value {
        let items: Vec<serde_json::Value> = self
            .by_request
            .iter()
            .map(|((v, g, r), n)| serde_json::json!({"verb": v, "group": g, "resource": r, "count": n}))
            .collect();
        serde_json::json!({"total": self.total, "requests": items})
    }
}

/// Fail the next `times` requests that match with `code` ("*" or "" matches any verb/resource).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailureRule {
    #[serde(default)]
    pub verb: String,
    #[serde(default)]
    pub resource: String,
    pub code: u16,
    pub times: u32,
}

#[derive(Default)]
pub struct Controls {
    counters: Mutex<Counters>,
    latency: Mutex<Duration>,
    failures: Mutex<Vec<FailureRule>>,
}

fn any(pat: &str, v: &str) -> bool {
    pat.is_empty() || pat == "*" || pat == v
}

impl Controls {
    pub fn count(&self, verb: &str, group: &str, resource: &str) {
        let mut c = self.counters.lock();
        c.total += 1;
        *c.by_request
            .entry((verb.to_string(), group.to_string(), resource.to_string()))
            .or_default() += 1;
    }

    pub fn counters(&self) -> Counters {
        self.counters.lock().clone()
    }

    pub fn reset_counters(&self) {
        *self.counters.lock() = Counters::default();
    }

    pub fn set_latency(&self, d: Duration) {
        *self.latency.lock() = d;
    }

    pub fn latency(&self) -> Duration {
        *self.latency.lock()
    }

    pub fn add_failure(&self, rule: FailureRule) {
        self.failures.lock().push(rule);
    }

    /// The code to fail this request with, consuming one use of the first matching rule.
    pub fn take_failure(&self, verb: &str, resource: &str) -> Option<u16> {
        let mut rules = self.failures.lock();
        let i = rules
            .iter()
            .position(|r| r.times > 0 && any(&r.verb, verb) && any(&r.resource, resource))?;
        rules[i].times -= 1;
        let code = rules[i].code;
        if rules[i].times == 0 {
            rules.remove(i);
        }
        Some(code)
    }
}

/// The reason the real server gives with a status code.
pub fn reason_for(code: u16) -> &'static str {
    match code {
        400 => "BadRequest",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "NotFound",
        405 => "MethodNotAllowed",
        409 => "Conflict",
        410 => "Expired",
        422 => "Invalid",
        429 => "TooManyRequests",
        503 => "ServiceUnavailable",
        504 => "Timeout",
        _ => "InternalError",
    }
}
