//! Schema extensions that every request passes through, over HTTP and WebSocket alike.

use std::sync::Arc;
use std::time::Instant;

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextParseQuery, NextPrepareRequest, NextRequest,
    NextSubscribe,
};
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{Request, Response, ServerError, ServerResult, Value, Variables};
use futures::StreamExt;
use futures::stream::BoxStream;
use parking_lot::Mutex;

use crate::error::ErrorCode;
use crate::metrics::Metrics;

/// Gives every error an `extensions.code`: errors raised by async-graphql itself (parse,
/// validation, limits, input coercion) carry none.
pub struct ErrorCodes;

impl ExtensionFactory for ErrorCodes {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(ErrorCodesExtension)
    }
}

struct ErrorCodesExtension;

#[async_trait::async_trait]
impl Extension for ErrorCodesExtension {
    async fn request(&self, ctx: &ExtensionContext<'_>, next: NextRequest<'_>) -> Response {
        let mut response = next.run(ctx).await;
        for error in &mut response.errors {
            assign_code(error);
        }
        response
    }

    /// Operations over WebSocket (subscriptions, and queries sent there) skip `request`.
    fn subscribe<'s>(
        &self,
        ctx: &ExtensionContext<'_>,
        stream: BoxStream<'s, Response>,
        next: NextSubscribe<'_>,
    ) -> BoxStream<'s, Response> {
        next.run(ctx, stream)
            .map(|mut response| {
                for error in &mut response.errors {
                    assign_code(error);
                }
                response
            })
            .boxed()
    }
}

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

/// Counts and times requests per operation name and outcome.
pub struct RequestMetrics {
    metrics: Arc<Metrics>,
}

impl RequestMetrics {
    pub fn new(metrics: Arc<Metrics>) -> Self {
        Self { metrics }
    }
}

impl ExtensionFactory for RequestMetrics {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(RequestMetricsExtension {
            metrics: self.metrics.clone(),
            operation: Mutex::new(None),
        })
    }
}

struct RequestMetricsExtension {
    metrics: Arc<Metrics>,
    operation: Mutex<Option<String>>,
}

#[async_trait::async_trait]
impl Extension for RequestMetricsExtension {
    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        *self.operation.lock() = request.operation_name.clone();
        next.run(ctx, request).await
    }

    async fn request(&self, ctx: &ExtensionContext<'_>, next: NextRequest<'_>) -> Response {
        let started = Instant::now();
        let response = next.run(ctx).await;
        let outcome = response
            .errors
            .first()
            .map(|e| {
                e.extensions
                    .as_ref()
                    .and_then(|x| x.get("code"))
                    .and_then(|v| match v {
                        Value::String(s) => Some(s.clone()),
                        _ => None,
                    })
                    .unwrap_or_else(|| ErrorCode::BadUserInput.as_str().to_string())
            })
            .unwrap_or_else(|| "ok".to_string());
        let operation = self.operation.lock().clone();
        self.metrics
            .observe_request(operation.as_deref(), &outcome, started.elapsed());
        response
    }
}

/// Refuses introspection with a clear FORBIDDEN error when it is switched off; async-graphql's
/// own switch silently answers `null`, which clients mistake for an empty schema.
pub struct IntrospectionGuard;

impl ExtensionFactory for IntrospectionGuard {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(IntrospectionGuard)
    }
}

#[async_trait::async_trait]
impl Extension for IntrospectionGuard {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let document = next.run(ctx, query, variables).await?;
        if asks_for_introspection(&document) {
            let mut error = ServerError::new(
                "introspection is disabled on this server; ask its operator for schema.graphql",
                None,
            );
            error
                .extensions
                .get_or_insert_with(Default::default)
                .set("code", Value::from(ErrorCode::Forbidden.as_str()));
            return Err(error);
        }
        Ok(document)
    }
}

fn asks_for_introspection(document: &ExecutableDocument) -> bool {
    document
        .operations
        .iter()
        .any(|(_, op)| selects_introspection(&op.node.selection_set.node))
        || document
            .fragments
            .values()
            .any(|f| selects_introspection(&f.node.selection_set.node))
}

fn selects_introspection(set: &SelectionSet) -> bool {
    set.items.iter().any(|item| match &item.node {
        Selection::Field(field) => {
            let name = field.node.name.node.as_str();
            name == "__schema"
                || name == "__type"
                || selects_introspection(&field.node.selection_set.node)
        }
        Selection::InlineFragment(fragment) => {
            selects_introspection(&fragment.node.selection_set.node)
        }
        Selection::FragmentSpread(_) => false,
    })
}
