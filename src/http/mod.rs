//! HTTP endpoints: GraphQL, GraphiQL and its assets, health, readiness, metrics.

pub mod graphiql;
pub mod graphql;
pub mod ops;
pub mod ws;
mod ws_gate;
