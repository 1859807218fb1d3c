//! App mutations: one input object each, a payload with the changed app; every one audited.

use std::sync::Arc;

use async_graphql::{Context, ID, InputObject, Json, Object, SimpleObject};
use serde_json::{Map, Value};

use super::app::{App, AppStatus, TYPE_NAME};
use super::tenancy::{node_id, principal, row_id, tenancy};
use crate::error::{Error, Result};
use crate::store::apps::AppRow;
use crate::tenancy::Access;
use crate::tenancy::apps::spec::{Component, DEFAULT_COMPONENT_TYPE, Policy, Trait};
use crate::tenancy::apps::{NewApp, scope};
use crate::tenancy::audit::audited;
use crate::tenancy::errors::KnResultExt;

#[derive(InputObject, Clone)]
pub struct TraitInput {
    #[graphql(name = "type")]
    pub type_: String,
    pub properties: Option<Json<Value>>,
}

#[derive(InputObject, Clone)]
pub struct ComponentInput {
    pub name: String,
    /// The component definition; `webservice` when absent.
    #[graphql(name = "type")]
    pub type_: Option<String>,
    /// Sets `properties.image`.
    pub image: Option<String>,
    pub properties: Option<Json<Value>>,
    pub traits: Option<Vec<TraitInput>>,
}

#[derive(InputObject, Clone)]
pub struct PolicyInput {
    pub name: String,
    #[graphql(name = "type")]
    pub type_: String,
    pub properties: Option<Json<Value>>,
}

#[derive(InputObject)]
pub struct CreateAppInput {
    pub project_id: ID,
    pub name: String,
    pub description: Option<String>,
    pub components: Option<Vec<ComponentInput>>,
    /// Shorthand for one component: its name (the app's name when absent) ...
    pub component: Option<String>,
    /// ... and its image.
    pub image: Option<String>,
    pub policies: Option<Vec<PolicyInput>>,
}

#[derive(InputObject)]
pub struct AppInput {
    pub app_id: ID,
}

#[derive(InputObject)]
pub struct RollbackAppInput {
    pub app_id: ID,
    /// The revision to publish again; the one before the current when absent.
    pub to_revision: Option<i32>,
}

#[derive(InputObject)]
pub struct SetAppTraitsInput {
    pub app_id: ID,
    /// The component whose traits are replaced; every component when absent.
    pub component: Option<String>,
    pub traits: Vec<TraitInput>,
}

#[derive(InputObject)]
pub struct SetAppPoliciesInput {
    pub app_id: ID,
    pub policies: Vec<PolicyInput>,
}

#[derive(InputObject)]
pub struct UpdateAppImageInput {
    pub app_id: ID,
    pub component: String,
    pub image: String,
    pub tag: Option<String>,
}

#[derive(SimpleObject)]
pub struct AppPayload {
    pub app: App,
}

#[derive(SimpleObject)]
pub struct AppWorkflowPayload {
    pub app: App,
    pub status: AppStatus,
}

#[derive(SimpleObject)]
pub struct DeleteAppPayload {
    pub deleted_app_id: ID,
}

fn object(field: &str, value: Option<Json<Value>>) -> Result<Map<String, Value>> {
    match value.map(|j| j.0) {
        None | Some(Value::Null) => Ok(Map::new()),
        Some(Value::Object(m)) => Ok(m),
        Some(_) => Err(Error::bad_field(
            field,
            format!("{field} must be a JSON object"),
        )),
    }
}

fn traits(field: &str, input: Vec<TraitInput>) -> Result<Vec<Trait>> {
    input
        .into_iter()
        .enumerate()
        .map(|(i, t)| {
            Ok(Trait {
                type_: t.type_,
                properties: object(&format!("{field}[{i}].properties"), t.properties)?,
            })
        })
        .collect()
}

fn policies(field: &str, input: Vec<PolicyInput>) -> Result<Vec<Policy>> {
    input
        .into_iter()
        .enumerate()
        .map(|(i, p)| {
            Ok(Policy {
                name: p.name,
                type_: p.type_,
                properties: object(&format!("{field}[{i}].properties"), p.properties)?,
            })
        })
        .collect()
}

fn new_app(input: CreateAppInput) -> Result<NewApp> {
    let mut components = Vec::new();
    for (i, c) in input.components.unwrap_or_default().into_iter().enumerate() {
        let at = format!("input.components[{i}]");
        let mut properties = object(&format!("{at}.properties"), c.properties)?;
        if let Some(image) = c.image {
            properties.insert("image".into(), Value::String(image));
        }
        components.push(Component {
            name: c.name,
            type_: c.type_.unwrap_or_else(|| DEFAULT_COMPONENT_TYPE.into()),
            properties,
            traits: traits(&format!("{at}.traits"), c.traits.unwrap_or_default())?,
        });
    }
    if let Some(image) = input.image {
        components.push(Component {
            name: input.component.unwrap_or_else(|| input.name.clone()),
            type_: DEFAULT_COMPONENT_TYPE.into(),
            properties: [("image".to_string(), Value::String(image))]
                .into_iter()
                .collect(),
            traits: Vec::new(),
        });
    }
    Ok(NewApp {
        name: input.name,
        description: input.description,
        components,
        policies: policies("input.policies", input.policies.unwrap_or_default())?,
    })
}

