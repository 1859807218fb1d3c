//! GraphQL over WebSocket at `/graphql/ws` (and `/graphql` by upgrade), in both protocols:
//! graphql-transport-ws (`graphql-ws` library) and the legacy subscriptions-transport-ws.
//!
//! async-graphql runs the protocol; this module wraps it with what it lacks: credentials from
//! `connection_init`, an init timeout, server keep-alives, a per-connection subscription limit
//! and the rate limit on every operation, a bounded outgoing buffer that closes a slow reader
//! with 1008 instead of growing, and a 1001 close at shutdown.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use async_graphql::Data;
use async_graphql::http::{WebSocketProtocols, WsMessage};
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, FromRequestParts, RawQuery, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures::{SinkExt, StreamExt};
use tokio::sync::{mpsc, oneshot};

use super::graphql;
use super::ws_gate::{Gate, Verdict};
use crate::auth::sar::SarLoader;
use crate::error::ErrorCode;
use crate::live::{CloseReason, LiveSession};
use crate::state::AppState;

pub const PROTOCOLS: [&str; 2] = ["graphql-transport-ws", "graphql-ws"];

/// How long a client has to send `connection_init`.
const INIT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a close frame may take to go out before the socket is simply dropped.
const CLOSE_GRACE: Duration = Duration::from_secs(5);

