//! Tenancy errors for clients: the GraphQL code plus KubeNova's `KN-xxx` code as
//! `extensions.legacyCode`, so clients of the legacy API can keep their error handling.

use async_graphql::ErrorExtensions;

use crate::error::{Error, ErrorCode, Result};

/// The KubeNova code of an error (kubenova.md A2 / B1).
pub fn legacy_code(error: &Error) -> &'static str {
    match error.code() {
        ErrorCode::Unauthenticated => "KN-401",
        ErrorCode::Forbidden => "KN-403",
        ErrorCode::NotFound => "KN-404",
        ErrorCode::Conflict => "KN-409",
        ErrorCode::BadUserInput => "KN-422",
        ErrorCode::RateLimited
        | ErrorCode::QueryTooComplex
        | ErrorCode::Unavailable
        | ErrorCode::Internal => "KN-500",
    }
}

pub fn to_gql(error: Error) -> async_graphql::Error {
    let legacy = legacy_code(&error);
    error
        .extend()
        .extend_with(|_, e| e.set("legacyCode", legacy))
}

/// `.kn()?` in tenancy resolvers: like `.gql()?`, with the legacy code added.
pub trait KnResultExt<T> {
    fn kn(self) -> async_graphql::Result<T>;
}

impl<T> KnResultExt<T> for Result<T> {
    fn kn(self) -> async_graphql::Result<T> {
        self.map_err(to_gql)
    }
}
