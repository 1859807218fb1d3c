//! allOf / anyOf / oneOf / not, as kube-openapi's `schemaPropsValidator` runs them: a failed
//! combinator adds a path-less composite error (field `<nil>`) and, for anyOf/oneOf, the
//! errors of the branch that came closest.

use serde_json::Value;

use super::errors::{FieldError, quote};
use super::validate::{Validator, composite};

impl Validator<'_> {
    pub(super) fn combinators(
        &self,
        s: &Value,
        data: &Value,
        path: &str,
        out: &mut Vec<FieldError>,
    ) {
        if let Some(any) = s
            .get("anyOf")
            .and_then(Value::as_array)
            .filter(|a| !a.is_empty())
        {
            let mut best: Option<Vec<FieldError>> = None;
            let mut ok = false;
            for branch in any {
                let errs = self.sub(branch, data, path);
                if errs.is_empty() {
                    ok = true;
                    break;
                }
                // Go keeps the branch with the most passing checks; fewest errors is our proxy.
                if best.as_ref().is_none_or(|b| errs.len() < b.len()) {
                    best = Some(errs);
                }
            }
            if !ok {
                composite(
                    out,
                    format!("{} must validate at least one schema (anyOf)", quote(path)),
                );
                out.extend(best.unwrap_or_default());
            }
        }
        if let Some(one) = s
            .get("oneOf")
            .and_then(Value::as_array)
            .filter(|a| !a.is_empty())
        {
            let mut valid = 0;
            let mut best: Option<Vec<FieldError>> = None;
            for branch in one {
                let errs = self.sub(branch, data, path);
                if errs.is_empty() {
                    valid += 1;
                    best = None;
                } else if valid == 0 && best.as_ref().is_none_or(|b| errs.len() < b.len()) {
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
                        quote(path)
                    ),
                );
                out.extend(best.unwrap_or_default());
            }
        }
        if let Some(all) = s
            .get("allOf")
            .and_then(Value::as_array)
            .filter(|a| !a.is_empty())
        {
            let mut valid = 0;
            for branch in all {
                let errs = self.sub(branch, data, path);
                if errs.is_empty() {
                    valid += 1;
                }
                out.extend(errs);
            }
            if valid != all.len() {
                let extra = if valid == 0 { ". None validated" } else { "" };
                composite(
                    out,
                    format!(
                        "{} must validate all the schemas (allOf){extra}",
                        quote(path)
                    ),
                );
            }
        }
        if let Some(not) = s.get("not")
            && self.sub(not, data, path).is_empty()
        {
            composite(
                out,
                format!("{} must not validate the schema (not)", quote(path)),
            );
        }
    }
}
