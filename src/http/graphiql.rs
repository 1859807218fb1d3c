//! GraphiQL served from bundled assets (`assets/graphiql`), never from a CDN.

use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

/// Where the assets are mounted; the version in the path lets browsers cache them forever.
pub const ASSET_PREFIX: &str = "/graphiql/3.9.0";

struct Asset {
    name: &'static str,
    content_type: &'static str,
    bytes: &'static [u8],
}

const ASSETS: &[Asset] = &[
    Asset {
        name: "graphiql.min.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../../assets/graphiql/graphiql.min.js"),
    },
    Asset {
        name: "graphiql.min.css",
        content_type: "text/css; charset=utf-8",
        bytes: include_bytes!("../../assets/graphiql/graphiql.min.css"),
    },
    Asset {
        name: "react.production.min.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../../assets/graphiql/react.production.min.js"),
    },
    Asset {
        name: "react-dom.production.min.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../../assets/graphiql/react-dom.production.min.js"),
    },
];

/// The GraphiQL page. Queries go to `/graphql`, subscriptions to `/graphql/ws`; the headers
/// editor carries the `Authorization` header.
pub fn page() -> Html<String> {
    Html(format!(
        r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>fleetgraph · GraphiQL</title>
<link rel="stylesheet" href="{p}/graphiql.min.css">
<style>html, body, #graphiql {{ height: 100%; margin: 0; }}</style>
</head>
<body>
<div id="graphiql">Loading GraphiQL…</div>
<script src="{p}/react.production.min.js"></script>
<script src="{p}/react-dom.production.min.js"></script>
<script src="{p}/graphiql.min.js"></script>
<script>
  const url = new URL('/graphql', window.location.href).href;
  const subscriptionUrl = url.replace(/^http/, 'ws') + '/ws';
  const fetcher = GraphiQL.createFetcher({{ url, subscriptionUrl }});
  ReactDOM.createRoot(document.getElementById('graphiql')).render(
    React.createElement(GraphiQL, {{
      fetcher,
      shouldPersistHeaders: true,
      defaultQuery: '# fleetgraph: one graph over your fleet.\n# Put your token in Headers: {{"Authorization": "Bearer ..."}}\n\n{{\n  version {{ version gitCommit features }}\n  viewer {{ subject roles authKind }}\n}}\n',
    }}),
  );
</script>
</body>
</html>
"#,
        p = ASSET_PREFIX
    ))
}

pub async fn asset(Path(name): Path<String>) -> Response {
    match ASSETS.iter().find(|a| a.name == name) {
        Some(asset) => (
            [
                (header::CONTENT_TYPE, asset.content_type),
                (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
            ],
            asset.bytes,
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "no such GraphiQL asset").into_response(),
    }
}
