//! `version`: what the server is and which capabilities are switched on.

use async_graphql::{Context, Object, SimpleObject};

use crate::build_info;

/// Capability names of this running server, sorted, e.g. `graphiql`, `store:sqlite`.
#[derive(Clone, Debug, Default)]
pub struct Features(pub Vec<String>);

impl Features {
    pub fn new(names: impl IntoIterator<Item = String>) -> Self {
        let mut names: Vec<String> = names.into_iter().collect();
        names.sort();
        names.dedup();
        Self(names)
    }
}

#[derive(SimpleObject)]
pub struct Version {
    /// Semantic version of the server.
    pub version: String,
    /// Commit the server was built from, or `unknown`.
    pub git_commit: String,
    /// Capabilities switched on in this server, sorted.
    pub features: Vec<String>,
}

#[derive(Default)]
pub struct VersionQuery;

#[Object]
impl VersionQuery {
    /// The server's version and capabilities.
    async fn version(&self, ctx: &Context<'_>) -> Version {
        let features = ctx
            .data_opt::<Features>()
            .map(|f| f.0.clone())
            .unwrap_or_default();
        Version {
            version: build_info::VERSION.to_string(),
            git_commit: build_info::GIT_COMMIT.to_string(),
            features,
        }
    }
}
