//! Relay connections over in-memory, sorted lists.
//!
//! A cursor carries the sort key of its item (not an offset), so it stays valid while the list
//! changes: `after: c` always means "items that sort after c", even if c's item is gone.

use std::cmp::Ordering;

use async_graphql::connection::{Connection, CursorType, Edge};
use async_graphql::{Lookahead, OutputType, SimpleObject};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

use crate::config::LimitsConfig;
use crate::error::{Error, Result};

/// One component of a sort key.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(untagged)]
pub enum KeyPart {
    Int(i64),
    Text(String),
}

impl From<&str> for KeyPart {
    fn from(s: &str) -> Self {
        KeyPart::Text(s.to_string())
    }
}

impl From<String> for KeyPart {
    fn from(s: String) -> Self {
        KeyPart::Text(s)
    }
}

impl From<i64> for KeyPart {
    fn from(i: i64) -> Self {
        KeyPart::Int(i)
    }
}

impl From<bool> for KeyPart {
    fn from(b: bool) -> Self {
        KeyPart::Int(i64::from(b))
    }
}

/// A sort key: parts compared in turn, each ascending or descending. The last parts must make
/// keys unique (the identity of the item) so the order is total.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SortKey {
    parts: Vec<KeyPart>,
    descending: Vec<bool>,
}

impl SortKey {
    pub fn new(parts: Vec<(KeyPart, bool)>) -> Self {
        let (parts, descending) = parts.into_iter().unzip();
        Self { parts, descending }
    }

    /// All parts ascending.
    pub fn ascending(parts: impl IntoIterator<Item = KeyPart>) -> Self {
        Self::new(parts.into_iter().map(|p| (p, false)).collect())
    }
}

impl Ord for SortKey {
    fn cmp(&self, other: &Self) -> Ordering {
        for (i, (a, b)) in self.parts.iter().zip(&other.parts).enumerate() {
            let ordering = a.cmp(b);
            let ordering = if self.descending.get(i).copied().unwrap_or(false) {
                ordering.reverse()
            } else {
                ordering
            };
            if ordering != Ordering::Equal {
                return ordering;
            }
        }
        self.parts.len().cmp(&other.parts.len())
    }
}

impl PartialOrd for SortKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// The opaque cursor: the order it was taken under and the item's key parts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SortCursor {
    #[serde(rename = "o")]
    pub order: String,
    #[serde(rename = "k")]
    pub parts: Vec<KeyPart>,
}

impl CursorType for SortCursor {
    type Error = String;

    fn decode_cursor(s: &str) -> std::result::Result<Self, Self::Error> {
        let bytes = URL_SAFE_NO_PAD
            .decode(s)
            .map_err(|_| "not a cursor from this list".to_string())?;
        serde_json::from_slice(&bytes).map_err(|_| "not a cursor from this list".to_string())
    }

    fn encode_cursor(&self) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).unwrap_or_default())
    }
}

/// `totalCount` on every connection.
#[derive(SimpleObject, Clone, Copy, Debug)]
pub struct ConnectionTotals {
    /// Items matching the filters, over all pages.
    pub total_count: usize,
}

/// Relay arguments as given.
#[derive(Clone, Debug, Default)]
pub struct PageArgs {
    pub after: Option<String>,
    pub before: Option<String>,
    pub first: Option<i32>,
    pub last: Option<i32>,
}

impl PageArgs {
    pub fn new(
        after: Option<String>,
        before: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
    ) -> Self {
        Self {
            after,
            before,
            first,
            last,
        }
    }
}

pub type Page<N> = Connection<SortCursor, N, ConnectionTotals>;

/// Cuts one page out of `items`, which must be sorted by their keys under `order` (a name for
/// the order, e.g. `NAMESPACE_NAME`, so a cursor from another order is refused).
pub fn paginate<T, N: OutputType>(
    items: Vec<(SortKey, T)>,
    order: &str,
    args: &PageArgs,
    limits: &LimitsConfig,
    to_node: impl Fn(T) -> N,
) -> Result<Page<N>> {
    paginate_sorted(
        items,
        |(k, _)| k.clone(),
        order,
        args,
        limits,
        |(_, item)| to_node(item),
    )
}

/// [`paginate`] for items sorted under `order` whose keys `key` computes on demand: only the
/// binary searches of the cursors and the page's own edges build keys, so one page of a list of
/// thousands does not allocate a key per item.
pub fn paginate_sorted<T, N: OutputType>(
    items: Vec<T>,
    key: impl Fn(&T) -> SortKey,
    order: &str,
    args: &PageArgs,
    limits: &LimitsConfig,
    to_node: impl Fn(T) -> N,
) -> Result<Page<N>> {
    cut(items, key, order, args, limits, Some(to_node))
}

/// [`paginate_sorted`] for a query that reads none of the page's items (see [`reads_items`]),
/// e.g. a count per cluster: the arguments and cursors are checked the same way and the counts
/// and page flags are the same, but the page has no edges, so no key or node is built for it.
pub fn count_sorted<T, N: OutputType>(
    items: Vec<T>,
    key: impl Fn(&T) -> SortKey,
    order: &str,
    args: &PageArgs,
    limits: &LimitsConfig,
) -> Result<Page<N>> {
    cut(items, key, order, args, limits, None::<fn(T) -> N>)
}

