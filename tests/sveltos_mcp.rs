//! MCP diagnostics over HTTP: the server proxies to a real MCP server (rmcp over streamable
//! HTTP, started here) with the arguments upstream sends, returns UNAVAILABLE when none is
//! configured or it cannot be reached, and INTERNAL when a tool reports an error.

mod common;

use std::sync::{Arc, Mutex};

use common::fleet::{self, FleetWorld};
use common::server::error_codes;
use fleetgraph::fleet::generator::{FleetSpec, generate};
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, ServerCapabilities,
    ServerConfig,
};
use rmcp::service::RequestContext;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use rmcp::{ErrorData, RoleServer, ServerHandler};
use serde_json::{Value, json};

/// Every call the MCP server received: tool name and arguments.
type Calls = Arc<Mutex<Vec<(String, Value)>>>;

#[derive(Clone)]
struct SveltosMcp {
    calls: Calls,
}

impl ServerHandler for SveltosMcp {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let arguments = Value::Object(request.arguments.clone().unwrap_or_default());
        self.calls
            .lock()
            .unwrap()
            .push((request.name.to_string(), arguments.clone()));
        let result = match request.name.as_ref() {
            "installation_status" => CallToolResult::structured(json!({
                "is_correctly_installed": false,
                "details": ["addon-controller is not running"],
            })),
            "list_deployement_errors" => CallToolResult::structured(json!({
                "failedProfiles": [{
                    "profileName": "deploy-kyverno", "profileKind": "ClusterProfile",
                    "isSuccessful": false, "causes": ["chart not found"],
                }],
            })),
            "analyze_profile_deployment" => CallToolResult::structured(json!({
                "profileName": arguments["profileRef"]["name"],
                "profileKind": arguments["profileRef"]["kind"],
                "isSuccessful": true,
                "causes": null,
            })),
            "analyze_event_deployment_pipeline" => CallToolResult::structured(json!({
                "issues": [format!("no EventReport for {}", arguments["eventTriggerName"].as_str().unwrap_or_default())],
            })),
            "analyze_classifier_pipeline" if arguments["classifierName"] == "broken" => {
                CallToolResult::error(vec![ContentBlock::text("classifier broken is invalid")])
            }
            "analyze_classifier_pipeline" => CallToolResult::structured(json!({"issues": null})),
            _ => CallToolResult::error(vec![ContentBlock::text("unknown tool")]),
        };
        Ok(result.into())
    }
}

/// A Sveltos-like MCP server on an ephemeral port; its URL and the calls it records.
async fn mcp_server() -> (String, Calls) {
    let calls: Calls = Arc::default();
    let handler = SveltosMcp {
        calls: calls.clone(),
    };
    let service: StreamableHttpService<SveltosMcp, LocalSessionManager> =
        StreamableHttpService::new(
            move || Ok(handler.clone()),
            Default::default(),
            StreamableHttpServerConfig::default(),
        );
    let router = axum::Router::new().nest_service("/mcp", service);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    (format!("http://{addr}/mcp"), calls)
}

const CLUSTER_DIAGNOSTICS: &str = r#"query($ns: String!, $name: String!) {
  clusters(filter: {namespace: $ns, name: $name, kind: SVELTOS}) { edges { node { namespace name
    diagnostics {
      deploymentErrors { profileName profileKind isSuccessful causes }
      profileDeployment(profile: {kind: CLUSTER_PROFILE, name: "deploy-kyverno"}) { profileName profileKind isSuccessful causes }
      eventPipelineIssues(eventTrigger: "et-000")
      classifierPipelineIssues(classifier: "cl-000")
    } } } } }"#;

async fn world(mcp_url: Option<String>) -> FleetWorld {
    fleet::start(generate(&FleetSpec::small(61)), move |c| {
        c.auth.auth_disabled = true;
        c.kube.sveltos_mcp_url = mcp_url;
        c.kube.sveltos_mcp_timeout_secs = 10;
    })
    .await
}

fn a_cluster(world: &FleetWorld) -> (String, String) {
    let c = world.of_kind("SveltosCluster")[0];
    (
        c["metadata"]["namespace"].as_str().unwrap().to_string(),
        c["metadata"]["name"].as_str().unwrap().to_string(),
    )
}

