//! allOf / anyOf / oneOf / not, as kube-openapi's `schemaPropsValidator` runs them: a failed
//! combinator adds a path-less composite error (field `<nil>`) and, for anyOf/oneOf, the
//! errors of the branch that came closest.

use serde_json::Value;

use super::errors::{FieldError, quote};
use super::node::Node;
use super::path::Path;
use super::validate::{composite, sub};

/// Go keeps the branch with the most passing checks; fewest errors is our proxy.
fn closer(best: &Option<Vec<FieldError>>, errs: &[FieldError]) -> bool {
    best.as_ref().is_none_or(|b| errs.len() < b.len())
}

pub(super) fn check(s: &Node, data: &Value, path: &Path<'_>, out: &mut Vec<FieldError>) {
    if !s.any_of.is_empty() {
        let mut best: Option<Vec<FieldError>> = None;
        let mut ok = false;
        for branch in &s.any_of {
            let errs = sub(branch, data, path);
            if errs.is_empty() {
                ok = true;
                break;
            }
            if closer(&best, &errs) {
                best = Some(errs);
            }
        }
        if !ok {
            composite(
                out,
                format!(
                    "{} must validate at least one schema (anyOf)",
                    quote(&path.to_string())
                ),
            );
            out.extend(best.unwrap_or_default());
        }
    }
    if !s.one_of.is_empty() {
        let mut valid = 0;
        let mut best: Option<Vec<FieldError>> = None;
        for branch in &s.one_of {
            let errs = sub(branch, data, path);
            if errs.is_empty() {
                valid += 1;
                best = None;
            } else if valid == 0 && closer(&best, &errs) {
                best = Some(errs);
            }
        }
        if valid != 1 {
            let extra = if valid == 0 {
                "Found none valid".to_string()
            } else {
                format!("Found {valid} valid alternatives")
            };
            composite(
                out,
                format!(
                    "{} must validate one and only one schema (oneOf). {extra}",
                    quote(&path.to_string())
                ),
            );
            out.extend(best.unwrap_or_default());
        }
    }
    if !s.all_of.is_empty() {
        let mut valid = 0;
        for branch in &s.all_of {
            let errs = sub(branch, data, path);
            if errs.is_empty() {
                valid += 1;
            }
            out.extend(errs);
        }
        if valid != s.all_of.len() {
            let extra = if valid == 0 { ". None validated" } else { "" };
            composite(
                out,
                format!(
                    "{} must validate all the schemas (allOf){extra}",
                    quote(&path.to_string())
                ),
            );
        }
    }
    if let Some(not) = &s.not
        && sub(not, data, path).is_empty()
    {
        composite(
            out,
            format!(
                "{} must not validate the schema (not)",
                quote(&path.to_string())
            ),
        );
    }
}
