//! The set of resources a kubesim instance serves: built-in kinds plus whatever the stored
//! CustomResourceDefinitions declare. Discovery, routing, OpenAPI and Table output all read it.

use serde_json::Value;

/// One served (group, version, resource).
#[derive(Clone, Debug, PartialEq)]
pub struct ResourceInfo {
    /// "" for the core group.
    pub group: String,
    pub version: String,
    pub kind: String,
    pub list_kind: String,
    /// Plural resource name used in URLs, e.g. "clusterprofiles".
    pub plural: String,
    pub singular: String,
    pub short_names: Vec<String>,
    pub categories: Vec<String>,
    pub namespaced: bool,
    /// Verbs in discovery order: create, delete, deletecollection, get, list, patch, update, watch.
    pub verbs: Vec<String>,
    /// Subresources served, e.g. ["status"], ["log"], ["token"].
    pub subresources: Vec<String>,
    /// Whether this version is the storage version (CRDs) / preferred version.
    pub storage: bool,
    pub deprecated: bool,
    /// The version's `openAPIV3Schema` for CRDs; `None` for built-ins (not validated by schema).
    pub schema: Option<Value>,
    pub printer_columns: Vec<PrinterColumn>,
}

/// A CRD `additionalPrinterColumns` entry (or the implicit columns of a built-in kind).
#[derive(Clone, Debug, PartialEq)]
pub struct PrinterColumn {
    pub name: String,
    /// "string", "integer", "number", "boolean", "date".
    pub type_: String,
    pub format: String,
    pub description: String,
    pub priority: i32,
    pub json_path: String,
}

impl ResourceInfo {
    /// `group/version`, or just `version` for the core group.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }
}
