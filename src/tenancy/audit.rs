//! Every tenancy mutation is recorded with its principal and outcome, success or failure.

use std::future::Future;

use crate::auth::Principal;
use crate::error::{ErrorCode, Result};
use crate::store::Store;
use crate::store::audit::{AuditEntry, Outcome};

/// Runs `operation` and records it under `name` and `target`.
pub async fn audited<T>(
    store: &Store,
    principal: &Principal,
    name: &str,
    target: String,
    operation: impl Future<Output = Result<T>>,
) -> Result<T> {
    let result = operation.await;
    let (outcome, detail) = match &result {
        Ok(_) => (Outcome::Success, None),
        Err(e) => {
            let outcome = match e.code() {
                ErrorCode::BadUserInput
                | ErrorCode::Forbidden
                | ErrorCode::Unauthenticated
                | ErrorCode::NotFound => Outcome::Denied,
                _ => Outcome::Failure,
            };
            (outcome, Some(format!("{}: {e}", e.code())))
        }
    };
    let entry = AuditEntry {
        principal: principal.subject.clone(),
        auth_kind: principal.kind.as_str().to_string(),
        operation: name.to_string(),
        target,
        outcome,
        detail,
    };
    if let Err(e) = store.record_audit(entry).await {
        tracing::error!(operation = name, error = %e, "could not write the audit entry");
    }
    result
}
