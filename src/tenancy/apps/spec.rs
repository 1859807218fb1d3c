//! What a user says an app is (components with images and traits, policies), its validation,
//! and the KubeVela Application spec built from it.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::vela::{AppPolicy, ApplicationComponent, ApplicationSpec, ApplicationTrait};
use crate::error::{Error, Result};

/// The component type used when none is given: KubeVela's built-in long-running service,
/// which takes `properties.image`.
pub const DEFAULT_COMPONENT_TYPE: &str = "webservice";

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
pub struct Trait {
    #[serde(rename = "type")]
    pub type_: String,
    #[serde(default)]
    pub properties: Map<String, Value>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
pub struct Component {
    pub name: String,
    #[serde(rename = "type")]
    pub type_: String,
    /// Everything the component definition takes, `image` included.
    #[serde(default)]
    pub properties: Map<String, Value>,
    #[serde(default)]
    pub traits: Vec<Trait>,
}

impl Component {
    pub fn image(&self) -> Option<&str> {
        self.properties.get("image").and_then(Value::as_str)
    }
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
pub struct Policy {
    pub name: String,
    #[serde(rename = "type")]
    pub type_: String,
    #[serde(default)]
    pub properties: Map<String, Value>,
}

static DNS_LABEL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$").expect("regex"));
static DEFINITION_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$").expect("regex")
});
// The distribution reference grammar (github.com/distribution/reference), without the
// optional scheme-less host normalisation: [host[:port]/]path[:tag][@digest].
static IMAGE: LazyLock<Regex> = LazyLock::new(|| {
    let component = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
    let host = r"(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:]+\])(?::[0-9]+)?";
    let tag = r"[\w][\w.-]{0,127}";
    let digest = r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}";
    Regex::new(&format!(
        r"^(?:{host}/)?{component}(?:/{component})*(?::{tag})?(?:@{digest})?$"
    ))
    .expect("regex")
});

/// A DNS-1123 label: what Kubernetes accepts as an Application name (and the label values
/// KubeVela derives from it).
pub fn validate_dns_label(field: &str, value: &str) -> Result<()> {
    if value.is_empty() || value.len() > 63 || !DNS_LABEL.is_match(value) {
        return Err(Error::bad_field(
            field,
            format!(
                "{value:?} is not a valid name: use at most 63 lower-case letters, digits and '-', \
                 starting and ending with a letter or digit"
            ),
        ));
    }
    Ok(())
}

/// A KubeVela definition name (component, trait, policy or workflow-step type).
pub fn validate_definition_name(field: &str, value: &str) -> Result<()> {
    if value.is_empty() || value.len() > 253 || !DEFINITION_NAME.is_match(value) {
        return Err(Error::bad_field(
            field,
            format!(
                "{value:?} is not a valid definition type: use a DNS-1123 subdomain such as webservice or scaler"
            ),
        ));
    }
    Ok(())
}

/// A container image reference, e.g. `nginx`, `ghcr.io/org/app:1.2`, `repo@sha256:...`.
pub fn validate_image(field: &str, value: &str) -> Result<()> {
    if value.is_empty() || value.len() > 4096 || !IMAGE.is_match(value) {
        return Err(Error::bad_field(
            field,
            format!(
                "{value:?} is not a valid image reference: use [registry/]repository[:tag][@digest]"
            ),
        ));
    }
    Ok(())
}

fn validate_traits(field: &str, traits: &[Trait]) -> Result<()> {
    let mut seen = BTreeSet::new();
    for (i, t) in traits.iter().enumerate() {
        validate_definition_name(&format!("{field}[{i}].type"), &t.type_)?;
        if !seen.insert(t.type_.as_str()) {
            return Err(Error::bad_field(
                format!("{field}[{i}].type"),
                format!(
                    "trait {} is given twice; give each trait type once",
                    t.type_
                ),
            ));
        }
    }
    Ok(())
}

pub fn validate_components(field: &str, components: &[Component]) -> Result<()> {
    if components.is_empty() {
        return Err(Error::bad_field(
            field,
            "an app needs at least one component (or an image)",
        ));
    }
    let mut names = BTreeSet::new();
    for (i, c) in components.iter().enumerate() {
        let at = format!("{field}[{i}]");
        validate_dns_label(&format!("{at}.name"), &c.name)?;
        if !names.insert(c.name.as_str()) {
            return Err(Error::bad_field(
                format!("{at}.name"),
                format!(
                    "component {} is given twice; component names must be unique",
                    c.name
                ),
            ));
        }
        validate_definition_name(&format!("{at}.type"), &c.type_)?;
        match c.properties.get("image") {
            None => {}
            Some(Value::String(image)) => validate_image(&format!("{at}.image"), image)?,
            Some(_) => {
                return Err(Error::bad_field(
                    format!("{at}.properties.image"),
                    "image must be a string",
                ));
            }
        }
        validate_traits(&format!("{at}.traits"), &c.traits)?;
    }
    Ok(())
}

