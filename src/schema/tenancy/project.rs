//! `Project`: a tenant's namespace in its cluster, with labels and access members.

use std::sync::Arc;

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::tenant::{Tenant, visible_tenant};
use super::{LabelInput, label_map, labels_out, node_id, principal, row_id, tenancy};
use crate::config::LimitsConfig;
use crate::error::{Error, Result};
use crate::schema::cluster::Label;
use crate::schema::pagination::{KeyPart, Page, PageArgs, SortKey, paginate};
use crate::store::tenancy::projects::{MemberRecord, Model as ProjectRow};
use crate::store::tenancy::tenants::Model as TenantRow;
use crate::tenancy::Access;
use crate::tenancy::audit::audited;
use crate::tenancy::errors::KnResultExt;
use crate::tenancy::project_access;
use crate::tenancy::projects::{self, CreateProject};
use crate::tenancy::tenants::tenant_ref;

pub const TYPE_NAME: &str = "Project";

#[derive(Clone)]
pub struct Project(pub Arc<ProjectRow>);

/// A member of a project: a Kubernetes user and the project role it holds.
#[derive(SimpleObject, Clone)]
pub struct ProjectMember {
    pub subject: String,
    /// `tenantOwner`, `projectDev` or `readOnly`.
    pub role: String,
}

