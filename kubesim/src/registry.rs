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

/// Every resource one instance serves, indexed for routing and discovery. Rebuilt as a whole
/// whenever a CRD changes and swapped in, so requests read a consistent snapshot.
#[derive(Clone, Debug, Default)]
pub struct Registry {
    resources: Vec<ResourceInfo>,
    by_gvr: std::collections::HashMap<(String, String, String), usize>,
}

/// A group as `/apis` lists it: its served versions, preferred first.
#[derive(Clone, Debug, PartialEq)]
pub struct GroupVersions {
    pub group: String,
    pub versions: Vec<String>,
}

/// Kubernetes version priority: GA before beta before alpha, higher numbers first, then
/// anything else alphabetically (as apimachinery's `CompareKubeAwareVersionStrings`).
pub fn version_priority(v: &str) -> (u8, i64, i64, String) {
    let parse = |s: &str| -> Option<(i64, u8, i64)> {
        let rest = s.strip_prefix('v')?;
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        let major: i64 = digits.parse().ok()?;
        let tail = &rest[digits.len()..];
        if tail.is_empty() {
            return Some((major, 0, 0));
        }
        for (pfx, rank) in [("beta", 1u8), ("alpha", 2u8)] {
            if let Some(n) = tail.strip_prefix(pfx) {
                return Some((major, rank, n.parse().ok()?));
            }
        }
        None
    };
    match parse(v) {
        Some((major, rank, minor)) => (rank, -major, -minor, String::new()),
        None => (3, 0, 0, v.to_string()),
    }
}

impl Registry {
    pub fn new(resources: Vec<ResourceInfo>) -> Self {
        let by_gvr = resources
            .iter()
            .enumerate()
            .map(|(i, r)| ((r.group.clone(), r.version.clone(), r.plural.clone()), i))
            .collect();
        Self { resources, by_gvr }
    }

    pub fn all(&self) -> &[ResourceInfo] {
        &self.resources
    }

    pub fn lookup(&self, group: &str, version: &str, plural: &str) -> Option<&ResourceInfo> {
        self.by_gvr
            .get(&(group.to_string(), version.to_string(), plural.to_string()))
            .map(|&i| &self.resources[i])
    }

    /// The resource for an object's `apiVersion` and `kind`.
    pub fn by_kind(&self, api_version: &str, kind: &str) -> Option<&ResourceInfo> {
        let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
        self.resources
            .iter()
            .find(|r| r.group == group && r.version == version && r.kind == kind)
    }

    /// Any served version of (group, plural), preferring the storage version.
    pub fn any_version(&self, group: &str, plural: &str) -> Option<&ResourceInfo> {
        let mut found: Vec<&ResourceInfo> = self
            .resources
            .iter()
            .filter(|r| r.group == group && r.plural == plural)
            .collect();
        found.sort_by_key(|r| (!r.storage, version_priority(&r.version)));
        found.first().copied()
    }

    pub fn in_group_version(&self, group: &str, version: &str) -> Vec<&ResourceInfo> {
        self.resources
            .iter()
            .filter(|r| r.group == group && r.version == version)
            .collect()
    }

    /// Groups in registration order (built-ins first), versions by priority.
    pub fn groups(&self) -> Vec<GroupVersions> {
        let mut out: Vec<GroupVersions> = Vec::new();
        for r in &self.resources {
            match out.iter_mut().find(|g| g.group == r.group) {
                Some(g) => {
                    if !g.versions.contains(&r.version) {
                        g.versions.push(r.version.clone());
                    }
                }
                None => out.push(GroupVersions {
                    group: r.group.clone(),
                    versions: vec![r.version.clone()],
                }),
            }
        }
        for g in &mut out {
            g.versions.sort_by_key(|v| version_priority(v));
        }
        out
    }
}
