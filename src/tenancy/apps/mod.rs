//! Apps: KubeVela Applications written by fleetgraph into a project's namespace, with their
//! revision history in the store.
//!
//! Every change that alters what runs (create, deploy, image, traits, policies, rollback) is a
//! *publish*: the policy sets that apply are materialised, the Application is server-side
//! applied with a new `app.oam.dev/publishVersion` (KubeVela reruns the workflow exactly when
//! it changes), then one revision row records what was written. The cluster goes first: if it
//! refuses, the store is untouched; if the store then fails, the Application is put back to the
//! last recorded revision (or deleted, for a create), so a retry starts from a converged state.

pub mod cluster;
pub mod diff;
pub mod logs;
pub mod materialize;
pub mod scope;
pub mod spec;
pub mod status;
pub mod vela;
pub mod view;
pub mod workflow;

use std::collections::BTreeMap;

use std::sync::Arc;

use chrono::Utc;
use serde_json::Value;
use uuid::Uuid;

use self::materialize::{PolicySetRules, materialize};
use self::spec::{Component, Policy, Trait};
use self::vela::{Application, PUBLISH_VERSION};
use super::cluster_cache::ClusterCache;
use crate::error::{Error, Result};
use crate::store::Store;
use crate::store::apps::{AppRow, NewRevision, RevisionRow};

pub const MANAGED_BY: &str = "app.kubernetes.io/managed-by";
pub const APP_ID_LABEL: &str = "kubenova.io/app-id";
pub const TENANT_ID_LABEL: &str = "kubenova.io/tenant-id";
pub const PROJECT_ID_LABEL: &str = "kubenova.io/project-id";
pub const REVISION_ANNOTATION: &str = "kubenova.io/revision";

/// Where a new app goes: its project's identity and namespace.
#[derive(Clone, Debug)]
pub struct AppScope {
    pub cluster_id: Uuid,
    pub tenant_id: Uuid,
    pub project_id: Uuid,
    pub namespace: String,
}

#[derive(Clone, Debug, Default)]
pub struct NewApp {
    pub name: String,
    pub description: Option<String>,
    pub components: Vec<Component>,
    pub policies: Vec<Policy>,
}

/// What each publish records as its `action`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Create,
    Deploy,
    UpdateImage,
    SetTraits,
    SetPolicies,
    Rollback,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Deploy => "deploy",
            Action::UpdateImage => "update-image",
            Action::SetTraits => "set-traits",
            Action::SetPolicies => "set-policies",
            Action::Rollback => "rollback",
        }
    }
}

/// The apps side of one registered cluster: its client, the store, who acts, and the policy
/// sets that apply to the apps acted on.
pub struct Apps<'a> {
    pub store: &'a Store,
    pub client: kube::Client,
    pub actor: String,
    pub policy_sets: Vec<PolicySetRules>,
    /// The cluster's watches, told of every Application written so that reads go to the
    /// cluster until the watch has brought the write.
    pub cache: Option<Arc<ClusterCache>>,
}

fn labels(app: &AppRow) -> BTreeMap<String, String> {
    BTreeMap::from([
        (MANAGED_BY.to_string(), "fleetgraph".to_string()),
        (APP_ID_LABEL.to_string(), app.id.to_string()),
        (TENANT_ID_LABEL.to_string(), app.tenant_id.to_string()),
        (PROJECT_ID_LABEL.to_string(), app.project_id.to_string()),
    ])
}

fn annotations(number: i32) -> BTreeMap<String, String> {
    BTreeMap::from([
        (PUBLISH_VERSION.to_string(), number.to_string()),
        (REVISION_ANNOTATION.to_string(), number.to_string()),
    ])
}

pub fn components_of(row: &AppRow) -> Result<Vec<Component>> {
    spec::from_json("components", &row.components)
}

pub fn policies_of(row: &AppRow) -> Result<Vec<Policy>> {
    spec::from_json("policies", &row.policies)
}

/// Reads an app, NOT_FOUND when absent.
pub async fn find_app(store: &Store, id: Uuid) -> Result<AppRow> {
    store
        .app(id)
        .await?
        .ok_or_else(|| Error::NotFound(format!("app {id} not found")))
}

