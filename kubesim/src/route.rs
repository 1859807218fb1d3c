//! Turning a request path and method into what it addresses, as the apiserver's
//! `RequestInfoFactory` does: API prefix, group, version, namespace, resource, name, subresource.

use http::Method;

use crate::registry::Registry;

/// A request for a resource (or one of its subresources).
#[derive(Clone, Debug, PartialEq)]
pub struct ResourcePath {
    pub group: String,
    pub version: String,
    pub resource: String,
    /// "" for cluster-scoped requests and lists across all namespaces.
    pub namespace: String,
    pub name: String,
    pub subresource: String,
    /// Came through the deprecated `/watch/` prefix.
    pub watch_prefix: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Route {
    Health,
    Version,
    CoreVersions,
    GroupList,
    Group(String),
    ResourceList { group: String, version: String },
    Resource(ResourcePath),
    OpenApi(String),
    Controls(String),
    NotFound,
}

impl Route {
    pub fn is_discovery(&self) -> bool {
        matches!(
            self,
            Route::Version
                | Route::CoreVersions
                | Route::GroupList
                | Route::Group(_)
                | Route::ResourceList { .. }
                | Route::OpenApi(_)
        )
    }
}

pub fn parse(path: &str, registry: &Registry) -> Route {
    let trimmed = path.trim_end_matches('/');
    match trimmed {
        "/healthz" | "/readyz" | "/livez" => return Route::Health,
        "/version" => return Route::Version,
        "/api" => return Route::CoreVersions,
        "/apis" => return Route::GroupList,
        _ => {}
    }
    if trimmed.starts_with("/healthz/")
        || trimmed.starts_with("/readyz/")
        || trimmed.starts_with("/livez/")
    {
        return Route::Health;
    }
    if let Some(rest) = trimmed.strip_prefix("/openapi") {
        return Route::OpenApi(rest.to_string());
    }
    if let Some(rest) = trimmed.strip_prefix("/_kubesim/") {
        return Route::Controls(rest.to_string());
    }
    let segs: Vec<&str> = trimmed.split('/').skip(1).collect();
    let (group, version, rest) = match segs.as_slice() {
        ["api", v, rest @ ..] => (String::new(), v.to_string(), rest),
        ["apis", g] => return Route::Group(g.to_string()),
        ["apis", g, v, rest @ ..] => (g.to_string(), v.to_string(), rest),
        _ => return Route::NotFound,
    };
    if rest.is_empty() {
        return Route::ResourceList { group, version };
    }
    let (watch_prefix, rest) = match rest {
        ["watch", r @ ..] => (true, r),
        r => (false, r),
    };
    let namespaced = |res: &str| {
        registry
            .lookup(&group, &version, res)
            .is_some_and(|r| r.namespaced)
    };
    let (namespace, rest): (String, &[&str]) = match rest {
        ["namespaces", ns, res, tail @ ..] if !group.is_empty() || namespaced(res) => {
            let mut v = Vec::with_capacity(1 + tail.len());
            v.push(*res);
            v.extend_from_slice(tail);
            return finish(group, version, ns.to_string(), &v, watch_prefix);
        }
        r => (String::new(), r),
    };
    finish(group, version, namespace, rest, watch_prefix)
}

fn finish(
    group: String,
    version: String,
    namespace: String,
    rest: &[&str],
    watch_prefix: bool,
) -> Route {
    let (resource, name, subresource) = match rest {
        [r] => (r.to_string(), String::new(), String::new()),
        [r, n] => (r.to_string(), n.to_string(), String::new()),
        [r, n, s] => (r.to_string(), n.to_string(), s.to_string()),
        _ => return Route::NotFound,
    };
    Route::Resource(ResourcePath {
        group,
        version,
        resource,
        namespace,
        name,
        subresource,
        watch_prefix,
    })
}

/// The authorizer's verb for a resource request.
pub fn verb(method: &Method, rp: &ResourcePath, watch_param: bool) -> &'static str {
    let collection = rp.name.is_empty();
    match *method {
        Method::GET | Method::HEAD if rp.watch_prefix || (watch_param && collection) => "watch",
        Method::GET | Method::HEAD if watch_param => "watch",
        Method::GET | Method::HEAD if collection => "list",
        Method::GET | Method::HEAD => "get",
        Method::POST => "create",
        Method::PUT => "update",
        Method::PATCH => "patch",
        Method::DELETE if collection => "deletecollection",
        Method::DELETE => "delete",
        _ => "unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reg() -> Registry {
        Registry::new(crate::builtin::resources())
    }

    #[test]
    fn paths() {
        let r = reg();
        let Route::Resource(p) = parse("/api/v1/namespaces/a/configmaps/b", &r) else {
            panic!()
        };
        assert_eq!(
            (p.namespace.as_str(), p.resource.as_str(), p.name.as_str()),
            ("a", "configmaps", "b")
        );
        let Route::Resource(p) = parse("/api/v1/namespaces/a/status", &r) else {
            panic!()
        };
        assert_eq!(
            (p.resource.as_str(), p.name.as_str(), p.subresource.as_str()),
            ("namespaces", "a", "status")
        );
        let Route::Resource(p) = parse("/api/v1/namespaces/a", &r) else {
            panic!()
        };
        assert_eq!((p.resource.as_str(), p.name.as_str()), ("namespaces", "a"));
        let Route::Resource(p) = parse("/apis/x.io/v1/watch/namespaces/n/things", &r) else {
            panic!()
        };
        assert!(p.watch_prefix);
        assert_eq!(
            (p.group.as_str(), p.namespace.as_str(), p.resource.as_str()),
            ("x.io", "n", "things")
        );
        assert_eq!(
            parse("/apis/x.io/v1", &r),
            Route::ResourceList {
                group: "x.io".into(),
                version: "v1".into()
            }
        );
    }
}
