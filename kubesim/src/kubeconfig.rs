//! A kubeconfig that points any client at one kubesim instance.

/// Kubeconfig YAML for `url` with a bearer `token` (context and cluster named `kubesim`).
pub fn kubeconfig_yaml(url: &str, token: &str) -> String {
    let doc = serde_json::json!({
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "kubesim", "cluster": {"server": url}}],
        "users": [{"name": "kubesim-user", "user": {"token": token}}],
        "contexts": [{"name": "kubesim", "context": {"cluster": "kubesim", "user": "kubesim-user", "namespace": "default"}}],
        "current-context": "kubesim",
        "preferences": {},
    });
    serde_yaml::to_string(&doc).unwrap_or_default()
}
