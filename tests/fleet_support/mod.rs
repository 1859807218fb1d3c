//! Shared by the fleet_* tests: the upstream CRDs in ../shared/crds, admission through kubesim's
//! schema validator, and typed parsing of every Sveltos/CAPI kind.

#![allow(dead_code)]

use fleetgraph::fleet::kinds::*;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Where the upstream CRD copies live (never copied into the project).
pub fn crd_dir() -> PathBuf {
    let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/crds"));
    assert!(
        dir.is_dir(),
        "the upstream CRDs are expected in {} (the shared/ folder beside the repository); \
         these tests validate generated objects against them",
        dir.display()
    );
    dir.to_path_buf()
}

/// Every YAML document of a file, as JSON.
pub fn yaml_documents(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_yaml::Deserializer::from_str(&text)
        .map(|doc| {
            Value::deserialize(doc)
                .unwrap_or_else(|e| panic!("bad YAML in {}: {e}", path.display()))
        })
        .filter(|v| !v.is_null())
        .collect()
}

/// The upstream CRDs the Sveltos side reads, by (group, kind).
pub struct UpstreamCrds {
    by_kind: BTreeMap<(String, String), Value>,
}

impl UpstreamCrds {
    pub fn load() -> UpstreamCrds {
        let dir = crd_dir();
        let mut by_kind = BTreeMap::new();
        for sub in ["sveltos", "cluster-api"] {
            let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join(sub))
                .unwrap_or_else(|e| panic!("cannot list {}/{sub}: {e}", dir.display()))
                .map(|e| e.unwrap().path())
                .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
                .collect();
            files.sort();
            for file in files {
                for crd in yaml_documents(&file) {
                    let group = crd["spec"]["group"].as_str().unwrap().to_owned();
                    let kind = crd["spec"]["names"]["kind"].as_str().unwrap().to_owned();
                    by_kind.insert((group, kind), crd);
                }
            }
        }
        UpstreamCrds { by_kind }
    }

    pub fn crd(&self, group: &str, kind: &str) -> &Value {
        self.by_kind
            .get(&(group.to_owned(), kind.to_owned()))
            .unwrap_or_else(|| panic!("no upstream CRD for {group}/{kind}"))
    }

    /// `openAPIV3Schema` of the object's apiVersion.
    pub fn schema_for(&self, object: &Value) -> &Value {
        let api_version = object["apiVersion"].as_str().unwrap();
        let (group, version) = api_version.rsplit_once('/').unwrap();
        let kind = object["kind"].as_str().unwrap();
        version_schema(self.crd(group, kind), version)
            .unwrap_or_else(|| panic!("{group}/{kind} has no version {version}"))
    }
}

/// `openAPIV3Schema` of one version of a CRD.
pub fn version_schema<'a>(crd: &'a Value, version: &str) -> Option<&'a Value> {
    crd["spec"]["versions"]
        .as_array()?
        .iter()
        .find(|v| v["name"] == version)
        .map(|v| &v["schema"]["openAPIV3Schema"])
}

/// Whether `schema` accepts `object` exactly: nothing pruned, no validation error (before and
/// after defaulting).
pub fn check_admitted(schema: &Value, object: &Value) -> Result<(), String> {
    let mut pruned = object.clone();
    kubesim::schema::prune(schema, &mut pruned);
    if &pruned != object {
        return Err(format!(
            "pruned: before {}\nafter {}",
            serde_json::to_string(object).unwrap(),
            serde_json::to_string(&pruned).unwrap()
        ));
    }
    let errors = kubesim::schema::validate(schema, object);
    if !errors.is_empty() {
        let text: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
        return Err(format!("invalid: {}", text.join("; ")));
    }
    let mut defaulted = object.clone();
    kubesim::schema::admit(schema, &mut defaulted).map_err(|errors| {
        let text: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
        format!("invalid after defaulting: {}", text.join("; "))
    })
}

fn parse<T: DeserializeOwned>(object: &Value) -> Result<(), String> {
    serde_json::from_value::<T>(object.clone())
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// Deserialize into the typed struct of its kind; `None` for kinds the fleet does not read.
pub fn parse_typed(object: &Value) -> Option<Result<(), String>> {
    let api_version = object["apiVersion"].as_str().unwrap_or_default();
    Some(
        match (api_version, object["kind"].as_str().unwrap_or_default()) {
            ("cluster.x-k8s.io/v1beta2", "Cluster") => parse::<CapiCluster>(object),
            ("cluster.x-k8s.io/v1beta1", "Cluster") => parse::<CapiClusterV1beta1>(object),
            (_, "SveltosCluster") => parse::<SveltosCluster>(object),
            (_, "ClusterProfile") => parse::<ClusterProfile>(object),
            (_, "Profile") => parse::<Profile>(object),
            (_, "ClusterSummary") => parse::<ClusterSummary>(object),
            (_, "ClusterConfiguration") => parse::<ClusterConfiguration>(object),
            (_, "ClusterReport") => parse::<ClusterReport>(object),
            (_, "EventTrigger") => parse::<EventTrigger>(object),
            (_, "EventSource") => parse::<EventSource>(object),
            (_, "EventReport") => parse::<EventReport>(object),
            (_, "Classifier") => parse::<Classifier>(object),
            (_, "ClassifierReport") => parse::<ClassifierReport>(object),
            (_, "ManagementClusterClassifier") => parse::<ManagementClusterClassifier>(object),
            (_, "ManagementClusterClassifierReport") => {
                parse::<ManagementClusterClassifierReport>(object)
            }
            _ => return None,
        },
    )
}