fn payload(row: AppRow) -> AppPayload {
    AppPayload {
        app: App(Arc::new(row)),
    }
}

/// Runs an app-changing operation on an existing app, audited under `name`.
macro_rules! on_app {
    ($ctx:expr, $name:literal, $app_id:expr, |$apps:ident, $row:ident| $body:expr) => {{
        let t = tenancy($ctx).kn()?;
        let principal = principal($ctx);
        let access = Access::new(&principal);
        let target = format!("app/{}", $app_id.as_str());
        audited(&t.store, &principal, $name, target, async {
            let id = row_id("input.appId", TYPE_NAME, &$app_id)?;
            let ($row, pctx) = scope::app(&t.store, &access, id, true).await?;
            let $apps = scope::apps(t, &pctx, &principal.subject).await?;
            $body
        })
        .await
        .kn()
    }};
}

#[derive(Default)]
pub struct AppMutation;

#[Object]
impl AppMutation {
    /// Creates an app: writes its KubeVela Application (publishVersion 1) in the project's
    /// namespace and records revision 1.
    async fn create_app(
        &self,
        ctx: &Context<'_>,
        input: CreateAppInput,
    ) -> async_graphql::Result<AppPayload> {
        let t = tenancy(ctx).kn()?;
        let principal = principal(ctx);
        let access = Access::new(&principal);
        let target = format!("project/{}/app/{}", input.project_id.as_str(), input.name);
        let row = audited(&t.store, &principal, "createApp", target, async {
            let project_id = row_id("input.projectId", "Project", &input.project_id)?;
            let new = new_app(input)?;
            let pctx = scope::project(&t.store, &access, project_id, true).await?;
            let apps = scope::apps(t, &pctx, &principal.subject).await?;
            apps.create(&pctx.scope(), new).await
        })
        .await
        .kn()?;
        Ok(payload(row))
    }

    /// Publishes the app again with the policy sets that apply now (a new publishVersion).
    async fn deploy_app(
        &self,
        ctx: &Context<'_>,
        input: AppInput,
    ) -> async_graphql::Result<AppPayload> {
        on_app!(ctx, "deployApp", input.app_id, |apps, row| apps
            .deploy(&row)
            .await)
        .map(payload)
    }

    /// Suspends the app's KubeVela workflow.
    async fn suspend_app(
        &self,
        ctx: &Context<'_>,
        input: AppInput,
    ) -> async_graphql::Result<AppWorkflowPayload> {
        on_app!(ctx, "suspendApp", input.app_id, |apps, row| {
            let status = apps.suspend(&row).await?;
            Ok(AppWorkflowPayload {
                app: App(Arc::new(row)),
                status: status.into(),
            })
        })
    }

    /// Resumes the app's KubeVela workflow.
    async fn resume_app(
        &self,
        ctx: &Context<'_>,
        input: AppInput,
    ) -> async_graphql::Result<AppWorkflowPayload> {
        on_app!(ctx, "resumeApp", input.app_id, |apps, row| {
            let status = apps.resume(&row).await?;
            Ok(AppWorkflowPayload {
                app: App(Arc::new(row)),
                status: status.into(),
            })
        })
    }

    /// Publishes a stored revision's spec again, as a new revision.
    async fn rollback_app(
        &self,
        ctx: &Context<'_>,
        input: RollbackAppInput,
    ) -> async_graphql::Result<AppPayload> {
        let to = input.to_revision;
        on_app!(ctx, "rollbackApp", input.app_id, |apps, row| apps
            .rollback(&row, to)
            .await)
        .map(payload)
    }

    /// Deletes the Application, then the app and its revisions.
    async fn delete_app(
        &self,
        ctx: &Context<'_>,
        input: AppInput,
    ) -> async_graphql::Result<DeleteAppPayload> {
        on_app!(ctx, "deleteApp", input.app_id, |apps, row| {
            apps.delete(&row).await?;
            Ok(DeleteAppPayload {
                deleted_app_id: node_id(TYPE_NAME, row.id),
            })
        })
    }

    /// Replaces the traits of one component (or of all) and publishes.
    async fn set_app_traits(
        &self,
        ctx: &Context<'_>,
        input: SetAppTraitsInput,
    ) -> async_graphql::Result<AppPayload> {
        let component = input.component.clone();
        let new = input.traits.clone();
        on_app!(ctx, "setAppTraits", input.app_id, |apps, row| {
            let new = traits("input.traits", new)?;
            apps.set_traits(&row, component.as_deref(), new).await
        })
        .map(payload)
    }

    /// Replaces the app's own policies and publishes.
    async fn set_app_policies(
        &self,
        ctx: &Context<'_>,
        input: SetAppPoliciesInput,
    ) -> async_graphql::Result<AppPayload> {
        let new = input.policies.clone();
        on_app!(ctx, "setAppPolicies", input.app_id, |apps, row| {
            let new = policies("input.policies", new)?;
            apps.set_policies(&row, new).await
        })
        .map(payload)
    }

    /// Sets a component's image (`image[:tag]`) and publishes.
    async fn update_app_image(
        &self,
        ctx: &Context<'_>,
        input: UpdateAppImageInput,
    ) -> async_graphql::Result<AppPayload> {
        on_app!(ctx, "updateAppImage", input.app_id, |apps, row| {
            apps.update_image(&row, &input.component, &input.image, input.tag.as_deref())
                .await
        })
        .map(payload)
    }
}