#[Object]
impl Project {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        node_id(TYPE_NAME, self.0.id)
    }
    /// The store id (lowercase UUID).
    async fn uid(&self) -> String {
        self.0.id.to_string()
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The project's namespace in the tenant's cluster (`tn-<tenant>-app-<project>`).
    async fn namespace(&self) -> &str {
        &self.0.namespace
    }
    async fn tenant(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Tenant>> {
        let t = tenancy(ctx).kn()?;
        Ok(t.store
            .tenant(self.0.tenant_id)
            .await
            .kn()?
            .map(|r| Tenant(Arc::new(r))))
    }
    /// The project's own labels (fleetgraph's labels on the namespace are not listed).
    async fn labels(&self) -> Vec<Label> {
        labels_out(&self.0.labels())
    }
    /// Access members, by subject then role.
    async fn members(&self) -> Vec<ProjectMember> {
        let mut members = self.0.members();
        members.sort();
        members
            .into_iter()
            .map(|m| ProjectMember {
                subject: m.subject,
                role: m.role,
            })
            .collect()
    }
    /// The project's apps, by name (then id).
    async fn apps(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Page<crate::schema::app::App>> {
        let args = PageArgs::new(after, before, first, last);
        crate::schema::app::project_apps(ctx, self.0.id, args).await
    }
    /// Quota usage of the project namespace over `range` (`1h`, `24h` (default), `7d`, `30d`).
    async fn usage(
        &self,
        ctx: &Context<'_>,
        range: Option<String>,
    ) -> async_graphql::Result<super::usage::Usage> {
        let t = tenancy(ctx).kn()?;
        let range = super::usage::parse_range(range).kn()?;
        let now = Utc::now();
        let aggregates = crate::tenancy::usage::of_project(t, &self.0, range, now)
            .await
            .kn()?;
        Ok(super::usage::usage_out(range, now, aggregates))
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// A tenant's projects the caller may see, as a page by name (then id).
pub async fn project_page(
    ctx: &Context<'_>,
    tenant: &TenantRow,
    args: PageArgs,
) -> Result<Page<Project>> {
    let t = tenancy(ctx)?;
    let principal = principal(ctx);
    let access = Access::new(&principal);
    access.require_caller()?;
    let items = t
        .store
        .projects(Some(tenant.id))
        .await?
        .into_iter()
        .filter(|p| access.sees_project(tenant_ref(tenant), &p.name))
        .map(|p| {
            (
                SortKey::ascending([
                    KeyPart::from(p.name.as_str()),
                    KeyPart::from(p.id.to_string()),
                ]),
                p,
            )
        })
        .collect();
    let limits = ctx
        .data::<LimitsConfig>()
        .map_err(|e| Error::Internal(e.message))?;
    paginate(items, "NAME", &args, limits, |p| Project(Arc::new(p)))
}

pub async fn by_node_id(ctx: &Context<'_>, uuid: &str) -> async_graphql::Result<Option<Project>> {
    let Ok(id) = Uuid::parse_str(uuid) else {
        return Ok(None);
    };
    let t = tenancy(ctx).kn()?;
    let principal = principal(ctx);
    match projects::visible(t, &Access::new(&principal), id).await {
        Ok((_, row)) => Ok(Some(Project(Arc::new(row)))),
        Err(Error::NotFound(_)) => Ok(None),
        Err(e) => Err(e).kn(),
    }
}

#[derive(Default)]
pub struct ProjectQuery;

#[Object]
impl ProjectQuery {
    /// One project (global id or UUID); null when absent or not visible.
    async fn project(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Option<Project>> {
        let uuid = row_id("id", TYPE_NAME, &id).kn()?;
        by_node_id(ctx, &uuid.to_string()).await
    }
}

#[derive(InputObject)]
pub struct CreateProjectInput {
    pub tenant_id: ID,
    /// DNS-1123 label of at most 40 characters, unique in the tenant.
    pub name: String,
    pub labels: Option<Vec<LabelInput>>,
}

#[derive(InputObject)]
pub struct UpdateProjectLabelsInput {
    pub project_id: ID,
    /// Replaces the project's labels; empty removes them.
    pub labels: Vec<LabelInput>,
}

#[derive(InputObject)]
pub struct ProjectMemberInput {
    /// A Kubernetes user name.
    pub subject: String,
    /// `tenantOwner`, `projectDev` or `readOnly`.
    pub role: String,
}

#[derive(InputObject)]
pub struct SetProjectAccessInput {
    pub project_id: ID,
    /// Replaces all members; empty removes every binding.
    pub members: Vec<ProjectMemberInput>,
}

#[derive(InputObject)]
pub struct DeleteProjectInput {
    pub id: ID,
}

#[derive(SimpleObject)]
pub struct ProjectPayload {
    pub project: Project,
}

#[derive(SimpleObject)]
pub struct DeleteProjectPayload {
    pub deleted_project_id: ID,
    /// Objects removed from the cluster (or already gone), as `Kind/name`.
    pub removed: Vec<String>,
}

#[derive(Default)]
pub struct ProjectMutation;

#[Object]
impl ProjectMutation {
    /// Creates a project and its namespace (admin, ops, tenantOwner of the tenant).
    async fn create_project(
        &self,
        ctx: &Context<'_>,
        input: CreateProjectInput,
    ) -> async_graphql::Result<ProjectPayload> {
        let t = tenancy(ctx).kn()?;
        let principal = principal(ctx);
        let access = Access::new(&principal);
        let target = format!("tenant/{}/project/{}", input.tenant_id.as_str(), input.name);
        let row = audited(&t.store, &principal, "createProject", target, async {
            let tenant_id = row_id("input.tenantId", super::tenant::TYPE_NAME, &input.tenant_id)?;
            let labels = label_map("input.labels", input.labels)?;
            let tenant = visible_tenant(t, &access, tenant_id).await?;
            let create = CreateProject {
                name: input.name,
                labels,
            };
            projects::create(t, &access, &tenant, create).await
        })
        .await
        .kn()?;
        Ok(ProjectPayload {
            project: Project(Arc::new(row)),
        })
    }

    /// Replaces a project's labels, on its namespace too (projectDev of the project and up).
    async fn update_project_labels(
        &self,
        ctx: &Context<'_>,
        input: UpdateProjectLabelsInput,
    ) -> async_graphql::Result<ProjectPayload> {
        let t = tenancy(ctx).kn()?;
        let principal = principal(ctx);
        let access = Access::new(&principal);
        let target = format!("project/{}", input.project_id.as_str());
        let row = audited(&t.store, &principal, "updateProjectLabels", target, async {
            let id = row_id("input.projectId", TYPE_NAME, &input.project_id)?;
            let labels = label_map("input.labels", Some(input.labels))?;
            let (tenant, project) = projects::visible(t, &access, id).await?;
            projects::update_labels(t, &access, &tenant, &project, labels).await
        })
        .await
        .kn()?;
        Ok(ProjectPayload {
            project: Project(Arc::new(row)),
        })
    }

    /// Replaces the members: per role a Role with the role's verbs and a RoleBinding to its
    /// users in the project namespace (admin, ops, tenantOwner of the tenant).
    async fn set_project_access(
        &self,
        ctx: &Context<'_>,
        input: SetProjectAccessInput,
    ) -> async_graphql::Result<ProjectPayload> {
        let t = tenancy(ctx).kn()?;
        let principal = principal(ctx);
        let access = Access::new(&principal);
        let target = format!("project/{}", input.project_id.as_str());
        let row = audited(&t.store, &principal, "setProjectAccess", target, async {
            let id = row_id("input.projectId", TYPE_NAME, &input.project_id)?;
            let (tenant, project) = projects::visible(t, &access, id).await?;
            let members = input
                .members
                .into_iter()
                .map(|m| MemberRecord {
                    subject: m.subject,
                    role: m.role,
                })
                .collect();
            project_access::set(t, &access, &tenant, &project, members).await
        })
        .await
        .kn()?;
        Ok(ProjectPayload {
            project: Project(Arc::new(row)),
        })
    }

    /// Deletes the project's namespace with everything inside, then the project (admin, ops,
    /// tenantOwner of the tenant).
    async fn delete_project(
        &self,
        ctx: &Context<'_>,
        input: DeleteProjectInput,
    ) -> async_graphql::Result<DeleteProjectPayload> {
        let t = tenancy(ctx).kn()?;
        let principal = principal(ctx);
        let access = Access::new(&principal);
        let target = format!("project/{}", input.id.as_str());
        let (id, report) = audited(&t.store, &principal, "deleteProject", target, async {
            let id = row_id("input.id", TYPE_NAME, &input.id)?;
            let (tenant, project) = projects::visible(t, &access, id).await?;
            Ok((id, projects::delete(t, &access, &tenant, &project).await?))
        })
        .await
        .kn()?;
        Ok(DeleteProjectPayload {
            deleted_project_id: node_id(TYPE_NAME, id),
            removed: report.removed,
        })
    }
}
