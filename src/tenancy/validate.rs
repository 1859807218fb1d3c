//! Up-front checks of tenancy input: names, label keys and values, quantities, URLs.
//! Every check names the input field at fault.

use std::collections::BTreeMap;

use crate::error::{Error, Result};

/// A DNS-1123 label: lowercase alphanumerics and `-`, starting and ending alphanumeric, at
/// most `max` characters (63 for namespaces).
pub fn dns_label(field: &str, value: &str, max: usize) -> Result<()> {
    let ok = !value.is_empty()
        && value.len() <= max
        && value
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !value.starts_with('-')
        && !value.ends_with('-');
    if ok {
        Ok(())
    } else {
        Err(Error::bad_field(
            field,
            format!(
                "{field}: {value:?} is not a valid name: use at most {max} lowercase letters, digits and '-', starting and ending with a letter or digit"
            ),
        ))
    }
}

fn label_name_part(part: &str) -> bool {
    !part.is_empty()
        && part.len() <= 63
        && part
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        && part.as_bytes()[0].is_ascii_alphanumeric()
        && part.as_bytes()[part.len() - 1].is_ascii_alphanumeric()
}

fn dns_subdomain(value: &str) -> bool {
    !value.is_empty()
        && value.len() <= 253
        && value.split('.').all(|l| {
            !l.is_empty()
                && l.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        })
}

/// Kubernetes label keys (`[prefix/]name`) and values.
pub fn labels(field: &str, labels: &BTreeMap<String, String>) -> Result<()> {
    for (key, value) in labels {
        let key_ok = match key.split_once('/') {
            Some((prefix, name)) => dns_subdomain(prefix) && label_name_part(name),
            None => label_name_part(key),
        };
        if !key_ok {
            return Err(Error::bad_field(
                field,
                format!("{field}: {key:?} is not a valid label key"),
            ));
        }
        if !(value.is_empty() || label_name_part(value)) {
            return Err(Error::bad_field(
                field,
                format!("{field}: {value:?} is not a valid value for label {key:?}"),
            ));
        }
    }
    Ok(())
}

/// A Kubernetes resource quantity (`500m`, `2`, `1.5Gi`, `1e3`).
pub fn quantity(field: &str, value: &str) -> Result<()> {
    if is_quantity(value) {
        Ok(())
    } else {
        Err(Error::bad_field(
            field,
            format!("{field}: {value:?} is not a valid quantity (e.g. 500m, 2, 4Gi)"),
        ))
    }
}

fn is_quantity(value: &str) -> bool {
    let s = value.strip_prefix(['+', '-']).unwrap_or(value);
    let number_end = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(s.len());
    let (number, suffix) = s.split_at(number_end);
    let digits = number.replace('.', "");
    if digits.is_empty() || number.matches('.').count() > 1 {
        return false;
    }
    const SUFFIXES: [&str; 16] = [
        "", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei", "n", "u", "m", "k", "M", "G", "T", "P", "E",
    ];
    if SUFFIXES.contains(&suffix) {
        return true;
    }
    // Decimal exponent: e or E, optional sign, digits.
    let Some(exponent) = suffix.strip_prefix(['e', 'E']) else {
        return false;
    };
    let exponent = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
    !exponent.is_empty() && exponent.bytes().all(|b| b.is_ascii_digit())
}

/// A map of resource names to quantities (quotas, limits).
pub fn resource_map(field: &str, map: &BTreeMap<String, String>) -> Result<()> {
    for (resource, value) in map {
        let name_ok = match resource.split_once('/') {
            Some((prefix, name)) => dns_subdomain(prefix) && label_name_part(name),
            None => label_name_part(resource),
        };
        if !name_ok {
            return Err(Error::bad_field(
                field,
                format!("{field}: {resource:?} is not a valid resource name"),
            ));
        }
        quantity(&format!("{field}.{resource}"), value)?;
    }
    Ok(())
}

/// An absolute https URL (capsule-proxy endpoints).
pub fn https_url(field: &str, value: &str) -> Result<String> {
    let url = url::Url::parse(value.trim())
        .map_err(|_| Error::bad_field(field, format!("{field}: {value:?} is not a valid URL")))?;
    if url.scheme() != "https" && url.scheme() != "http" {
        return Err(Error::bad_field(
            field,
            format!("{field}: use an https:// URL"),
        ));
    }
    if url.host_str().is_none() {
        return Err(Error::bad_field(
            field,
            format!("{field}: the URL has no host"),
        ));
    }
    Ok(value.trim().trim_end_matches('/').to_string())
}

/// A PEM CA bundle, given as PEM or as base64 of PEM; returns the PEM.
pub fn ca_bundle(field: &str, value: &str) -> Result<String> {
    use base64::Engine;
    let text = value.trim();
    let pem = if text.starts_with("-----BEGIN") {
        text.to_string()
    } else {
        let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        base64::engine::general_purpose::STANDARD
            .decode(compact)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .ok_or_else(|| Error::bad_field(field, format!("{field}: not PEM nor base64 of PEM")))?
    };
    if !pem.contains("-----BEGIN CERTIFICATE-----") {
        return Err(Error::bad_field(
            field,
            format!("{field}: expected a PEM certificate"),
        ));
    }
    Ok(pem)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities() {
        for ok in [
            "1", "500m", "2Gi", "1.5", "0.5Ki", "1e3", "1E-2", "+3", "10M",
        ] {
            assert!(is_quantity(ok), "{ok}");
        }
        for bad in ["", "Gi", "1.2.3", "two", "1GB", "1e", "1 Gi", "-", "1ki"] {
            assert!(!is_quantity(bad), "{bad}");
        }
    }

    #[test]
    fn names_and_labels() {
        assert!(dns_label("n", "acme-1", 63).is_ok());
        for bad in ["", "Acme", "-a", "a-", "a_b", &"a".repeat(64)] {
            assert!(dns_label("n", bad, 63).is_err(), "{bad}");
        }
        let good: BTreeMap<String, String> = [
            ("env".into(), "prod".into()),
            ("example.com/tier".into(), "".into()),
        ]
        .into();
        assert!(labels("l", &good).is_ok());
        let bad: BTreeMap<String, String> = [("bad key".into(), "x".into())].into();
        assert!(labels("l", &bad).is_err());
        let bad_value: BTreeMap<String, String> = [("k".into(), "-x".into())].into();
        assert!(labels("l", &bad_value).is_err());
    }
}
