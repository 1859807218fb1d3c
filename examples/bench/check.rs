//! `--check-orders`: walks `clusters` page by page with cursors in the default order and in its
//! reverse (which takes the general sort path), and checks one is the other backwards, and that
//! `last`/`before` gives the same items as the forward walk. Prints the number of clusters seen.

use anyhow::{Result, bail};
use serde_json::{Value, json};

use crate::world::World;

const FIELDS: &str =
    "totalCount pageInfo { hasNextPage endCursor } edges { cursor node { kind namespace name } }";

async fn walk(
    world: &World,
    http: &reqwest::Client,
    filter: &str,
    direction: &str,
) -> Result<Vec<Value>> {
    let mut items = Vec::new();
    let mut after = Value::Null;
    loop {
        let query = format!(
            "{{ clusters(filter: {filter}, orderBy: {{ field: NAMESPACE_NAME, direction: {direction} }}, \
             first: 100, after: {after}) {{ {FIELDS} }} }}"
        );
        let page = world.admin(http, &query, json!({})).await?;
        let page = &page["clusters"];
        items.extend(page["edges"].as_array().cloned().unwrap_or_default());
        if page["pageInfo"]["hasNextPage"] != true {
            return Ok(items);
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
}

pub async fn run(world: &World, http: &reqwest::Client) -> Result<usize> {
    let mut seen = 0;
    for filter in ["{}", "{ kind: SVELTOS }", "{ name: \"1\" }"] {
        let asc = walk(world, http, filter, "ASC").await?;
        let mut desc = walk(world, http, filter, "DESC").await?;
        desc.reverse();
        let nodes = |v: &[Value]| v.iter().map(|e| e["node"].clone()).collect::<Vec<_>>();
        if nodes(&asc) != nodes(&desc) || asc.is_empty() {
            bail!("filter {filter}: ascending and reversed descending walks differ");
        }
        let mid = asc.len() / 2;
        let before = &asc[mid]["cursor"];
        let query =
            format!("{{ clusters(filter: {filter}, last: 7, before: {before}) {{ {FIELDS} }} }}");
        let back = world.admin(http, &query, json!({})).await?;
        let back = back["clusters"]["edges"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        if back != asc[mid.saturating_sub(7)..mid] {
            bail!("filter {filter}: last/before differs from the forward walk");
        }
        seen += asc.len();
    }
    Ok(seen)
}
