//! The one error type of the server and its mapping to GraphQL error codes (graph.md §2).
//!
//! Every error a client sees carries `extensions.code` from [`ErrorCode`]; messages say what to
//! do next. Library layers (store, fleet cache, auth) return [`Error`]; resolvers pass it on.

use async_graphql::ErrorExtensions;

/// The closed set of `extensions.code` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    Unauthenticated,
    Forbidden,
    NotFound,
    BadUserInput,
    Conflict,
    Unavailable,
    RateLimited,
    QueryTooComplex,
    Internal,
}

impl ErrorCode {
    pub const ALL: [ErrorCode; 9] = [
        ErrorCode::Unauthenticated,
        ErrorCode::Forbidden,
        ErrorCode::NotFound,
        ErrorCode::BadUserInput,
        ErrorCode::Conflict,
        ErrorCode::Unavailable,
        ErrorCode::RateLimited,
        ErrorCode::QueryTooComplex,
        ErrorCode::Internal,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Unauthenticated => "UNAUTHENTICATED",
            ErrorCode::Forbidden => "FORBIDDEN",
            ErrorCode::NotFound => "NOT_FOUND",
            ErrorCode::BadUserInput => "BAD_USER_INPUT",
            ErrorCode::Conflict => "CONFLICT",
            ErrorCode::Unavailable => "UNAVAILABLE",
            ErrorCode::RateLimited => "RATE_LIMITED",
            ErrorCode::QueryTooComplex => "QUERY_TOO_COMPLEX",
            ErrorCode::Internal => "INTERNAL",
        }
    }

    pub fn parse(code: &str) -> Option<ErrorCode> {
        Self::ALL.into_iter().find(|c| c.as_str() == code)
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Every failure the server reports.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Unauthenticated(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{message}")]
    BadUserInput {
        message: String,
        /// The input field at fault, e.g. `input.name`.
        field: Option<String>,
    },
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Unavailable(String),
    #[error("{0}")]
    RateLimited(String),
    #[error("{0}")]
    QueryTooComplex(String),
    #[error("database error: {0}")]
    Database(#[from] sea_orm::DbErr),
    #[error("{0}")]
    Internal(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn bad_input(message: impl Into<String>) -> Self {
        Error::BadUserInput {
            message: message.into(),
            field: None,
        }
    }

    pub fn bad_field(field: impl Into<String>, message: impl Into<String>) -> Self {
        Error::BadUserInput {
            message: message.into(),
            field: Some(field.into()),
        }
    }

    pub fn code(&self) -> ErrorCode {
        match self {
            Error::Unauthenticated(_) => ErrorCode::Unauthenticated,
            Error::Forbidden(_) => ErrorCode::Forbidden,
            Error::NotFound(_) => ErrorCode::NotFound,
            Error::BadUserInput { .. } => ErrorCode::BadUserInput,
            Error::Conflict(_) => ErrorCode::Conflict,
            Error::Unavailable(_) => ErrorCode::Unavailable,
            Error::RateLimited(_) => ErrorCode::RateLimited,
            Error::QueryTooComplex(_) => ErrorCode::QueryTooComplex,
            Error::Database(_) | Error::Internal(_) => ErrorCode::Internal,
        }
    }

    /// The message shown to clients. Internal details (SQL, stack) stay in the logs.
    fn public_message(&self) -> String {
        match self {
            Error::Database(_) | Error::Internal(_) => {
                "internal error; the server log has the details".to_string()
            }
            other => other.to_string(),
        }
    }
}

impl ErrorExtensions for Error {
    fn extend(&self) -> async_graphql::Error {
        if self.code() == ErrorCode::Internal {
            tracing::error!(error = %self, "internal error");
        }
        async_graphql::Error::new(self.public_message()).extend_with(|_, e| {
            e.set("code", self.code().as_str());
            if let Error::BadUserInput {
                field: Some(field), ..
            } = self
            {
                e.set("field", field.as_str());
            }
        })
    }
}

/// Converts store / cache / auth results for resolvers, keeping `extensions.code`.
///
/// async-graphql converts any `Display` error with `?`, which would drop the code: resolvers
/// call `.gql()?` instead.
pub trait ResultExt<T> {
    fn gql(self) -> async_graphql::Result<T>;
}

impl<T> ResultExt<T> for Result<T> {
    fn gql(self) -> async_graphql::Result<T> {
        self.map_err(|e| e.extend())
    }
}

/// A GraphQL-shaped error body for failures that happen before GraphQL execution
/// (malformed body, wrong content type, oversized request, timeout).
pub fn graphql_error_body(code: ErrorCode, message: &str) -> serde_json::Value {
    serde_json::json!({
        "data": null,
        "errors": [{ "message": message, "extensions": { "code": code.as_str() } }]
    })
}
