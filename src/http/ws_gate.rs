//! What the WebSocket layer checks on each client message before async-graphql sees it, and
//! what it learns from each server message: the per-connection subscription limit, the rate
//! limit, and the protocol state (acknowledged, rejected).

use std::collections::HashSet;
use std::sync::Arc;

use async_graphql::http::WebSocketProtocols;
use parking_lot::Mutex;
use serde::Deserialize;
use serde_json::json;
use tokio::sync::mpsc;

use crate::auth::Principal;
use crate::auth::rate_limit::RateLimiter;
use crate::error::ErrorCode;
use crate::live::{CloseReason, LiveMetrics};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Hand the message to the protocol.
    Pass,
    /// Answered here (with an error for that operation id); the protocol never sees it.
    Refused,
}

#[derive(Deserialize)]
struct Head {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    id: Option<String>,
}

#[derive(Default)]
struct ConnState {
    acked: bool,
    auth_failed: bool,
    limit_key: String,
    /// Operation ids running now.
    active: HashSet<String>,
}

pub struct Gate {
    protocol: WebSocketProtocols,
    max_operations: usize,
    rate_limiter: Arc<RateLimiter>,
    metrics: LiveMetrics,
    replies: mpsc::Sender<String>,
    state: Mutex<ConnState>,
}

impl Gate {
    pub fn new(
        protocol: WebSocketProtocols,
        max_operations: usize,
        rate_limiter: Arc<RateLimiter>,
        metrics: LiveMetrics,
        replies: mpsc::Sender<String>,
        anonymous_key: String,
    ) -> Self {
        Self {
            protocol,
            max_operations,
            rate_limiter,
            metrics,
            replies,
            state: Mutex::new(ConnState {
                limit_key: anonymous_key,
                ..ConnState::default()
            }),
        }
    }

    pub fn acked(&self) -> bool {
        self.state.lock().acked
    }

    pub fn auth_failed(&self) -> bool {
        self.state.lock().auth_failed
    }

    pub fn set_principal(&self, principal: &Principal) {
        self.state.lock().limit_key = principal.key();
    }

    /// Records a refused `connection_init` and builds its error.
    pub fn reject(&self, message: &str) -> async_graphql::Error {
        self.state.lock().auth_failed = true;
        self.metrics.refused(CloseReason::Unauthenticated);
        async_graphql::Error::new(message.to_string())
    }

    /// A client message: starts of operations count against the limits.
    pub fn admit(&self, data: &[u8]) -> Verdict {
        let Ok(head) = serde_json::from_slice::<Head>(data) else {
            // Malformed: the protocol closes the connection with its own code.
            return Verdict::Pass;
        };
        let id = head.id.unwrap_or_default();
        let mut state = self.state.lock();
        match head.kind.as_str() {
            "subscribe" | "start" if state.acked && !state.active.contains(&id) => {
                if state.active.len() >= self.max_operations {
                    drop(state);
                    self.metrics.refused(CloseReason::SubscriptionLimit);
                    self.refuse(
                        &id,
                        ErrorCode::RateLimited,
                        &format!(
                            "this connection already runs {} operations, the most allowed; \
                             complete one or open another connection",
                            self.max_operations
                        ),
                    );
                    return Verdict::Refused;
                }
                if let Err(e) = self.rate_limiter.check(&state.limit_key) {
                    drop(state);
                    self.metrics.refused(CloseReason::RateLimited);
                    self.refuse(&id, e.code(), &e.to_string());
                    return Verdict::Refused;
                }
                state.active.insert(id);
            }
            "complete" | "stop" => {
                state.active.remove(&id);
            }
            _ => {}
        }
        Verdict::Pass
    }

    /// A server message on its way out: acknowledgements and operation ends.
    pub fn observe(&self, text: &str) {
        // Events are nearly all of the traffic (a thousand per change at fan-out) and change no
        // state: skip parsing them. async-graphql writes the `type` tag first.
        if text.starts_with(r#"{"type":"next""#) || text.starts_with(r#"{"type":"data""#) {
            return;
        }
        let Ok(head) = serde_json::from_str::<Head>(text) else {
            return;
        };
        let mut state = self.state.lock();
        match head.kind.as_str() {
            "connection_ack" => state.acked = true,
            "complete" | "error" => {
                if let Some(id) = head.id {
                    state.active.remove(&id);
                }
            }
            _ => {}
        }
    }

    /// The protocol's keep-alive message.
    pub fn keepalive(&self) -> String {
        match self.protocol {
            WebSocketProtocols::SubscriptionsTransportWS => json!({ "type": "ka" }).to_string(),
            WebSocketProtocols::GraphQLWS => json!({ "type": "ping" }).to_string(),
        }
    }

    fn refuse(&self, id: &str, code: ErrorCode, message: &str) {
        let error = json!({ "message": message, "extensions": { "code": code.as_str() } });
        let payload = match self.protocol {
            WebSocketProtocols::GraphQLWS => json!([error]),
            WebSocketProtocols::SubscriptionsTransportWS => error,
        };
        let reply = json!({ "type": "error", "id": id, "payload": payload }).to_string();
        // A client that floods refused operations without reading loses the extra replies.
        let _ = self.replies.try_send(reply);
    }
}
