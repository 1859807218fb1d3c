//! The schema as the HTTP and WebSocket handlers run it: every error leaves with an
//! `extensions.code`, and every HTTP request is counted and timed.
//!
//! This wraps the schema as an `Executor` rather than adding schema extensions because
//! async-graphql routes every field of every request through the extension chain as soon as the
//! schema has one extension, and both jobs here act once per response: as extensions they cost
//! ~7 % of a cluster page (BENCHMARKS.md).

use std::sync::Arc;
use std::time::Instant;

use async_graphql::futures_util::stream::{BoxStream, StreamExt};
use async_graphql::{Data, Executor, Request, Response, ServerError, Value};

use crate::error::ErrorCode;
use crate::metrics::Metrics;
use crate::schema::AppSchema;

/// The schema plus the per-response work every transport needs.
#[derive(Clone)]
pub struct Instrumented {
    schema: AppSchema,
    metrics: Arc<Metrics>,
}

impl Instrumented {
    pub fn new(schema: AppSchema, metrics: Arc<Metrics>) -> Self {
        Self { schema, metrics }
    }
}

impl Executor for Instrumented {
    async fn execute(&self, request: Request) -> Response {
        let operation = request.operation_name.clone();
        let started = Instant::now();
        let mut response = self.schema.execute(request).await;
        assign_codes(&mut response);
        self.metrics
            .observe_request(operation.as_deref(), outcome(&response), started.elapsed());
        response
    }

    /// Every operation sent over WebSocket (queries too) comes through here.
    fn execute_stream(
        &self,
        request: Request,
        session_data: Option<Arc<Data>>,
    ) -> BoxStream<'static, Response> {
        Executor::execute_stream(&self.schema, request, session_data)
            .map(|mut response| {
                assign_codes(&mut response);
                response
            })
            .boxed()
    }
}

fn assign_codes(response: &mut Response) {
    for error in &mut response.errors {
        assign_code(error);
    }
}

/// The first error's code, or `ok`.
fn outcome(response: &Response) -> &str {
    match response.errors.first() {
        None => "ok",
        Some(error) => match error.extensions.as_ref().and_then(|x| x.get("code")) {
            Some(Value::String(code)) => code,
            _ => ErrorCode::BadUserInput.as_str(),
        },
    }
}

/// Errors raised by async-graphql itself (parse, validation, limits, input coercion) carry no
/// code; neither do resolver errors that escaped our error type.
fn assign_code(error: &mut ServerError) {
    let has_code = error
        .extensions
        .as_ref()
        .is_some_and(|e| e.get("code").is_some());
    if has_code {
        return;
    }
    let code = if is_limit_error(&error.message) {
        error.message = format!(
            "{} Ask for fewer nested fields or smaller pages, or split the query.",
            error.message
        );
        ErrorCode::QueryTooComplex
    } else if !error.path.is_empty() && !is_input_error(&error.message) {
        // Raised while resolving a field without a code of ours: a server fault.
        tracing::error!(message = %error.message, "uncoded resolver error");
        ErrorCode::Internal
    } else {
        ErrorCode::BadUserInput
    };
    error
        .extensions
        .get_or_insert_with(Default::default)
        .set("code", Value::from(code.as_str()));
}

/// async-graphql's own messages for arguments that do not fit their type.
fn is_input_error(message: &str) -> bool {
    message.starts_with("Failed to parse") || message.starts_with("Invalid value for argument")
}

fn is_limit_error(message: &str) -> bool {
    message.starts_with("Query is nested too deep") || message.starts_with("Query is too complex")
}
