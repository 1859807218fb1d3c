//! Label selectors in the full Kubernetes grammar (`env=prod,tier in (gold,silver),!legacy`).
//!
//! Parsing is kubesim's parser: no well-kept crate parses the selector string grammar (kube-core
//! builds selectors but cannot read them), and one parser for both sides keeps them in step.

use std::collections::BTreeMap;

use crate::error::{Error, Result};

#[derive(Clone, Debug, Default)]
pub struct Selector(kubesim::selector::LabelSelector);

impl Selector {
    /// Parses `text`; a malformed selector is a BAD_USER_INPUT naming `field`.
    pub fn parse(field: &str, text: &str) -> Result<Self> {
        kubesim::selector::LabelSelector::parse(text)
            .map(Selector)
            .map_err(|e| {
                Error::bad_field(
                    field,
                    format!("{field}: invalid label selector {text:?}: {}", e.message),
                )
            })
    }

    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.0.is_empty() || self.0.matches_labels(&|key| labels.get(key).cloned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_grammar_and_clear_errors() {
        let labels: BTreeMap<String, String> = [("env", "prod"), ("tier", "gold")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        for (selector, expected) in [
            ("", true),
            ("env=prod", true),
            ("env==prod,tier in (gold,silver)", true),
            ("env!=prod", false),
            ("tier notin (gold)", false),
            ("legacy", false),
            ("!legacy", true),
            ("env,!tier", false),
        ] {
            assert_eq!(
                Selector::parse("labelSelector", selector)
                    .unwrap()
                    .matches(&labels),
                expected,
                "{selector}"
            );
        }
        let err = Selector::parse("labelSelector", "env in (prod").unwrap_err();
        assert_eq!(err.code().as_str(), "BAD_USER_INPUT");
        assert!(err.to_string().contains("labelSelector"));
    }
}
