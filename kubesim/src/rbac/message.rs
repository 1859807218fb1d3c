//! The 403 message of the apiserver's `responsewriters.Forbidden`, so that clients and kubectl
//! print exactly what they print against a real cluster.

use crate::identity::{Attributes, UserInfo};

/// `pods "x" is forbidden: User "alice" cannot get resource "pods" in API group "" in the
/// namespace "ns"` (and `: <reason>` when the authorizer gave one). Non-resource requests read
/// `forbidden: User "alice" cannot get path "/logs"`.
pub fn forbidden_message(user: &UserInfo, attrs: &Attributes, reason: &str) -> String {
    let who = &user.username;
    let mut detail = match &attrs.path {
        Some(path) => format!("User \"{who}\" cannot {} path \"{path}\"", attrs.verb),
        None => {
            let resource = if attrs.subresource.is_empty() {
                attrs.resource.clone()
            } else {
                format!("{}/{}", attrs.resource, attrs.subresource)
            };
            let scope = if attrs.namespace.is_empty() {
                "at the cluster scope".to_string()
            } else {
                format!("in the namespace \"{}\"", attrs.namespace)
            };
            format!(
                "User \"{who}\" cannot {} resource \"{resource}\" in API group \"{}\" {scope}",
                attrs.verb, attrs.api_group
            )
        }
    };
    if !reason.is_empty() {
        detail = format!("{detail}: {reason}");
    }
    if attrs.path.is_some() || attrs.resource.is_empty() {
        return format!("forbidden: {detail}");
    }
    let qualified = if attrs.api_group.is_empty() {
        attrs.resource.clone()
    } else {
        format!("{}.{}", attrs.resource, attrs.api_group)
    };
    if attrs.name.is_empty() {
        format!("{qualified} is forbidden: {detail}")
    } else {
        format!("{qualified} \"{}\" is forbidden: {detail}", attrs.name)
    }
}