/// Whether a connection's selection reads its items (`edges`, `nodes`, or `pageInfo`, whose
/// cursors come from the edges); `false` when it asks only for `totalCount`.
pub fn reads_items(selection: &Lookahead<'_>) -> bool {
    ["edges", "nodes", "pageInfo"]
        .iter()
        .any(|f| selection.field(f).exists())
}

fn cut<T, N: OutputType>(
    items: Vec<T>,
    key: impl Fn(&T) -> SortKey,
    order: &str,
    args: &PageArgs,
    limits: &LimitsConfig,
    to_node: Option<impl Fn(T) -> N>,
) -> Result<Page<N>> {
    let size = page_size(args, limits)?;
    let cursor = |raw: &Option<String>, name: &str| -> Result<Option<SortKey>> {
        let Some(raw) = raw else { return Ok(None) };
        let decoded = SortCursor::decode_cursor(raw)
            .map_err(|e| Error::bad_field(name, format!("{name}: {e}")))?;
        if decoded.order != order {
            return Err(Error::bad_field(
                name,
                format!("{name}: the cursor belongs to another order; start again without it"),
            ));
        }
        let template = items.first().map(|item| key(item).descending);
        Ok(Some(SortKey {
            parts: decoded.parts,
            descending: template.unwrap_or_default(),
        }))
    };
    let after = cursor(&args.after, "after")?;
    let before = cursor(&args.before, "before")?;
    let total_count = items.len();
    let start = after
        .as_ref()
        .map(|a| items.partition_point(|item| key(item) <= *a))
        .unwrap_or(0);
    let end = before
        .as_ref()
        .map(|b| items.partition_point(|item| key(item) < *b))
        .unwrap_or(total_count)
        .max(start);
    let (from, to) = match (args.first.is_some(), args.last.is_some()) {
        (_, true) => (end.saturating_sub(size).max(start), end),
        _ => (start, (start + size).min(end)),
    };
    let has_previous_page = from > start || (from > 0 && after.is_some());
    let has_next_page = to < end || (to < total_count && before.is_some());
    let mut page = Connection::with_additional_fields(
        has_previous_page,
        has_next_page,
        ConnectionTotals { total_count },
    );
    let Some(to_node) = to_node else {
        return Ok(page);
    };
    page.edges
        .extend(items.into_iter().skip(from).take(to - from).map(|item| {
            Edge::new(
                SortCursor {
                    order: order.to_string(),
                    parts: key(&item).parts,
                },
                to_node(item),
            )
        }));
    Ok(page)
}