/// `GET /graphql`: a WebSocket upgrade, else GraphiQL or a query.
pub async fn get_or_upgrade(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: Request,
) -> Response {
    let (mut parts, _) = request.into_parts();
    let wants_upgrade = parts
        .headers
        .get(header::UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"));
    if wants_upgrade {
        return match WebSocketUpgrade::from_request_parts(&mut parts, &state).await {
            Ok(ws) => upgrade(state, ws, peer),
            Err(rejection) => rejection.into_response(),
        };
    }
    let query = parts.uri.query().map(str::to_string);
    graphql::get(
        State(state),
        ConnectInfo(peer),
        parts.headers,
        RawQuery(query),
    )
    .await
}

/// `GET /graphql/ws`.
pub async fn handler(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    ws: WebSocketUpgrade,
) -> Response {
    upgrade(state, ws, peer)
}

fn upgrade(state: AppState, ws: WebSocketUpgrade, peer: SocketAddr) -> Response {
    let ws = ws
        .protocols(PROTOCOLS)
        .max_message_size(state.limits.max_body_bytes);
    let protocol = match ws.selected_protocol().and_then(|p| p.to_str().ok()) {
        Some("graphql-transport-ws") => WebSocketProtocols::GraphQLWS,
        Some("graphql-ws") => WebSocketProtocols::SubscriptionsTransportWS,
        _ => {
            let body = crate::error::graphql_error_body(
                ErrorCode::BadUserInput,
                "ask for the `graphql-transport-ws` or `graphql-ws` subprotocol \
                 (Sec-WebSocket-Protocol)",
            );
            return (StatusCode::BAD_REQUEST, axum::Json(body)).into_response();
        }
    };
    let tracker = state.live.connections.clone();
    ws.on_upgrade(move |socket| tracker.track_future(serve(state, socket, protocol, peer)))
}

async fn serve(state: AppState, socket: WebSocket, protocol: WebSocketProtocols, peer: SocketAddr) {
    let live = state.live.clone();
    let metrics = live.metrics.clone();
    metrics.connection_opened();
    let (sink, incoming) = socket.split();
    let (replies_tx, mut replies) = mpsc::channel::<String>(32);
    let gate = Arc::new(Gate::new(
        protocol,
        state.limits.max_subscriptions_per_connection,
        state.rate_limiter.clone(),
        metrics.clone(),
        replies_tx,
        format!("anonymous@{}", peer.ip()),
    ));
    let input_gate = gate.clone();
    let input = incoming
        .take_while(|m| std::future::ready(m.is_ok()))
        .filter_map(move |m| {
            let data = match m {
                Ok(Message::Text(text)) => Some(axum::body::Bytes::from(text)),
                Ok(Message::Binary(bytes)) => Some(bytes),
                _ => None,
            };
            std::future::ready(data.filter(|d| input_gate.admit(d) == Verdict::Pass))
        });
    let init = on_connection_init(state.clone(), gate.clone());
    // Boxed so that dropping it ends the connection's subscriptions at once.
    let mut stream = Box::pin(
        async_graphql::http::WebSocket::new(state.schema.clone(), input, protocol)
            .on_connection_init(init),
    );

    let (queue, queued) = mpsc::channel::<Message>(state.limits.subscription_buffer.max(1));
    let (close_tx, close_rx) = oneshot::channel::<Close>();
    let writer = tokio::spawn(write(sink, queued, close_rx));
    let enqueue = |message: String| queue.try_send(Message::Text(message.into())).is_ok();
    let init_deadline = tokio::time::sleep(INIT_TIMEOUT);
    tokio::pin!(init_deadline);
    let mut keepalive = tokio::time::interval(state.limits.ws_keepalive());
    keepalive.reset();

    let close: Option<Close> = loop {
        tokio::select! {
            _ = live.shutdown.cancelled() => {
                metrics.refused(CloseReason::Shutdown);
                break Some(Close::after_queue(1001, "the server is shutting down; reconnect"));
            }
            _ = &mut init_deadline, if !gate.acked() => {
                metrics.refused(CloseReason::InitTimeout);
                break Some(Close::after_queue(4408, "Connection initialisation timeout"));
            }
            _ = keepalive.tick(), if gate.acked() => {
                if !enqueue(gate.keepalive()) {
                    break Some(slow(&metrics, &state));
                }
            }
            Some(reply) = replies.recv() => {
                if !enqueue(reply) {
                    break Some(slow(&metrics, &state));
                }
            }
            message = stream.next() => match message {
                Some(WsMessage::Text(text)) => {
                    gate.observe(&text);
                    if !enqueue(text) {
                        break Some(slow(&metrics, &state));
                    }
                }
                Some(WsMessage::Close(code, reason)) => {
                    let code = if gate.auth_failed() { 4403 } else { code };
                    break Some(Close::after_queue(code, &reason));
                }
                None => {
                    // Legacy protocol: a rejected connection_init ends with `connection_error`.
                    break gate.auth_failed().then(|| Close::after_queue(4403, "Forbidden"));
                }
            },
        }
    };
    // Ends every subscription of the connection.
    drop(stream);
    drop(queue);
    if let Some(close) = close {
        let _ = close_tx.send(close);
    }
    let abort = writer.abort_handle();
    if tokio::time::timeout(CLOSE_GRACE, writer).await.is_err() {
        // The client stopped reading altogether: drop the socket rather than wait on it.
        abort.abort();
    }
    metrics.connection_closed();
}

/// A close frame for the writer, and whether what is queued goes out first.
struct Close {
    code: u16,
    reason: String,
    drain: bool,
}

impl Close {
    fn after_queue(code: u16, reason: &str) -> Self {
        Self {
            code,
            reason: reason.to_string(),
            drain: true,
        }
    }

    fn frame(self) -> Message {
        Message::Close(Some(CloseFrame {
            code: self.code,
            reason: self.reason.into(),
        }))
    }
}

fn slow(metrics: &crate::live::LiveMetrics, state: &AppState) -> Close {
    metrics.refused(CloseReason::SlowConsumer);
    // The backlog is dropped: the close goes out as soon as the socket takes anything.
    Close {
        code: 1008,
        reason: format!(
            "too slow: more than {} messages were waiting to be read",
            state.limits.subscription_buffer
        ),
        drain: false,
    }
}

/// Sends queued messages; a close request goes out next, ahead of whatever is still queued.
async fn write(
    mut sink: futures::stream::SplitSink<WebSocket, Message>,
    mut queued: mpsc::Receiver<Message>,
    mut close: oneshot::Receiver<Close>,
) {
    loop {
        tokio::select! {
            biased;
            request = &mut close => {
                if let Ok(request) = request {
                    if request.drain {
                        while let Ok(message) = queued.try_recv() {
                            if sink.send(message).await.is_err() {
                                return;
                            }
                        }
                    }
                    let _ = sink.send(request.frame()).await;
                }
                let _ = sink.close().await;
                return;
            }
            message = queued.recv() => match message {
                Some(message) => {
                    if send_batch(&mut sink, &mut queued, message).await.is_err() {
                        return;
                    }
                }
                // The connection ended without a close request: flush what is left, then wait
                // for the close request (or its sender to go).
                None => {
                    if let Ok(request) = close.await {
                        let _ = sink.send(request.frame()).await;
                    }
                    let _ = sink.close().await;
                    return;
                }
            },
        }
    }
}

/// Most messages written before one flush: one event fans out to every subscription of a
/// connection at once, and a write (syscall, and a wake-up of the reader) per message cost more
/// than the messages themselves. Bounded so that a close request is not held up for long.
const WRITE_BATCH: usize = 64;

/// Writes `first` and whatever else is already queued (up to [`WRITE_BATCH`]), then flushes once.
async fn send_batch(
    sink: &mut futures::stream::SplitSink<WebSocket, Message>,
    queued: &mut mpsc::Receiver<Message>,
    first: Message,
) -> Result<(), axum::Error> {
    sink.feed(first).await?;
    for _ in 1..WRITE_BATCH {
        match queued.try_recv() {
            Ok(message) => sink.feed(message).await?,
            Err(_) => break,
        }
    }
    sink.flush().await
}

/// Authenticates `connection_init`'s payload with the same authenticator as HTTP requests and
/// sets up the connection's session.
fn on_connection_init(
    state: AppState,
    gate: Arc<Gate>,
) -> impl FnOnce(serde_json::Value) -> futures::future::BoxFuture<'static, async_graphql::Result<Data>>
+ Send
+ 'static {
    move |payload| {
        Box::pin(async move {
            let authorization = credentials(&payload);
            let principal = match state.auth.authenticate(authorization.as_deref()).await {
                Ok(principal) if principal.is_authenticated() => principal,
                Ok(_) => {
                    return Err(gate.reject(
                        "connection_init needs credentials: send a payload like \
                         {\"Authorization\": \"Bearer <token>\"}",
                    ));
                }
                Err(e) => return Err(gate.reject(&e.to_string())),
            };
            gate.set_principal(&principal);
            let mut data = Data::default();
            data.insert(Arc::new(SarLoader::for_request(
                state.access.clone(),
                principal.clone(),
            )));
            data.insert(LiveSession {
                principal: principal.clone(),
                access: state.access.clone(),
                live: state.live.clone(),
            });
            data.insert(principal);
            Ok(data)
        })
    }
}

/// `Authorization` (any case, also under `headers`) or a bare `token` / `authToken`.
fn credentials(payload: &serde_json::Value) -> Option<String> {
    let field = |object: &serde_json::Value, names: &[&str]| -> Option<String> {
        let map = object.as_object()?;
        map.iter()
            .find(|(k, _)| names.iter().any(|n| k.eq_ignore_ascii_case(n)))
            .and_then(|(_, v)| v.as_str())
            .map(str::to_string)
    };
    let header = field(payload, &["authorization"]).or_else(|| {
        payload
            .get("headers")
            .and_then(|h| field(h, &["authorization"]))
    });
    header.or_else(|| field(payload, &["token", "authToken"]).map(|t| format!("Bearer {t}")))
}
