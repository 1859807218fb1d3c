//! MCP diagnostics (sveltos-ui-backend.md §1.14): whether Sveltos is installed correctly, and
//! why deployments, event pipelines or classifier pipelines fail on a cluster — answered by the
//! configured Sveltos MCP server.

use async_graphql::{Context, Object, SimpleObject};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::addons::ProfileKind;
use super::cluster::ProfileKeyInput;
use super::cluster::request_snapshot;
use super::profile::resolve_visible;
use crate::auth::Principal;
use crate::error::{Error, ResultExt};
use crate::fleet::cache::ClusterRef;
use crate::fleet::kinds::CONFIG_API_VERSION;
use crate::mcp::McpDiagnostics;

/// Whether Sveltos is installed correctly on the management cluster.
#[derive(SimpleObject, Debug, Default, Deserialize)]
pub struct InstallationStatus {
    #[serde(default, rename = "is_correctly_installed")]
    pub is_correctly_installed: bool,
    /// What is wrong (or what was checked).
    #[serde(default, deserialize_with = "strings")]
    pub details: Vec<String>,
}

/// Why a profile deploys, or does not, on a cluster.
#[derive(SimpleObject, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileDeploymentAnalysis {
    #[serde(default)]
    pub profile_name: String,
    #[serde(default)]
    pub profile_kind: String,
    #[serde(default)]
    pub is_successful: bool,
    #[serde(default, deserialize_with = "strings")]
    pub causes: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct DeploymentErrors {
    #[serde(default, deserialize_with = "null_list")]
    failed_profiles: Vec<ProfileDeploymentAnalysis>,
}

#[derive(Debug, Default, Deserialize)]
struct PipelineIssues {
    #[serde(default, deserialize_with = "strings")]
    issues: Vec<String>,
}

/// A list of strings where `null` (Go's nil slice) means empty.
fn strings<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    null_list(d)
}

fn null_list<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Vec<T>, D::Error> {
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

fn parse<T: for<'de> Deserialize<'de>>(tool: &str, value: Value) -> crate::error::Result<T> {
    serde_json::from_value(value).map_err(|e| {
        Error::Internal(format!(
            "the Sveltos MCP tool {tool} answered in an unexpected shape: {e}"
        ))
    })
}

fn cluster_ref(cluster: &ClusterRef) -> Value {
    json!({
        "namespace": cluster.namespace,
        "name": cluster.name,
        "kind": cluster.cluster_type.kind(),
        "apiVersion": cluster.cluster_type.api_version(),
    })
}

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

/// Calls `tool` on the configured MCP server.
async fn call(ctx: &Context<'_>, tool: &str, arguments: Value) -> async_graphql::Result<Value> {
    let mcp = ctx.data::<McpDiagnostics>()?;
    mcp.call(tool, object(arguments)).await.gql()
}

/// Diagnostics of one cluster (reached through the cluster, so the caller may see it).
pub struct ClusterDiagnostics(pub ClusterRef);

#[Object]
impl ClusterDiagnostics {
    /// Profiles failing on the cluster, with causes (MCP tool `list_deployement_errors`).
    async fn deployment_errors(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<ProfileDeploymentAnalysis>> {
        let tool = "list_deployement_errors";
        let value = call(ctx, tool, cluster_ref(&self.0)).await?;
        Ok(parse::<DeploymentErrors>(tool, value)
            .gql()?
            .failed_profiles)
    }

    /// Why one profile deploys or fails on the cluster (MCP tool `analyze_profile_deployment`).
    /// FORBIDDEN when the caller may not see the profile.
    async fn profile_deployment(
        &self,
        ctx: &Context<'_>,
        profile: ProfileKeyInput,
    ) -> async_graphql::Result<ProfileDeploymentAnalysis> {
        let id = profile.id("profile").gql()?;
        let snapshot = request_snapshot(ctx)?;
        if let Some(found) = snapshot.profile_index().get(&id).cloned()
            && resolve_visible(ctx, std::iter::once(found))
                .await?
                .is_empty()
        {
            return Err(Error::Forbidden(format!(
                "you may not see {} {}; ask for `get` on it",
                id.kind, id.name
            )))
            .gql();
        }
        let tool = "analyze_profile_deployment";
        let kind = match profile.kind {
            ProfileKind::ClusterProfile => "ClusterProfile",
            ProfileKind::Profile => "Profile",
        };
        let arguments = json!({
            "clusterRef": cluster_ref(&self.0),
            "profileRef": {
                "namespace": id.namespace.clone().unwrap_or_default(),
                "name": id.name,
                "kind": kind,
                "apiVersion": CONFIG_API_VERSION,
            },
        });
        let value = call(ctx, tool, arguments).await?;
        parse(tool, value).gql()
    }

    /// Problems in an EventTrigger's pipeline on the cluster (MCP tool
    /// `analyze_event_deployment_pipeline`); empty when none.
    async fn event_pipeline_issues(
        &self,
        ctx: &Context<'_>,
        event_trigger: String,
    ) -> async_graphql::Result<Vec<String>> {
        let tool = "analyze_event_deployment_pipeline";
        let arguments = json!({
            "clusterRef": cluster_ref(&self.0),
            "eventTriggerName": event_trigger,
        });
        let value = call(ctx, tool, arguments).await?;
        Ok(parse::<PipelineIssues>(tool, value).gql()?.issues)
    }

    /// Problems in a classifier's pipeline on the cluster (MCP tool
    /// `analyze_classifier_pipeline`); empty when none.
    async fn classifier_pipeline_issues(
        &self,
        ctx: &Context<'_>,
        classifier: String,
    ) -> async_graphql::Result<Vec<String>> {
        let tool = "analyze_classifier_pipeline";
        let arguments = json!({
            "clusterRef": cluster_ref(&self.0),
            "classifierName": classifier,
        });
        let value = call(ctx, tool, arguments).await?;
        Ok(parse::<PipelineIssues>(tool, value).gql()?.issues)
    }
}

#[derive(Default)]
pub struct DiagnosticsQuery;

#[Object]
impl DiagnosticsQuery {
    /// Whether Sveltos is installed correctly (MCP tool `installation_status`); any signed-in
    /// caller may ask.
    async fn sveltos_installation(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<InstallationStatus> {
        let principal = ctx.data::<Principal>()?;
        if !principal.is_authenticated() {
            return Err(Error::Unauthenticated(
                "sign in to ask about the installation: send `Authorization: Bearer <token>`"
                    .to_string(),
            ))
            .gql();
        }
        let tool = "installation_status";
        let value = call(ctx, tool, json!({})).await?;
        parse(tool, value).gql()
    }
}
