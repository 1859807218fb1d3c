//! The string formats of go-openapi's `strfmt.Default` registry that the apiserver checks.
//! Formats it does not know (`int32`, `int64`, `int-or-string`, ...) are not checked.

use base64::Engine;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

pub(crate) fn valid(format: &str, text: &str) -> bool {
    match format {
        "date-time" | "datetime" => is_date_time(text),
        "date" => chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok(),
        "byte" => is_base64(text),
        "uuid" => uuid::Uuid::try_parse(text).is_ok(),
        "ipv4" => text.parse::<Ipv4Addr>().is_ok(),
        "ipv6" => text.parse::<Ipv6Addr>().is_ok(),
        "cidr" => is_cidr(text),
        _ => true,
    }
}

/// Go's `base64.StdEncoding` skips carriage returns and newlines.
fn is_base64(text: &str) -> bool {
    let engine = &base64::engine::general_purpose::STANDARD;
    if text.contains(['\r', '\n']) {
        let joined: String = text.chars().filter(|c| !matches!(c, '\r' | '\n')).collect();
        engine.decode(joined).is_ok()
    } else {
        engine.decode(text).is_ok()
    }
}

/// strfmt accepts RFC 3339 with `T` or `t`, with or without fractional seconds.
fn is_date_time(text: &str) -> bool {
    chrono::DateTime::parse_from_rfc3339(text).is_ok()
        || chrono::DateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f%z").is_ok()
}

fn is_cidr(text: &str) -> bool {
    let Some((ip, bits)) = text.split_once('/') else {
        return false;
    };
    let Ok(bits) = bits.parse::<u8>() else {
        return false;
    };
    match ip.parse::<IpAddr>() {
        Ok(IpAddr::V4(_)) => bits <= 32,
        Ok(IpAddr::V6(_)) => bits <= 128,
        Err(_) => false,
    }
}
