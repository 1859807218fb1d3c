//! Global object identification: opaque, stable `id`s that encode type and identity.

use async_graphql::ID;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::error::{Error, Result};

/// A decoded global id: the node type and the parts of its identity (for Kubernetes objects
/// namespace and name; for store rows the UUID).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeId {
    pub type_name: String,
    pub parts: Vec<String>,
}

impl NodeId {
    pub fn new(type_name: &str, parts: impl IntoIterator<Item = impl Into<String>>) -> Self {
        Self {
            type_name: type_name.to_string(),
            parts: parts.into_iter().map(Into::into).collect(),
        }
    }

    /// `base64url(json([type, part...]))`: JSON keeps parts containing any character intact.
    pub fn encode(&self) -> ID {
        let mut all = Vec::with_capacity(self.parts.len() + 1);
        all.push(self.type_name.as_str());
        all.extend(self.parts.iter().map(String::as_str));
        ID(URL_SAFE_NO_PAD.encode(serde_json::to_vec(&all).unwrap_or_default()))
    }

    pub fn decode(id: &str) -> Result<Self> {
        let bad = || Error::bad_field("id", format!("{id:?} is not an id issued by this server"));
        let bytes = URL_SAFE_NO_PAD.decode(id).map_err(|_| bad())?;
        let mut all: Vec<String> = serde_json::from_slice(&bytes).map_err(|_| bad())?;
        if all.is_empty() {
            return Err(bad());
        }
        let type_name = all.remove(0);
        Ok(Self {
            type_name,
            parts: all,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_garbage_is_refused() {
        let id = NodeId::new("SveltosCluster", ["ns/with/slashes", "name"]);
        assert_eq!(NodeId::decode(&id.encode()).unwrap(), id);
        assert!(NodeId::decode("nope").is_err());
        assert!(NodeId::decode(&URL_SAFE_NO_PAD.encode("[]")).is_err());
    }
}