impl Apps<'_> {
    /// Notes an Application written (its new version) for the cluster's watch cache.
    fn wrote(&self, written: &Application) {
        if let Some(cache) = &self.cache {
            cache.applications.note_write(
                written.metadata.namespace.as_deref().unwrap_or_default(),
                written.metadata.name.as_deref().unwrap_or_default(),
                written.metadata.resource_version.clone(),
            );
        }
    }

    /// Notes an Application deleted, for the cluster's watch cache.
    fn removed(&self, namespace: &str, name: &str) {
        if let Some(cache) = &self.cache {
            cache.applications.note_write(namespace, name, None);
        }
    }

    /// The Application spec for a publish: the user's spec with the policy sets materialised.
    fn effective(&self, components: &[Component], policies: &[Policy]) -> Value {
        let m = materialize(components, policies, &self.policy_sets);
        spec::to_json(&spec::application_spec(&m.components, &m.policies))
    }

    /// Creates the Application and the app with revision 1.
    pub async fn create(&self, scope: &AppScope, input: NewApp) -> Result<AppRow> {
        spec::validate_dns_label("input.name", &input.name)?;
        spec::validate_components("input.components", &input.components)?;
        spec::validate_policies("input.policies", &input.policies)?;
        if self
            .store
            .apps_of_project(scope.project_id)
            .await?
            .iter()
            .any(|a| a.name == input.name)
        {
            return Err(Error::Conflict(format!(
                "an app named {} already exists in this project",
                input.name
            )));
        }
        if let Some(existing) =
            cluster::get_application(&self.client, &scope.namespace, &input.name).await?
        {
            let owner = existing
                .metadata
                .labels
                .as_ref()
                .and_then(|l| l.get(APP_ID_LABEL).cloned());
            return Err(Error::Conflict(format!(
                "an Application named {} already exists in namespace {} ({}); pick another name or remove it",
                input.name,
                scope.namespace,
                match owner {
                    Some(id) => format!("left by fleetgraph app {id}"),
                    None => "not created by fleetgraph".to_string(),
                }
            )));
        }
        let now = Utc::now();
        let row = AppRow {
            id: Uuid::new_v4(),
            cluster_id: scope.cluster_id,
            tenant_id: scope.tenant_id,
            project_id: scope.project_id,
            name: input.name.clone(),
            namespace: scope.namespace.clone(),
            description: input.description.filter(|d| !d.trim().is_empty()),
            components: spec::to_json(&input.components),
            policies: spec::to_json(&input.policies),
            revision: 1,
            created_by: self.actor.clone(),
            created_at: now,
            updated_at: now,
        };
        let application = self.effective(&input.components, &input.policies);
        let written = cluster::apply_application(
            &self.client,
            &row.namespace,
            &row.name,
            &labels(&row),
            &annotations(1),
            &application,
        )
        .await?;
        self.wrote(&written);
        let first = NewRevision {
            number: 1,
            action: Action::Create.as_str().into(),
            rolled_back_from: None,
            publish_version: "1".into(),
            components: row.components.clone(),
            policies: row.policies.clone(),
            application,
            created_by: self.actor.clone(),
        };
        let (namespace, name) = (row.namespace.clone(), row.name.clone());
        match self.store.insert_app(row, first).await {
            Ok(row) => Ok(row),
            Err(e) => {
                self.removed(&namespace, &name);
                if let Err(undo) =
                    cluster::delete_application(&self.client, &namespace, &name).await
                {
                    tracing::error!(error = %undo, %namespace, %name,
                        "the app was not stored and its Application could not be removed");
                }
                Err(e)
            }
        }
    }

    /// Publishes `components` / `policies` as the next revision of `app`.
    async fn publish(
        &self,
        app: &AppRow,
        components: Vec<Component>,
        policies: Vec<Policy>,
        action: Action,
        rolled_back_from: Option<i32>,
    ) -> Result<AppRow> {
        let number = app.revision + 1;
        let application = self.effective(&components, &policies);
        let written = cluster::apply_application(
            &self.client,
            &app.namespace,
            &app.name,
            &labels(app),
            &annotations(number),
            &application,
        )
        .await?;
        self.wrote(&written);
        let components = spec::to_json(&components);
        let policies = spec::to_json(&policies);
        let rev = NewRevision {
            number,
            action: action.as_str().into(),
            rolled_back_from,
            publish_version: number.to_string(),
            components: components.clone(),
            policies: policies.clone(),
            application,
            created_by: self.actor.clone(),
        };
        match self
            .store
            .publish_app_revision(app.id, app.revision, components, policies, rev)
            .await
        {
            Ok(row) => Ok(row),
            Err(e) => {
                self.converge(app.id).await;
                Err(e)
            }
        }
    }

    /// Puts the Application back to the revision the store says is current.
    async fn converge(&self, app_id: Uuid) {
        let outcome = async {
            let app = find_app(self.store, app_id).await?;
            let rev = self
                .store
                .app_revision(app.id, app.revision)
                .await?
                .ok_or_else(|| Error::Internal(format!("app {app_id} has no current revision")))?;
            let written = cluster::apply_application(
                &self.client,
                &app.namespace,
                &app.name,
                &labels(&app),
                &annotations(rev.number),
                &rev.application,
            )
            .await?;
            self.wrote(&written);
            Ok::<_, Error>(())
        }
        .await;
        if let Err(e) = outcome {
            tracing::error!(error = %e, %app_id,
                "could not put the Application back to its recorded revision; the next publish will");
        }
    }

    /// Re-publishes the current spec with the policy sets that apply now.
    pub async fn deploy(&self, app: &AppRow) -> Result<AppRow> {
        self.publish(
            app,
            components_of(app)?,
            policies_of(app)?,
            Action::Deploy,
            None,
        )
        .await
    }

    /// Sets one component's image (`image[:tag]`); a component not in the app is added as a
    /// `webservice`, as the legacy image update did.
    pub async fn update_image(
        &self,
        app: &AppRow,
        component: &str,
        image: &str,
        tag: Option<&str>,
    ) -> Result<AppRow> {
        spec::validate_dns_label("input.component", component)?;
        let reference = spec::image_with_tag(image, tag);
        spec::validate_image("input.image", &reference)?;
        let mut components = components_of(app)?;
        match components.iter_mut().find(|c| c.name == component) {
            Some(c) => {
                c.properties
                    .insert("image".into(), Value::String(reference));
            }
            None => components.push(Component {
                name: component.to_string(),
                type_: spec::DEFAULT_COMPONENT_TYPE.into(),
                properties: [("image".to_string(), Value::String(reference))]
                    .into_iter()
                    .collect(),
                traits: Vec::new(),
            }),
        }
        self.publish(
            app,
            components,
            policies_of(app)?,
            Action::UpdateImage,
            None,
        )
        .await
    }

    /// Replaces the traits of one component, or of every component when none is named.
    pub async fn set_traits(
        &self,
        app: &AppRow,
        component: Option<&str>,
        traits: Vec<Trait>,
    ) -> Result<AppRow> {
        let mut components = components_of(app)?;
        if let Some(name) = component
            && !components.iter().any(|c| c.name == name)
        {
            return Err(Error::bad_field(
                "input.component",
                format!(
                    "app {} has no component {name}; its components are: {}",
                    app.name,
                    components
                        .iter()
                        .map(|c| c.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
        for c in components
            .iter_mut()
            .filter(|c| component.is_none_or(|n| n == c.name))
        {
            c.traits = traits.clone();
        }
        spec::validate_components("input.traits", &components)?;
        self.publish(app, components, policies_of(app)?, Action::SetTraits, None)
            .await
    }

    /// Replaces the app's own policies.
    pub async fn set_policies(&self, app: &AppRow, policies: Vec<Policy>) -> Result<AppRow> {
        spec::validate_policies("input.policies", &policies)?;
        self.publish(
            app,
            components_of(app)?,
            policies,
            Action::SetPolicies,
            None,
        )
        .await
    }

    /// Publishes a stored revision's spec again (the revision before the current one when
    /// `to` is absent), as a new revision.
    pub async fn rollback(&self, app: &AppRow, to: Option<i32>) -> Result<AppRow> {
        let target = match to {
            Some(n) => n,
            None if app.revision > 1 => app.revision - 1,
            None => {
                return Err(Error::bad_field(
                    "input.toRevision",
                    "no previous revision to roll back to",
                ));
            }
        };
        let rev = self.revision(app, target).await?;
        if target == app.revision {
            return Err(Error::bad_field(
                "input.toRevision",
                format!("revision {target} is the current revision; nothing to roll back"),
            ));
        }
        let components = spec::from_json("components", &rev.components)?;
        let policies = spec::from_json("policies", &rev.policies)?;
        self.publish(app, components, policies, Action::Rollback, Some(target))
            .await
    }

    /// A stored revision, NOT_FOUND when the app has no such revision.
    pub async fn revision(&self, app: &AppRow, number: i32) -> Result<RevisionRow> {
        self.store
            .app_revision(app.id, number)
            .await?
            .ok_or_else(|| {
                Error::NotFound(format!(
                    "app {} has no revision {number} (revisions 1 to {})",
                    app.name, app.revision
                ))
            })
    }

    /// Suspends the app's workflow.
    pub async fn suspend(&self, app: &AppRow) -> Result<view::AppStatus> {
        self.set_suspended(app, true).await
    }

    /// Resumes the app's workflow.
    pub async fn resume(&self, app: &AppRow) -> Result<view::AppStatus> {
        self.set_suspended(app, false).await
    }

    async fn set_suspended(&self, app: &AppRow, suspend: bool) -> Result<view::AppStatus> {
        let current = cluster::get_application(&self.client, &app.namespace, &app.name)
            .await?
            .ok_or_else(|| {
                Error::Conflict(format!(
                    "the Application {}/{} is missing from the cluster; deploy the app again",
                    app.namespace, app.name
                ))
            })?;
        let Some(wf) = current.status.as_ref().and_then(|s| s.workflow.clone()) else {
            return Err(Error::Conflict(format!(
                "the workflow of app {} is not running yet (KubeVela has not reported it); retry once it has started",
                app.name
            )));
        };
        let next = if suspend {
            workflow::suspended(&wf)
        } else {
            workflow::resumed(&wf)
        };
        let updated = match next {
            Some(next) => {
                let written = cluster::patch_workflow_status(
                    &self.client,
                    &app.namespace,
                    &app.name,
                    current.metadata.resource_version.clone(),
                    &next,
                )
                .await?;
                self.wrote(&written);
                written
            }
            None => current,
        };
        Ok(view::AppStatus::of(Some(&updated)))
    }

    /// Removes the Application, then the app and its revisions.
    pub async fn delete(&self, app: &AppRow) -> Result<()> {
        self.removed(&app.namespace, &app.name);
        cluster::delete_application(&self.client, &app.namespace, &app.name).await?;
        self.store.delete_app(app.id).await?;
        Ok(())
    }

    /// The app's status as KubeVela reports it on the Application, read from the cluster
    /// (queries read it through [`status::read`], from the watch cache).
    pub async fn status(&self, app: &AppRow) -> Result<view::AppStatus> {
        let current = cluster::get_application(&self.client, &app.namespace, &app.name).await?;
        Ok(view::AppStatus::of(current.as_ref()))
    }

    /// Stored revisions, oldest first, each with the ApplicationRevision KubeVela made for it.
    pub async fn revisions(&self, app: &AppRow) -> Result<Vec<view::Revision>> {
        let rows = self.store.app_revisions(app.id).await?;
        let objects =
            cluster::application_revisions(&self.client, &app.namespace, &app.name).await?;
        Ok(view::match_revisions(rows, &objects))
    }
}

/// The structural diff between two stored revisions' Application specs.
pub async fn diff_revisions(
    store: &Store,
    app: &AppRow,
    from: i32,
    to: i32,
) -> Result<Vec<diff::Change>> {
    let get = |n: i32| async move {
        store
            .app_revision(app.id, n)
            .await?
            .ok_or_else(|| Error::NotFound(format!("app {} has no revision {n}", app.name)))
    };
    let a = get(from).await?;
    let b = get(to).await?;
    Ok(diff::diff(&a.application, &b.application))
}
