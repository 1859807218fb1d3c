//! `/openapi/v2` (Swagger 2.0 JSON) and `/openapi/v3` (index plus one OpenAPI 3.0 document per
//! group-version) generated from the served resources: CRD versions' `openAPIV3Schema`, and
//! k8s-openapi's schemas for built-ins. kubectl reads the v3 documents to decide whether the
//! server validates fields (`fieldValidation` on PATCH), for `kubectl explain`, and (newer
//! versions) for strategic-merge-patch metadata.

mod builtin;
mod documents;
pub mod field_validation;
mod handler;
mod params;
mod paths;
pub mod proto_v2;
mod swagger;

pub use documents::{gv_path, v3_document, v3_index};
pub use handler::serve;
pub use swagger::v2_document;

use serde_json::{Value, json};
use sha2::{Digest, Sha512};

pub(crate) const META: &str = "io.k8s.apimachinery.pkg.apis.meta.v1";

pub(crate) fn schema_ref(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

/// The hash the real server puts in `serverRelativeURL` and `ETag`: SHA-512, upper-case hex.
pub fn content_hash(bytes: &[u8]) -> String {
    Sha512::digest(bytes)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect()
}

#[cfg(test)]
mod tests;
