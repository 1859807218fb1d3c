//! The four pagination edges every connection must get right: an empty result, the exact last
//! page, a page beyond the end, and a bad cursor (a coded error naming the argument).

use serde_json::{Value, json};

use super::TestServer;
use super::server::error_codes;

/// A connection to probe: `query` declares `$first: Int` and `$after: String` (plus whatever
/// `variables` fill in) and selects `totalCount`, `pageInfo { hasNextPage hasPreviousPage
/// endCursor }` and `edges { cursor }` of the connection at JSON `pointer`.
pub struct Connection<'a> {
    pub server: &'a TestServer,
    pub token: Option<&'a str>,
    pub query: &'a str,
    pub pointer: &'a str,
    pub variables: Value,
}

impl Connection<'_> {
    async fn ask(&self, extra: Value) -> Value {
        let mut variables = self.variables.clone();
        for (k, v) in extra.as_object().expect("object") {
            variables[k] = v.clone();
        }
        self.server.gql_as(self.token, self.query, variables).await
    }

    fn at<'b>(&self, body: &'b Value) -> &'b Value {
        body.pointer(self.pointer)
            .unwrap_or_else(|| panic!("no connection at {}: {body}", self.pointer))
    }

    /// Checks the exact last page, beyond the end and a bad cursor on a connection of `total`
    /// (at least one) items.
    pub async fn assert_edges(&self, total: usize) {
        assert!(
            total > 0,
            "{}: the world gives this connection rows",
            self.pointer
        );
        let exact = self.ask(json!({ "first": total })).await;
        assert!(exact.get("errors").is_none(), "{exact}");
        let page = self.at(&exact);
        assert_eq!(page["totalCount"], total, "{}: {page}", self.pointer);
        assert_eq!(page["edges"].as_array().map(Vec::len), Some(total));
        assert_eq!(page["pageInfo"]["hasNextPage"], false, "exact last page");
        assert_eq!(page["pageInfo"]["hasPreviousPage"], false);
        let end = page["pageInfo"]["endCursor"].clone();
        assert_eq!(end, page["edges"][total - 1]["cursor"]);

        if total > 1 {
            let last_page = self
                .ask(json!({ "first": 1, "after": page["edges"][total - 2]["cursor"] }))
                .await;
            let last_page = self.at(&last_page);
            assert_eq!(last_page["edges"].as_array().map(Vec::len), Some(1));
            assert_eq!(
                last_page["pageInfo"]["hasNextPage"], false,
                "last page of one"
            );
            assert_eq!(last_page["pageInfo"]["hasPreviousPage"], true);
        }

        let beyond = self.ask(json!({ "first": 5, "after": end })).await;
        assert!(beyond.get("errors").is_none(), "{beyond}");
        let beyond = self.at(&beyond);
        assert_eq!(
            beyond["edges"],
            json!([]),
            "{}: beyond the end",
            self.pointer
        );
        assert_eq!(beyond["totalCount"], total);
        assert_eq!(beyond["pageInfo"]["hasNextPage"], false);

        let bad = self
            .ask(json!({ "first": 1, "after": "not-a-cursor" }))
            .await;
        // One error per connection the cursor reached (a nested connection may repeat).
        let codes = error_codes(&bad);
        assert!(
            !codes.is_empty() && codes.iter().all(|c| c == "BAD_USER_INPUT"),
            "{}: {bad}",
            self.pointer
        );
        assert_eq!(bad["errors"][0]["extensions"]["field"], "after", "{bad}");
    }

    /// Checks that `empty` (variables selecting nothing) gives an empty connection.
    pub async fn assert_empty(&self, empty: Value) {
        let body = self.ask(empty.clone()).await;
        assert!(body.get("errors").is_none(), "{empty}: {body}");
        let page = self.at(&body);
        assert_eq!(page["totalCount"], 0, "{empty}: {page}");
        assert_eq!(page["edges"], json!([]), "empty is [], not null");
        assert_eq!(page["pageInfo"]["hasNextPage"], false);
        assert_eq!(page["pageInfo"]["hasPreviousPage"], false);
    }
}
