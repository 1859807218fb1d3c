//! A real GraphQL-over-WebSocket client (tokio-tungstenite) speaking either protocol.

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::{TcpSocket, TcpStream};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;

/// A guard against a hung test, not an assertion on speed.
const PATIENCE: Duration = Duration::from_secs(60);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protocol {
    /// graphql-transport-ws (the `graphql-ws` library).
    TransportWs,
    /// The legacy subscriptions-transport-ws (subprotocol `graphql-ws`).
    Legacy,
}

impl Protocol {
    pub const BOTH: [Protocol; 2] = [Protocol::TransportWs, Protocol::Legacy];

    fn subprotocol(self) -> &'static str {
        match self {
            Protocol::TransportWs => "graphql-transport-ws",
            Protocol::Legacy => "graphql-ws",
        }
    }
}

/// What the server ended an init or a stream with.
#[derive(Debug, PartialEq)]
pub enum Ending {
    Closed(Option<u16>, String),
    ConnectionError(Value),
}

pub struct WsClient {
    pub socket: WebSocketStream<TcpStream>,
    pub protocol: Protocol,
}

impl WsClient {
    /// Connects to `path` of the server at `base` (http://host:port).
    pub async fn connect(base: &str, path: &str, protocol: Protocol) -> WsClient {
        Self::connect_with_buffer(base, path, protocol, None).await
    }

    /// As [`Self::connect`], with a small socket receive buffer for slow-reader tests.
    pub async fn connect_with_buffer(
        base: &str,
        path: &str,
        protocol: Protocol,
        recv_buffer: Option<u32>,
    ) -> WsClient {
        let url = format!("{}{}", base.replacen("http://", "ws://", 1), path);
        let mut request = url.as_str().into_client_request().expect("ws request");
        request.headers_mut().insert(
            "Sec-WebSocket-Protocol",
            HeaderValue::from_static(protocol.subprotocol()),
        );
        let addr = url::Url::parse(&url)
            .unwrap()
            .socket_addrs(|| None)
            .unwrap()[0];
        let socket = TcpSocket::new_v4().unwrap();
        if let Some(size) = recv_buffer {
            socket.set_recv_buffer_size(size).unwrap();
        }
        let tcp = socket.connect(addr).await.expect("tcp connect");
        let (socket, response) = tokio_tungstenite::client_async(request, tcp)
            .await
            .expect("websocket handshake");
        assert_eq!(
            response
                .headers()
                .get("sec-websocket-protocol")
                .and_then(|v| v.to_str().ok()),
            Some(protocol.subprotocol())
        );
        WsClient { socket, protocol }
    }

    pub async fn send(&mut self, message: Value) {
        self.socket
            .send(Message::Text(message.to_string().into()))
            .await
            .expect("send");
    }

    /// Sends `connection_init`; Ok on `connection_ack`, else how the server refused.
    pub async fn init(&mut self, payload: Value) -> Result<(), Ending> {
        self.send(json!({ "type": "connection_init", "payload": payload }))
            .await;
        loop {
            match self.next_raw().await {
                Ok(message) => match message["type"].as_str() {
                    Some("connection_ack") => return Ok(()),
                    Some("connection_error") => return Err(Ending::ConnectionError(message)),
                    _ => continue,
                },
                Err(ending) => return Err(ending),
            }
        }
    }

    pub async fn subscribe(&mut self, id: &str, query: &str, variables: Value) {
        let kind = match self.protocol {
            Protocol::TransportWs => "subscribe",
            Protocol::Legacy => "start",
        };
        self.send(json!({ "type": kind, "id": id, "payload": { "query": query, "variables": variables } }))
            .await;
    }

    pub async fn complete(&mut self, id: &str) {
        let kind = match self.protocol {
            Protocol::TransportWs => "complete",
            Protocol::Legacy => "stop",
        };
        self.send(json!({ "type": kind, "id": id })).await;
    }

    /// The next JSON message, answering pings and skipping keep-alives; Err when the socket
    /// closes.
    pub async fn next_raw(&mut self) -> Result<Value, Ending> {
        loop {
            let frame = tokio::time::timeout(PATIENCE, self.socket.next())
                .await
                .expect("the server answered in time");
            match frame {
                Some(Ok(Message::Text(text))) => {
                    let value: Value = serde_json::from_str(&text).expect("JSON message");
                    match value["type"].as_str() {
                        Some("ka") => continue,
                        Some("ping") => {
                            self.send(json!({ "type": "pong" })).await;
                            continue;
                        }
                        _ => return Ok(value),
                    }
                }
                Some(Ok(Message::Close(frame))) => {
                    return Err(match frame {
                        Some(f) => Ending::Closed(Some(f.code.into()), f.reason.to_string()),
                        None => Ending::Closed(None, String::new()),
                    });
                }
                Some(Ok(_)) => continue,
                Some(Err(e)) => return Err(Ending::Closed(None, e.to_string())),
                None => return Err(Ending::Closed(None, "stream ended".into())),
            }
        }
    }

    /// The next message of any type other than keep-alives (next/data/error/complete/pong).
    pub async fn next_message(&mut self) -> Value {
        self.next_raw().await.expect("connection open")
    }

    /// The next event's `data` for operation `id`; panics on errors.
    pub async fn next_data(&mut self, id: &str) -> Value {
        loop {
            let message = self.next_message().await;
            if message["id"] != id {
                continue;
            }
            match message["type"].as_str() {
                Some("next") | Some("data") => {
                    let payload = &message["payload"];
                    assert!(payload.get("errors").is_none(), "{message}");
                    return payload["data"].clone();
                }
                _ => panic!("expected an event for {id}, got {message}"),
            }
        }
    }

    /// Reads until the server closes; returns the close code and the data messages read.
    pub async fn read_to_close(&mut self) -> (Option<u16>, usize) {
        let mut data = 0;
        loop {
            match self.next_raw().await {
                Ok(message) if message["type"] == "next" || message["type"] == "data" => data += 1,
                Ok(_) => {}
                Err(Ending::Closed(code, _)) => return (code, data),
                Err(other) => panic!("unexpected ending {other:?}"),
            }
        }
    }
}
