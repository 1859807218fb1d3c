//! Live events of the tenancy side. Tenants, projects, policy sets and apps change through the
//! store (the change bus carries each committed write to every replica); an app's status
//! changes in its cluster, which a watch on its Application reports.

use std::future::Future;

use futures::Stream;
use tokio::sync::broadcast::error::RecvError;
use uuid::Uuid;

use super::LiveSession;
use crate::error::{Error, Result};
use crate::store::Store;
use crate::store::changes::{StoreChange, StoreOp};
use crate::store::tenancy::tenants::Model as TenantRow;
use crate::store::{apps, tenancy};
use crate::tenancy::{Access, TenantRef};

/// What kind of row a tenancy change is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Entity {
    Tenant,
    Project,
    PolicySet,
    App,
}

impl Entity {
    pub fn of(change: &StoreChange) -> Option<Self> {
        match change.entity.as_str() {
            tenancy::tenants::ENTITY => Some(Entity::Tenant),
            tenancy::projects::ENTITY => Some(Entity::Project),
            tenancy::policy_sets::ENTITY => Some(Entity::PolicySet),
            apps::ENTITY => Some(Entity::App),
            _ => None,
        }
    }
}

/// A change of a tenant or of something inside it, as a subscriber may receive it.
#[derive(Clone, Debug)]
pub struct TenancyChange {
    pub entity: Entity,
    pub op: StoreOp,
    pub id: Uuid,
    pub name: Option<String>,
    pub tenant_id: Uuid,
    /// The project of an app or project change.
    pub project_id: Option<Uuid>,
    /// The tenant as it now is; `None` once it is deleted.
    pub tenant: Option<TenantRow>,
}

impl TenancyChange {
    /// Reads the change's tenant. `None` for changes of other rows and for malformed ids.
    pub async fn load(store: &Store, change: &StoreChange) -> Result<Option<Self>> {
        let Some(entity) = Entity::of(change) else {
            return Ok(None);
        };
        let (Ok(id), Some(Ok(tenant_id))) = (
            Uuid::parse_str(&change.id),
            change.tenant.as_deref().map(Uuid::parse_str),
        ) else {
            tracing::warn!(entity = %change.entity, id = %change.id, "ignoring a change without a tenant");
            return Ok(None);
        };
        let tenant = store.tenant(tenant_id).await?;
        Ok(Some(TenancyChange {
            entity,
            op: change.op,
            id,
            name: change.name.clone(),
            tenant_id,
            project_id: change
                .project
                .as_deref()
                .and_then(|p| Uuid::parse_str(p).ok()),
            tenant,
        }))
    }

    /// The tenant's name: from the row, or for a deleted tenant from the change itself.
    pub fn tenant_name(&self) -> Option<&str> {
        match (&self.tenant, self.entity) {
            (Some(t), _) => Some(t.name.as_str()),
            (None, Entity::Tenant) => self.name.as_deref(),
            (None, _) => None,
        }
    }

    /// Whether the caller may see what changed, by the same rules as the queries. Rows of a
    /// tenant that is gone are shown only through the tenant's own removal.
    pub async fn visible_to(&self, store: &Store, access: &Access<'_>) -> Result<bool> {
        let Some(name) = self.tenant_name() else {
            return Ok(false);
        };
        let tenant = TenantRef {
            id: self.tenant_id,
            name,
        };
        Ok(match self.entity {
            Entity::Tenant | Entity::PolicySet => access.sees_tenant(tenant),
            Entity::Project => match &self.name {
                Some(project) => access.sees_project(tenant, project),
                None => false,
            },
            Entity::App => match self.app_project(store).await? {
                Some(project) => access.sees_project(tenant, &project),
                None => false,
            },
        })
    }

    /// The app's project name; a deleted app's project still exists unless it went too (and
    /// then its own removal is the event to show).
    async fn app_project(&self, store: &Store) -> Result<Option<String>> {
        let Some(project) = self.project_id else {
            return Ok(None);
        };
        Ok(store.project(project).await?.map(|p| p.name))
    }
}

impl LiveSession {
    /// A subscription's event stream over the store change bus: each change goes through
    /// `pick`, which filters and authorizes. A subscriber that falls more than the bus's
    /// buffer behind gets an UNAVAILABLE error and the stream ends.
    pub async fn store_stream<T, F, Fut>(
        &self,
        store: &Store,
        field: &'static str,
        mut pick: F,
    ) -> Result<impl Stream<Item = async_graphql::Result<T>> + Send + use<T, F, Fut>>
    where
        T: Send + 'static,
        F: FnMut(StoreChange) -> Fut + Send + 'static,
        Fut: Future<Output = Result<Option<T>>> + Send,
    {
        use crate::error::ResultExt;
        let mut rx = store.changes().subscribe().await?;
        let metrics = self.live.metrics.clone();
        let guard = super::ActiveSubscription::new(metrics.clone());
        let shutdown = self.live.shutdown.clone();
        Ok(async_stream::stream! {
            let _guard = guard;
            loop {
                let received = tokio::select! {
                    _ = shutdown.cancelled() => break,
                    received = rx.recv() => received,
                };
                match received {
                    Ok(change) => match pick(change).await {
                        Ok(Some(event)) => {
                            metrics.delivered(field);
                            yield Ok(event);
                        }
                        Ok(None) => {}
                        // Fail closed: nothing is delivered when permissions cannot be checked.
                        Err(e) => yield Err::<T, Error>(e).gql(),
                    },
                    Err(RecvError::Lagged(missed)) => {
                        metrics.refused(super::CloseReason::SlowConsumer);
                        yield Err::<T, Error>(super::fell_behind(missed))
                        .gql();
                        break;
                    }
                    Err(RecvError::Closed) => break,
                }
            }
        })
    }
}