fn page_size(args: &PageArgs, limits: &LimitsConfig) -> Result<usize> {
    if args.first.is_some() && args.last.is_some() {
        return Err(Error::bad_input(
            "give either `first` (with `after`) or `last` (with `before`), not both",
        ));
    }
    let (name, requested) = match (args.first, args.last) {
        (Some(n), _) => ("first", n),
        (_, Some(n)) => ("last", n),
        _ => return Ok(limits.default_page_size.min(limits.max_page_size)),
    };
    if requested < 0 {
        return Err(Error::bad_field(
            name,
            format!("{name} must not be negative"),
        ));
    }
    let requested = requested as usize;
    if requested > limits.max_page_size {
        return Err(Error::bad_field(
            name,
            format!(
                "{name} may be at most {}; page through the rest with cursors",
                limits.max_page_size
            ),
        ));
    }
    Ok(requested)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(n: i64) -> Vec<(SortKey, i64)> {
        (0..n)
            .map(|i| (SortKey::ascending([KeyPart::Int(i)]), i))
            .collect()
    }

    fn nodes(page: &Page<i64>) -> Vec<i64> {
        page.edges.iter().map(|e| e.node).collect()
    }

    fn failure(result: Result<Page<i64>>) -> Error {
        match result {
            Ok(_) => panic!("expected an error"),
            Err(e) => e,
        }
    }

    fn cursor_of(page: &Page<i64>, i: usize) -> String {
        page.edges[i].cursor.encode_cursor()
    }

    #[test]
    fn pages_forward_and_backward() {
        let limits = LimitsConfig::default();
        let first = paginate(
            items(5),
            "o",
            &PageArgs::new(None, None, Some(2), None),
            &limits,
            |i| i,
        )
        .unwrap();
        assert_eq!(nodes(&first), vec![0, 1]);
        assert!(first.has_next_page && !first.has_previous_page);
        assert_eq!(first.additional_fields.total_count, 5);
        let after = cursor_of(&first, 1);
        let second = paginate(
            items(5),
            "o",
            &PageArgs::new(Some(after), None, Some(2), None),
            &limits,
            |i| i,
        )
        .unwrap();
        assert_eq!(nodes(&second), vec![2, 3]);
        assert!(second.has_previous_page && second.has_next_page);
        let after = cursor_of(&second, 1);
        let last = paginate(
            items(5),
            "o",
            &PageArgs::new(Some(after), None, Some(2), None),
            &limits,
            |i| i,
        )
        .unwrap();
        assert_eq!(nodes(&last), vec![4], "exact last page");
        assert!(!last.has_next_page);
        let beyond = cursor_of(&last, 0);
        let empty = paginate(
            items(5),
            "o",
            &PageArgs::new(Some(beyond), None, Some(2), None),
            &limits,
            |i| i,
        )
        .unwrap();
        assert!(nodes(&empty).is_empty(), "beyond the end");
        let tail = paginate(
            items(5),
            "o",
            &PageArgs::new(None, None, None, Some(2)),
            &limits,
            |i| i,
        )
        .unwrap();
        assert_eq!(nodes(&tail), vec![3, 4]);
        assert!(tail.has_previous_page && !tail.has_next_page);
    }

    #[test]
    fn cursors_survive_removal_of_their_item() {
        let limits = LimitsConfig::default();
        let page = paginate(
            items(5),
            "o",
            &PageArgs::new(None, None, Some(3), None),
            &limits,
            |i| i,
        )
        .unwrap();
        let after = cursor_of(&page, 2);
        let mut shrunk = items(5);
        shrunk.remove(2);
        let next = paginate(
            shrunk,
            "o",
            &PageArgs::new(Some(after), None, Some(3), None),
            &limits,
            |i| i,
        )
        .unwrap();
        assert_eq!(nodes(&next), vec![3, 4]);
    }

    #[test]
    fn limits_and_bad_cursors_are_input_errors() {
        let limits = LimitsConfig::default();
        let err = failure(paginate(
            items(5),
            "o",
            &PageArgs::new(None, None, Some(101), None),
            &limits,
            |i| i,
        ));
        assert_eq!(err.code().as_str(), "BAD_USER_INPUT");
        let err = failure(paginate(
            items(5),
            "o",
            &PageArgs::new(None, None, Some(-1), None),
            &limits,
            |i| i,
        ));
        assert_eq!(err.code().as_str(), "BAD_USER_INPUT");
        let err = failure(paginate(
            items(5),
            "o",
            &PageArgs::new(None, None, Some(1), Some(1)),
            &limits,
            |i| i,
        ));
        assert_eq!(err.code().as_str(), "BAD_USER_INPUT");
        let err = failure(paginate(
            items(5),
            "o",
            &PageArgs::new(Some("%%".into()), None, None, None),
            &limits,
            |i| i,
        ));
        assert_eq!(err.code().as_str(), "BAD_USER_INPUT");
        let other = SortCursor {
            order: "x".into(),
            parts: vec![KeyPart::Int(1)],
        }
        .encode_cursor();
        let err = failure(paginate(
            items(5),
            "o",
            &PageArgs::new(Some(other), None, None, None),
            &limits,
            |i| i,
        ));
        assert!(err.to_string().contains("another order"));
        let empty: Vec<(SortKey, i64)> = Vec::new();
        let page = paginate(empty, "o", &PageArgs::default(), &limits, |i| i).unwrap();
        assert!(page.edges.is_empty() && !page.has_next_page && !page.has_previous_page);
    }

    #[test]
    fn counting_checks_and_flags_as_paging_does() {
        let limits = LimitsConfig::default();
        let key = |i: &i64| SortKey::ascending([KeyPart::Int(*i)]);
        let list = || (0..5).collect::<Vec<i64>>();
        let first = paginate_sorted(
            list(),
            key,
            "o",
            &PageArgs::new(None, None, Some(2), None),
            &limits,
            |i| i,
        )
        .unwrap();
        let after = cursor_of(&first, 1);
        for args in [
            PageArgs::default(),
            PageArgs::new(None, None, Some(2), None),
            PageArgs::new(Some(after.clone()), None, Some(2), None),
            PageArgs::new(None, Some(after), None, Some(1)),
        ] {
            let paged = paginate_sorted(list(), key, "o", &args, &limits, |i| i).unwrap();
            let counted: Page<i64> = count_sorted(list(), key, "o", &args, &limits).unwrap();
            assert!(counted.edges.is_empty());
            assert_eq!(counted.additional_fields.total_count, 5);
            assert_eq!(
                (counted.has_previous_page, counted.has_next_page),
                (paged.has_previous_page, paged.has_next_page),
                "{args:?}"
            );
        }
        for args in [
            PageArgs::new(None, None, Some(-1), None),
            PageArgs::new(Some("%%".into()), None, None, None),
            PageArgs::new(None, None, Some(1), Some(1)),
        ] {
            let counted: Result<Page<i64>> = count_sorted(list(), key, "o", &args, &limits);
            assert_eq!(failure(counted).code().as_str(), "BAD_USER_INPUT");
        }
    }

    #[test]
    fn descending_parts_reverse_the_order() {
        let a = SortKey::new(vec![(KeyPart::Int(1), true), (KeyPart::from("a"), false)]);
        let b = SortKey::new(vec![(KeyPart::Int(2), true), (KeyPart::from("a"), false)]);
        assert!(b < a);
    }
}
