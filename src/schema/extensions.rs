//! Schema extensions. Only the introspection guard is one, and only when introspection is off:
//! async-graphql wraps every field in the schema's extensions once there are any, so per-request
//! work (error codes, metrics) lives in `executor` instead.

use std::sync::Arc;

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery};
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{ServerError, ServerResult, Value, Variables};

use crate::error::ErrorCode;

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
