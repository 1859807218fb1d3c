//! `tenantChanged` and `appStatusChanged`: tenancy changes from the store change bus (every
//! replica hears every write) and app status from a watch on the app's Application.

use std::collections::HashSet;
use std::sync::Arc;

use async_graphql::{Context, Enum, ID, InputObject, Object, Subscription};
use futures::{Stream, StreamExt};
use parking_lot::Mutex;
use uuid::Uuid;

use super::{ChangeKind, session};
use crate::error::Result;
use crate::live::app_status::{self, AppStatusEvent};
use crate::live::tenancy::{Entity, TenancyChange};
use crate::schema::app::{self, App, AppStatus, visible_app};
use crate::schema::tenancy::policy_set::{self, PolicySet};
use crate::schema::tenancy::project::{self, Project};
use crate::schema::tenancy::tenant::{self, Tenant, TenantFilter, TenantMatch};
use crate::schema::tenancy::{node_id, row_id, tenancy};
use crate::store::changes::StoreOp;
use crate::store::tenancy::tenants::Model as TenantRow;
use crate::tenancy::Access;
use crate::tenancy::errors::KnResultExt;

impl From<StoreOp> for ChangeKind {
    fn from(op: StoreOp) -> Self {
        match op {
            StoreOp::Created => ChangeKind::Added,
            StoreOp::Updated => ChangeKind::Updated,
            StoreOp::Deleted => ChangeKind::Removed,
        }
    }
}

/// What a tenancy change is about.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum TenancyEntity {
    Tenant,
    Project,
    PolicySet,
    App,
}

impl From<Entity> for TenancyEntity {
    fn from(e: Entity) -> Self {
        match e {
            Entity::Tenant => TenancyEntity::Tenant,
            Entity::Project => TenancyEntity::Project,
            Entity::PolicySet => TenancyEntity::PolicySet,
            Entity::App => TenancyEntity::App,
        }
    }
}

/// Which tenants' changes to receive. Criteria apply to the tenant a change belongs to; a
/// tenant that matched before a change and no longer does is reported once more.
#[derive(InputObject, Default)]
pub struct TenantChangeFilter {
    /// One tenant (global id or UUID).
    pub tenant_id: Option<ID>,
    /// The same criteria as the `tenants` query.
    pub tenant: Option<TenantFilter>,
    /// Only changes of these kinds of row (all when absent).
    pub entities: Option<Vec<TenancyEntity>>,
}

struct TenantMatcher {
    tenant: Option<Uuid>,
    filter: TenantMatch,
    entities: Option<Vec<TenancyEntity>>,
}

impl TenantMatcher {
    fn new(filter: TenantChangeFilter) -> Result<Self> {
        Ok(Self {
            tenant: filter
                .tenant_id
                .map(|id| row_id("filter.tenantId", tenant::TYPE_NAME, &id))
                .transpose()?,
            filter: TenantMatch::new(filter.tenant.unwrap_or_default())?,
            entities: filter.entities,
        })
    }

    fn matches(&self, row: &TenantRow) -> bool {
        self.tenant.is_none_or(|t| t == row.id) && self.filter.matches(row)
    }

    fn wants(&self, entity: Entity) -> bool {
        self.entities
            .as_ref()
            .is_none_or(|e| e.contains(&entity.into()))
    }
}

/// A tenant, or a project, policy set or app of a tenant, was created, changed or deleted.
pub struct TenantChangedEvent(TenancyChange);

#[Object]
impl TenantChangedEvent {
    async fn change(&self) -> ChangeKind {
        self.0.op.into()
    }

    async fn entity(&self) -> TenancyEntity {
        self.0.entity.into()
    }

    /// The global id of the row that changed (a Tenant, Project, PolicySet or App id).
    async fn id(&self) -> ID {
        let type_name = match self.0.entity {
            Entity::Tenant => tenant::TYPE_NAME,
            Entity::Project => project::TYPE_NAME,
            Entity::PolicySet => policy_set::TYPE_NAME,
            Entity::App => app::TYPE_NAME,
        };
        node_id(type_name, self.0.id)
    }

    /// The row's name (as it last was, for REMOVED).
    async fn name(&self) -> Option<&str> {
        self.0.name.as_deref()
    }

    async fn tenant_id(&self) -> ID {
        node_id(tenant::TYPE_NAME, self.0.tenant_id)
    }

