//! `App`: a KubeVela Application fleetgraph manages in a project, with its status, revisions,
//! diff and logs; root fields `app(id)` and `apps(projectId)`.

use std::sync::Arc;

use async_graphql::{Context, ID, Json, Object, SimpleObject};
use chrono::{DateTime, Utc};
use serde_json::Value;

use super::pagination::{KeyPart, Page, PageArgs, SortKey, paginate};
use super::tenancy::{node_id, principal, row_id, rows, tenancy};
use crate::config::LimitsConfig;
use crate::loaders::tenancy_rows::{AppsOfProject, readable_project};
use crate::store::apps::AppRow;
use crate::tenancy::Access;
use crate::tenancy::apps::{self as domain, logs, scope, status, view};
use crate::tenancy::errors::KnResultExt;

pub const TYPE_NAME: &str = "App";

#[derive(Clone)]
pub struct App(pub Arc<AppRow>);

#[derive(SimpleObject, Clone)]
pub struct AppTrait {
    #[graphql(name = "type")]
    pub type_: String,
    pub properties: Json<Value>,
}

#[derive(SimpleObject, Clone)]
pub struct AppComponent {
    pub name: String,
    #[graphql(name = "type")]
    pub type_: String,
    /// `properties.image`, when the component has one.
    pub image: Option<String>,
    pub properties: Json<Value>,
    pub traits: Vec<AppTrait>,
}

#[derive(SimpleObject, Clone)]
pub struct AppPolicy {
    pub name: String,
    #[graphql(name = "type")]
    pub type_: String,
    pub properties: Json<Value>,
}

/// The app as KubeVela reports it on the Application.
#[derive(SimpleObject, Clone)]
pub struct AppStatus {
    /// False when the Application is missing from the cluster.
    pub present: bool,
    /// KubeVela's phase (`status.status`); `pending` before KubeVela reports, `missing` when gone.
    pub phase: String,
    pub healthy: bool,
    /// The workflow is suspended (`status.workflow.suspend`).
    pub suspended: bool,
    pub publish_version: Option<String>,
    pub latest_revision: Option<String>,
    pub workflow: Option<Json<Value>>,
    pub services: Json<Value>,
    pub conditions: Json<Value>,
}

impl From<view::AppStatus> for AppStatus {
    fn from(s: view::AppStatus) -> Self {
        AppStatus {
            present: s.present,
            phase: s.phase,
            healthy: s.healthy,
            suspended: s.suspended,
            publish_version: s.publish_version,
            latest_revision: s.latest_revision,
            workflow: s
                .workflow
                .map(|w| Json(serde_json::to_value(w).unwrap_or_default())),
            services: Json(serde_json::to_value(s.services).unwrap_or_default()),
            conditions: Json(Value::Array(s.conditions)),
        }
    }
}