pub fn validate_policies(field: &str, policies: &[Policy]) -> Result<()> {
    let mut names = BTreeSet::new();
    for (i, p) in policies.iter().enumerate() {
        validate_dns_label(&format!("{field}[{i}].name"), &p.name)?;
        validate_definition_name(&format!("{field}[{i}].type"), &p.type_)?;
        if !names.insert(p.name.as_str()) {
            return Err(Error::bad_field(
                format!("{field}[{i}].name"),
                format!(
                    "policy {} is given twice; policy names must be unique",
                    p.name
                ),
            ));
        }
    }
    Ok(())
}

/// `image` or `image:tag` as the legacy image-update took them.
pub fn image_with_tag(image: &str, tag: Option<&str>) -> String {
    match tag.map(str::trim).filter(|t| !t.is_empty()) {
        Some(tag) => format!("{image}:{tag}"),
        None => image.to_string(),
    }
}

fn object(properties: &Map<String, Value>) -> Option<Value> {
    (!properties.is_empty()).then(|| Value::Object(properties.clone()))
}

/// The Application spec for these components and policies.
pub fn application_spec(components: &[Component], policies: &[Policy]) -> ApplicationSpec {
    ApplicationSpec {
        components: components
            .iter()
            .map(|c| ApplicationComponent {
                name: c.name.clone(),
                type_: c.type_.clone(),
                properties: object(&c.properties),
                traits: c
                    .traits
                    .iter()
                    .map(|t| ApplicationTrait {
                        type_: t.type_.clone(),
                        properties: object(&t.properties),
                    })
                    .collect(),
                ..Default::default()
            })
            .collect(),
        policies: policies
            .iter()
            .map(|p| AppPolicy {
                name: p.name.clone(),
                type_: p.type_.clone(),
                properties: object(&p.properties),
            })
            .collect(),
        ..Default::default()
    }
}

pub fn to_json<T: Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or_else(|_| json!(null))
}

pub fn from_json<T: for<'de> Deserialize<'de>>(what: &str, value: &Value) -> Result<T> {
    serde_json::from_value(value.clone())
        .map_err(|e| Error::Internal(format!("stored {what} does not parse: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images() {
        for ok in [
            "nginx",
            "nginx:1.25",
            "docker.io/library/nginx:1.23.0",
            "ghcr.io/vaheed/kubenova/agent:latest",
            "localhost:5000/a/b",
            "repo@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        ] {
            assert!(validate_image("i", ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "Nginx",
            "repo/UPPER",
            "nginx:",
            "a b",
            "nginx::1",
            ":tag",
            "-x",
        ] {
            assert!(validate_image("i", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn names() {
        assert!(validate_dns_label("n", "web-1").is_ok());
        for bad in ["", "Web", "-web", "web-", "a_b", &"a".repeat(64)] {
            assert!(validate_dns_label("n", bad).is_err(), "{bad}");
        }
        assert!(validate_definition_name("t", "k8s-objects").is_ok());
        assert!(validate_definition_name("t", "Scaler").is_err());
    }

    #[test]
    fn components_are_checked_in_depth() {
        let web = |name: &str| Component {
            name: name.into(),
            type_: "webservice".into(),
            properties: serde_json::from_value(json!({"image": "nginx"})).expect("map"),
            traits: vec![],
        };
        assert!(validate_components("c", &[web("a"), web("b")]).is_ok());
        assert!(validate_components("c", &[]).is_err());
        assert!(validate_components("c", &[web("a"), web("a")]).is_err());
        let mut bad_trait = web("a");
        bad_trait.traits = vec![
            Trait {
                type_: "scaler".into(),
                properties: Map::new(),
            },
            Trait {
                type_: "scaler".into(),
                properties: Map::new(),
            },
        ];
        assert!(validate_components("c", &[bad_trait]).is_err());
        let mut bad_image = web("a");
        bad_image
            .properties
            .insert("image".into(), json!("Not An Image"));
        let err = validate_components("c", &[bad_image]).expect_err("bad image");
        assert!(matches!(err, Error::BadUserInput { field: Some(f), .. } if f == "c[0].image"));
    }

    #[test]
    fn spec_omits_empty_properties() {
        let spec = application_spec(
            &[Component {
                name: "web".into(),
                type_: "webservice".into(),
                properties: Map::new(),
                traits: vec![Trait {
                    type_: "scaler".into(),
                    properties: Map::new(),
                }],
            }],
            &[],
        );
        assert_eq!(
            to_json(&spec),
            json!({"components": [{"name": "web", "type": "webservice", "traits": [{"type": "scaler"}]}]})
        );
    }
}