    /// The tenant as it now is; null once it is deleted.
    async fn tenant(&self) -> Option<Tenant> {
        self.0.tenant.clone().map(|t| Tenant(Arc::new(t)))
    }

    /// The project that changed, or the app's project; null when deleted or not visible.
    async fn project(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Project>> {
        let id = match self.0.entity {
            Entity::Project => Some(self.0.id),
            Entity::App => self.0.project_id,
            _ => None,
        };
        match id {
            Some(id) => project::by_node_id(ctx, &id.to_string()).await,
            None => Ok(None),
        }
    }

    /// The policy set that changed; null when deleted or for other changes.
    async fn policy_set(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<PolicySet>> {
        if self.0.entity != Entity::PolicySet || self.0.op == StoreOp::Deleted {
            return Ok(None);
        }
        policy_set::by_node_id(ctx, &self.0.id.to_string()).await
    }

    /// The app that changed; null when deleted or for other changes.
    async fn app(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<App>> {
        if self.0.entity != Entity::App || self.0.op == StoreOp::Deleted {
            return Ok(None);
        }
        visible_app(ctx, self.0.id).await
    }
}

/// An app's status (from its Application) or its revision changed, or it was deleted.
pub struct AppStatusChangedEvent(AppStatusEvent);

#[Object]
impl AppStatusChangedEvent {
    /// UPDATED for a new status or revision, REMOVED once the app is deleted.
    async fn change(&self) -> ChangeKind {
        self.0.op.into()
    }

    /// The app as it now is (as it last was, for REMOVED).
    async fn app(&self) -> App {
        App(Arc::new(self.0.app.clone()))
    }

    /// The status the Application reported with this change.
    async fn status(&self) -> AppStatus {
        self.0.status.clone().into()
    }
}

#[derive(Default)]
pub struct TenancySubscription;

#[Subscription]
impl TenancySubscription {
    /// Tenants the caller may see, and their projects, policy sets and apps, as they are
    /// created, changed or deleted, on this replica or any other sharing the database.
    async fn tenant_changed(
        &self,
        ctx: &Context<'_>,
        filter: Option<TenantChangeFilter>,
    ) -> async_graphql::Result<impl Stream<Item = async_graphql::Result<TenantChangedEvent>>> {
        let session = session(ctx)?;
        let t = tenancy(ctx).kn()?;
        Access::new(&session.principal).require_caller().kn()?;
        let matcher = Arc::new(TenantMatcher::new(filter.unwrap_or_default()).kn()?);
        let initial: HashSet<Uuid> = t
            .store
            .tenants(None)
            .await
            .kn()?
            .iter()
            .filter(|r| matcher.matches(r))
            .map(|r| r.id)
            .collect();
        let matched = Arc::new(Mutex::new(initial));
        let store = t.store.clone();
        let principal = session.principal.clone();
        let metrics = session.live.metrics.clone();
        session
            .store_stream(&t.store, "tenantChanged", move |change| {
                let (store, principal, metrics) =
                    (store.clone(), principal.clone(), metrics.clone());
                let (matcher, matched) = (matcher.clone(), matched.clone());
                async move {
                    let Some(change) = TenancyChange::load(&store, &change).await? else {
                        return Ok(None);
                    };
                    let now = change.tenant.as_ref().is_some_and(|r| matcher.matches(r));
                    let before = {
                        let mut matched = matched.lock();
                        if now {
                            !matched.insert(change.tenant_id)
                        } else {
                            matched.remove(&change.tenant_id)
                        }
                    };
                    if !(now || before) || !matcher.wants(change.entity) {
                        return Ok(None);
                    }
                    if !change.visible_to(&store, &Access::new(&principal)).await? {
                        metrics.withheld(1);
                        return Ok(None);
                    }
                    Ok(Some(TenantChangedEvent(change)))
                }
            })
            .await
            .kn()
    }

    /// One app (by its id): every change of its Application's status, each new revision, and
    /// its deletion (the last event).
    async fn app_status_changed(
        &self,
        ctx: &Context<'_>,
        app: ID,
    ) -> async_graphql::Result<impl Stream<Item = async_graphql::Result<AppStatusChangedEvent>>>
    {
        let session = session(ctx)?;
        let t = tenancy(ctx).kn()?;
        Access::new(&session.principal).require_caller().kn()?;
        let id = row_id("app", app::TYPE_NAME, &app).kn()?;
        let events = app_status::watch(&session, t, id).await.kn()?;
        Ok(events.map(|e| e.map(AppStatusChangedEvent)))
    }
}