#[tokio::test]
async fn diagnostics_are_proxied_to_the_mcp_server() {
    let (url, calls) = mcp_server().await;
    let world = world(Some(url)).await;
    let (ns, name) = a_cluster(&world);

    let body = world
        .server
        .gql("{ sveltosInstallation { isCorrectlyInstalled details } }")
        .await;
    assert_eq!(
        body["data"]["sveltosInstallation"],
        json!({"isCorrectlyInstalled": false, "details": ["addon-controller is not running"]}),
        "{body}"
    );

    let body = world
        .server
        .gql_vars(CLUSTER_DIAGNOSTICS, json!({"ns": ns, "name": name}))
        .await;
    assert!(body.get("errors").is_none(), "{body}");
    let d = &body["data"]["clusters"]["edges"][0]["node"]["diagnostics"];
    assert_eq!(
        d["deploymentErrors"],
        json!([{"profileName": "deploy-kyverno", "profileKind": "ClusterProfile",
                "isSuccessful": false, "causes": ["chart not found"]}])
    );
    assert_eq!(
        d["profileDeployment"],
        json!({"profileName": "deploy-kyverno", "profileKind": "ClusterProfile",
               "isSuccessful": true, "causes": []})
    );
    assert_eq!(
        d["eventPipelineIssues"],
        json!(["no EventReport for et-000"])
    );
    assert_eq!(d["classifierPipelineIssues"], json!([]));

    // The arguments upstream sends: cluster refs with kind and apiVersion.
    let cluster_ref = json!({"namespace": ns, "name": name, "kind": "SveltosCluster",
                             "apiVersion": "lib.projectsveltos.io/v1beta1"});
    let mut recorded = calls.lock().unwrap().clone();
    recorded.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        recorded,
        vec![
            (
                "analyze_classifier_pipeline".to_string(),
                json!({"clusterRef": cluster_ref, "classifierName": "cl-000"})
            ),
            (
                "analyze_event_deployment_pipeline".to_string(),
                json!({"clusterRef": cluster_ref, "eventTriggerName": "et-000"})
            ),
            (
                "analyze_profile_deployment".to_string(),
                json!({"clusterRef": cluster_ref, "profileRef": {"namespace": "", "name": "deploy-kyverno",
                    "kind": "ClusterProfile", "apiVersion": "config.projectsveltos.io/v1beta1"}})
            ),
            ("installation_status".to_string(), json!({})),
            ("list_deployement_errors".to_string(), cluster_ref.clone()),
        ]
    );

    // A tool that reports an error is INTERNAL, the rest of the query still answers.
    let body = world
        .server
        .gql_vars(
            r#"query($ns: String!, $name: String!) {
                clusters(filter: {namespace: $ns, name: $name, kind: SVELTOS}) { edges { node { name
                  diagnostics { classifierPipelineIssues(classifier: "broken") } } } } }"#,
            json!({"ns": ns, "name": name}),
        )
        .await;
    assert_eq!(error_codes(&body), ["INTERNAL"], "{body}");
    assert_eq!(
        body["data"]["clusters"]["edges"][0]["node"]["name"],
        name.as_str()
    );
    world.server.shutdown().await;
}

#[tokio::test]
async fn diagnostics_are_unavailable_without_a_reachable_mcp_server() {
    // Nothing listens on the port of a listener that was bound and dropped.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    for url in [None, Some(format!("http://{closed}/mcp"))] {
        let configured = url.is_some();
        let world = world(url).await;
        let (ns, name) = a_cluster(&world);
        let body = world
            .server
            .gql("{ sveltosInstallation { isCorrectlyInstalled } }")
            .await;
        assert_eq!(error_codes(&body), ["UNAVAILABLE"], "{body}");
        let message = body["errors"][0]["message"].as_str().unwrap();
        if configured {
            assert!(message.contains("unreachable"), "{message}");
        } else {
            assert!(message.contains("--sveltos-mcp-url"), "{message}");
        }
        let body = world
            .server
            .gql_vars(CLUSTER_DIAGNOSTICS, json!({"ns": ns, "name": name}))
            .await;
        let codes = error_codes(&body);
        assert_eq!(codes.len(), 4, "{body}");
        assert!(codes.iter().all(|c| c == "UNAVAILABLE"), "{body}");
        assert_eq!(
            body["data"]["clusters"]["edges"][0]["node"]["name"],
            name.as_str(),
            "the cluster itself still answers"
        );
        world.server.shutdown().await;
    }
}
