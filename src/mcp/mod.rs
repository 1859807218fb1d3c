//! Sveltos MCP diagnostics (decisions.md, Sveltos side, point 9): the graph is an MCP client of
//! the Sveltos MCP server (streamable HTTP, `rmcp`), one session per call as upstream does:
//! initialize, `tools/call`, close. The caller's token is not forwarded; the MCP server acts
//! with its own identity, so the graph checks access before calling.

use std::time::Duration;

use rmcp::ServiceExt;
use rmcp::model::{CallToolRequestParams, ClientCapabilities, ClientConfig, Implementation};
use rmcp::transport::StreamableHttpClientTransport;
use serde_json::{Map, Value};

use crate::error::{Error, Result};

/// The configured MCP server, if any.
#[derive(Clone, Debug)]
pub struct McpDiagnostics {
    url: Option<String>,
    timeout: Duration,
}

impl McpDiagnostics {
    /// A zero `timeout` (settings built without flags) means the 30 s default.
    pub fn new(url: Option<String>, timeout: Duration) -> Self {
        Self {
            url: url.filter(|u| !u.trim().is_empty()),
            timeout: if timeout.is_zero() {
                Duration::from_secs(30)
            } else {
                timeout
            },
        }
    }

    /// Not configured: every diagnostic answers UNAVAILABLE.
    pub fn disabled() -> Self {
        Self::new(None, Duration::from_secs(10))
    }

    /// Calls `tool` and returns its structured result. UNAVAILABLE when no server is configured
    /// or it cannot be reached in time; INTERNAL when the tool reports an error or answers
    /// without structured content (upstream's 503 and 500).
    pub async fn call(&self, tool: &str, arguments: Map<String, Value>) -> Result<Value> {
        let Some(url) = &self.url else {
            return Err(Error::Unavailable(
                "no Sveltos MCP server is configured: start the server with \
                 --sveltos-mcp-url (e.g. http://mcp-server.projectsveltos.svc.cluster.local)"
                    .to_string(),
            ));
        };
        let unreachable = |e: &dyn std::fmt::Display| {
            tracing::warn!(error = %e, url, tool, "MCP server unreachable");
            Error::Unavailable(format!(
                "the Sveltos MCP server at {url} is unreachable; check that it runs and \
                 that --sveltos-mcp-url points at it"
            ))
        };
        let session = async {
            let transport = StreamableHttpClientTransport::from_uri(url.as_str());
            let config = ClientConfig::new(
                ClientCapabilities::default(),
                Implementation::new("fleetgraph", env!("CARGO_PKG_VERSION")),
            );
            let client = config.serve(transport).await.map_err(|e| unreachable(&e))?;
            let params = CallToolRequestParams::new(tool.to_string()).with_arguments(arguments);
            let result = client.call_tool(params).await;
            let _ = client.cancel().await;
            result.map_err(|e| {
                tracing::warn!(error = %e, tool, "MCP tool call failed");
                Error::Internal(format!("the Sveltos MCP tool {tool} failed: {e}"))
            })
        };
        let result = tokio::time::timeout(self.timeout, session)
            .await
            .map_err(|_| unreachable(&"timed out"))??;
        if result.is_error == Some(true) {
            let text = result
                .content
                .iter()
                .filter_map(|c| c.as_text().map(|t| t.text.clone()))
                .collect::<Vec<_>>()
                .join("; ");
            return Err(Error::Internal(format!(
                "the Sveltos MCP tool {tool} reported an error: {text}"
            )));
        }
        result.structured_content.ok_or_else(|| {
            Error::Internal(format!(
                "the Sveltos MCP tool {tool} answered without structured content"
            ))
        })
    }
}