/// One published revision (oldest first in `revisions`).
#[derive(SimpleObject, Clone)]
pub struct AppRevision {
    pub number: i32,
    /// create, deploy, update-image, set-traits, set-policies or rollback.
    pub action: String,
    pub rolled_back_from: Option<i32>,
    pub publish_version: String,
    pub components: Json<Value>,
    pub policies: Json<Value>,
    /// The Application spec written (policy sets materialised).
    pub application: Json<Value>,
    /// The ApplicationRevision KubeVela made for it, when there is one.
    pub application_revision: Option<String>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

/// One JSON Patch operation from one revision's Application spec to another's.
#[derive(SimpleObject, Clone)]
pub struct AppChange {
    pub op: String,
    pub path: String,
    pub value: Option<Json<Value>>,
    pub from: Option<String>,
}

#[derive(SimpleObject, Clone)]
pub struct AppLogLine {
    pub pod: String,
    pub container: String,
    pub timestamp: Option<DateTime<Utc>>,
    pub message: String,
}

fn components(row: &AppRow) -> Vec<AppComponent> {
    domain::components_of(row)
        .unwrap_or_default()
        .into_iter()
        .map(|c| AppComponent {
            image: c.image().map(str::to_string),
            name: c.name,
            type_: c.type_,
            properties: Json(Value::Object(c.properties)),
            traits: c
                .traits
                .into_iter()
                .map(|t| AppTrait {
                    type_: t.type_,
                    properties: Json(Value::Object(t.properties)),
                })
                .collect(),
        })
        .collect()
}

#[Object]
impl App {
    pub async fn id(&self) -> ID {
        node_id(TYPE_NAME, self.0.id)
    }
    /// The store id (UUID).
    async fn uuid(&self) -> String {
        self.0.id.to_string()
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn namespace(&self) -> &str {
        &self.0.namespace
    }
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    async fn project_id(&self) -> ID {
        node_id("Project", self.0.project_id)
    }
    async fn tenant_id(&self) -> ID {
        node_id("Tenant", self.0.tenant_id)
    }
    /// The revision currently published.
    async fn revision(&self) -> i32 {
        self.0.revision
    }
    async fn components(&self) -> Vec<AppComponent> {
        components(&self.0)
    }
    /// The app's own policies (policy sets are added on publish; see `revisions.application`).
    async fn policies(&self) -> Vec<AppPolicy> {
        domain::policies_of(&self.0)
            .unwrap_or_default()
            .into_iter()
            .map(|p| AppPolicy {
                name: p.name,
                type_: p.type_,
                properties: Json(Value::Object(p.properties)),
            })
            .collect()
    }
    async fn created_by(&self) -> &str {
        &self.0.created_by
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }

    /// From the Application, as the cluster's Application watch holds it (read from the
    /// cluster itself until the watch has synced or has brought fleetgraph's latest write).
    async fn status(&self, ctx: &Context<'_>) -> async_graphql::Result<AppStatus> {
        let t = tenancy(ctx).kn()?;
        let principal = principal(ctx);
        let rows = rows(ctx).kn()?;
        let (_, _, cluster) = readable_project(&rows, &Access::new(&principal), self.0.project_id)
            .await
            .kn()?;
        Ok(status::read(&t.pool, &cluster, &self.0).await.kn()?.into())
    }

    /// Stored revisions, oldest first, matched with KubeVela's ApplicationRevisions.
    async fn revisions(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<AppRevision>> {
        let (_, apps) = handle(ctx, &self.0).await?;
        Ok(apps
            .revisions(&self.0)
            .await
            .kn()?
            .into_iter()
            .map(|r| AppRevision {
                number: r.row.number,
                action: r.row.action,
                rolled_back_from: r.row.rolled_back_from,
                publish_version: r.row.publish_version,
                components: Json(r.row.components),
                policies: Json(r.row.policies),
                application: Json(r.row.application),
                application_revision: r.application_revision,
                created_by: r.row.created_by,
                created_at: r.row.created_at,
            })
            .collect())
    }

    /// The structural difference (RFC 6902 operations) between two revisions.
    async fn diff(
        &self,
        ctx: &Context<'_>,
        from: i32,
        to: i32,
    ) -> async_graphql::Result<Vec<AppChange>> {
        let t = tenancy(ctx).kn()?;
        Ok(domain::diff_revisions(&t.store, &self.0, from, to)
            .await
            .kn()?
            .into_iter()
            .map(|c| AppChange {
                op: c.op,
                path: c.path,
                value: c.value.map(Json),
                from: c.from,
            })
            .collect())
    }

    /// The last `tail` (1..10000, default 200) log lines of a component's pods.
    async fn logs(
        &self,
        ctx: &Context<'_>,
        component: String,
        tail: Option<i32>,
        since_seconds: Option<i32>,
    ) -> async_graphql::Result<Vec<AppLogLine>> {
        let (_, apps) = handle(ctx, &self.0).await?;
        let lines = logs::component_logs(
            &apps.client,
            &self.0,
            &component,
            tail.map(i64::from),
            since_seconds.map(i64::from),
        )
        .await
        .kn()?;
        Ok(lines
            .into_iter()
            .map(|l| AppLogLine {
                pod: l.pod,
                container: l.container,
                timestamp: l.timestamp,
                message: l.message,
            })
            .collect())
    }
}

/// The apps handle for reading an app the caller already sees.
async fn handle<'a>(
    ctx: &Context<'a>,
    row: &AppRow,
) -> async_graphql::Result<(&'a crate::tenancy::Tenancy, domain::Apps<'a>)> {
    let t = tenancy(ctx).kn()?;
    let principal = principal(ctx);
    let access = Access::new(&principal);
    let pctx = scope::project(&t.store, &access, row.project_id, false)
        .await
        .kn()?;
    let apps = scope::apps(t, &pctx, &principal.subject).await.kn()?;
    Ok((t, apps))
}

/// `node(id)` for an App id's UUID part.
pub async fn by_node_id(ctx: &Context<'_>, uuid: &str) -> async_graphql::Result<Option<App>> {
    match uuid::Uuid::parse_str(uuid) {
        Ok(id) => visible_app(ctx, id).await,
        Err(_) => Ok(None),
    }
}

#[derive(Default)]
pub struct AppQuery;

#[Object]
impl AppQuery {
    /// One app by id (global id or UUID); null when absent or not visible.
    async fn app(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Option<App>> {
        let id = row_id("id", TYPE_NAME, &id).kn()?;
        visible_app(ctx, id).await
    }

    /// A project's apps by name.
    async fn apps(
        &self,
        ctx: &Context<'_>,
        project_id: ID,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Page<App>> {
        let principal = principal(ctx);
        let access = Access::new(&principal);
        let project_id = row_id("projectId", "Project", &project_id).kn()?;
        let rows = rows(ctx).kn()?;
        readable_project(&rows, &access, project_id).await.kn()?;
        project_apps(ctx, project_id, PageArgs::new(after, before, first, last)).await
    }
}

/// An app the caller may see; `None` when absent or not visible.
pub async fn visible_app(ctx: &Context<'_>, id: uuid::Uuid) -> async_graphql::Result<Option<App>> {
    let t = tenancy(ctx).kn()?;
    let principal = principal(ctx);
    let access = Access::new(&principal);
    let Some(row) = t.store.app(id).await.kn()? else {
        return Ok(None);
    };
    match scope::project(&t.store, &access, row.project_id, false).await {
        Ok(_) => Ok(Some(App(Arc::new(row)))),
        Err(e) if e.code() == crate::error::ErrorCode::NotFound => Ok(None),
        Err(e) => Err(e).kn(),
    }
}

/// One page of a project's apps, ordered by name then id (for `Project.apps`).
pub async fn project_apps(
    ctx: &Context<'_>,
    project_id: uuid::Uuid,
    args: PageArgs,
) -> async_graphql::Result<Page<App>> {
    let limits = ctx.data::<LimitsConfig>()?;
    let apps = rows(ctx)
        .kn()?
        .load_one(AppsOfProject(project_id))
        .await
        .map_err(|e| crate::error::Error::Internal(e.to_string()))
        .kn()?
        .unwrap_or_default();
    let items = apps
        .iter()
        .cloned()
        .map(|a| {
            (
                SortKey::ascending([
                    KeyPart::from(a.name.as_str()),
                    KeyPart::from(a.id.to_string()),
                ]),
                a,
            )
        })
        .collect();
    paginate(items, "NAME", &args, limits, |a| App(Arc::new(a))).kn()
}
