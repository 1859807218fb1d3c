//! `issueProjectKubeconfig`: a ServiceAccount token kubeconfig for a project namespace.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};

use super::{node_id, principal, row_id, tenancy};
use crate::tenancy::audit::audited;
use crate::tenancy::errors::KnResultExt;
use crate::tenancy::project_kubeconfig::{self, IssueKubeconfig};
use crate::tenancy::{Access, ProjectRole, projects};

#[derive(InputObject)]
pub struct IssueProjectKubeconfigInput {
    pub project_id: ID,
    /// The project role the kubeconfig acts with (default `READ_ONLY`).
    pub role: Option<ProjectRole>,
    /// Token lifetime, 600 to 31536000 seconds (default 3600).
    pub ttl_seconds: Option<i64>,
}

#[derive(SimpleObject)]
pub struct IssueProjectKubeconfigPayload {
    pub project_id: ID,
    /// The kubeconfig (YAML). It holds a bearer token: store it like a password.
    pub kubeconfig: String,
    pub expires_at: DateTime<Utc>,
    pub role: ProjectRole,
    /// The project namespace (the kubeconfig's default namespace).
    pub namespace: String,
    /// The ServiceAccount the token belongs to.
    pub service_account: String,
    /// Where the kubeconfig points: the capsule-proxy URL, else the cluster's API server.
    pub server: String,
}

#[derive(Default)]
pub struct KubeconfigMutation;

#[Object]
impl KubeconfigMutation {
    /// Issues a kubeconfig for a project namespace: a ServiceAccount bound to the role's Role,
    /// with a token from TokenRequest (admin, ops, tenantOwner of the tenant; projectDev of the
    /// project for `PROJECT_DEV` and `READ_ONLY`).
    async fn issue_project_kubeconfig(
        &self,
        ctx: &Context<'_>,
        input: IssueProjectKubeconfigInput,
    ) -> async_graphql::Result<IssueProjectKubeconfigPayload> {
        let t = tenancy(ctx).kn()?;
        let principal = principal(ctx);
        let access = Access::new(&principal);
        let role = input.role.unwrap_or(ProjectRole::ReadOnly);
        let target = format!(
            "project/{}/kubeconfig/{}",
            input.project_id.as_str(),
            role.as_claim()
        );
        let (project_id, issued) = audited(
            &t.store,
            &principal,
            "issueProjectKubeconfig",
            target,
            async {
                let id = row_id(
                    "input.projectId",
                    super::project::TYPE_NAME,
                    &input.project_id,
                )?;
                let (tenant, project) = projects::visible(t, &access, id).await?;
                let request = IssueKubeconfig {
                    role,
                    ttl_seconds: input.ttl_seconds,
                };
                let issued =
                    project_kubeconfig::issue(t, &access, &tenant, &project, request).await?;
                Ok((id, issued))
            },
        )
        .await
        .kn()?;
        Ok(IssueProjectKubeconfigPayload {
            project_id: node_id(super::project::TYPE_NAME, project_id),
            kubeconfig: issued.yaml,
            expires_at: issued.expires_at,
            role: issued.role,
            namespace: issued.namespace,
            service_account: issued.service_account,
            server: issued.server,
        })
    }
}
