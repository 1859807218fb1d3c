//! Profile dependencies and dependents (decisions.md §3): `dependsOn` names resolved against the
//! profiles that exist, with no phantom entries. A ClusterProfile depends on ClusterProfiles; a
//! Profile on Profiles of its own namespace, and its references carry that namespace.

use super::profile::{ClusterProfile, Profile, ProfileKind};
use kube::ResourceExt;
use std::collections::{BTreeMap, BTreeSet};

/// Identity of a profile: kind, namespace (`None` for ClusterProfiles) and name.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ProfileId {
    pub kind: ProfileKind,
    pub namespace: Option<String>,
    pub name: String,
}

impl ProfileId {
    pub fn cluster_profile(name: &str) -> ProfileId {
        ProfileId {
            kind: ProfileKind::ClusterProfile,
            namespace: None,
            name: name.to_owned(),
        }
    }

    pub fn profile(namespace: &str, name: &str) -> ProfileId {
        ProfileId {
            kind: ProfileKind::Profile,
            namespace: Some(namespace.to_owned()),
            name: name.to_owned(),
        }
    }

    /// The profile a `dependsOn` name of this profile refers to.
    pub fn dependency(&self, name: &str) -> ProfileId {
        ProfileId {
            kind: self.kind,
            namespace: self.namespace.clone(),
            name: name.to_owned(),
        }
    }
}

impl ClusterProfile {
    /// This profile's identity in a [`ProfileDependencies`] graph.
    pub fn id(&self) -> ProfileId {
        ProfileId::cluster_profile(&self.name_any())
    }
}

impl Profile {
    /// This profile's identity in a [`ProfileDependencies`] graph.
    pub fn id(&self) -> ProfileId {
        ProfileId::profile(&self.namespace().unwrap_or_default(), &self.name_any())
    }
}

/// The dependency graph of a set of profiles; every list sorted and without repeats.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProfileDependencies {
    /// Existing profiles each profile depends on.
    pub dependencies: BTreeMap<ProfileId, Vec<ProfileId>>,
    /// `dependsOn` entries naming no existing profile.
    pub unresolved: BTreeMap<ProfileId, Vec<ProfileId>>,
    /// Existing profiles that depend on each profile.
    pub dependents: BTreeMap<ProfileId, Vec<ProfileId>>,
}

impl ProfileDependencies {
    /// Resolve every profile's `dependsOn` names against the profiles given.
    pub fn resolve<'a>(
        profiles: impl IntoIterator<Item = (ProfileId, &'a [String])>,
    ) -> ProfileDependencies {
        let profiles: BTreeMap<ProfileId, &'a [String]> = profiles.into_iter().collect();
        let mut dependencies: BTreeMap<ProfileId, BTreeSet<ProfileId>> = BTreeMap::new();
        let mut unresolved: BTreeMap<ProfileId, BTreeSet<ProfileId>> = BTreeMap::new();
        let mut dependents: BTreeMap<ProfileId, BTreeSet<ProfileId>> = BTreeMap::new();
        for (id, depends_on) in &profiles {
            for name in depends_on.iter().filter(|n| !n.is_empty()) {
                let target = id.dependency(name);
                if profiles.contains_key(&target) {
                    dependents
                        .entry(target.clone())
                        .or_default()
                        .insert(id.clone());
                    dependencies.entry(id.clone()).or_default().insert(target);
                } else {
                    unresolved.entry(id.clone()).or_default().insert(target);
                }
            }
        }
        let sorted = |map: BTreeMap<ProfileId, BTreeSet<ProfileId>>| {
            map.into_iter()
                .map(|(k, v)| (k, v.into_iter().collect()))
                .collect()
        };
        ProfileDependencies {
            dependencies: sorted(dependencies),
            unresolved: sorted(unresolved),
            dependents: sorted(dependents),
        }
    }

    /// Existing profiles `id` depends on.
    pub fn dependencies_of(&self, id: &ProfileId) -> &[ProfileId] {
        self.dependencies
            .get(id)
            .map(Vec::as_slice)
            .unwrap_or_default()
    }

    /// `dependsOn` entries of `id` that name no existing profile.
    pub fn unresolved_of(&self, id: &ProfileId) -> &[ProfileId] {
        self.unresolved
            .get(id)
            .map(Vec::as_slice)
            .unwrap_or_default()
    }

    /// Existing profiles that depend on `id`.
    pub fn dependents_of(&self, id: &ProfileId) -> &[ProfileId] {
        self.dependents
            .get(id)
            .map(Vec::as_slice)
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::{ProfileDependencies, ProfileId};

    fn deps(entries: &[(ProfileId, &[&str])]) -> ProfileDependencies {
        let owned: Vec<(ProfileId, Vec<String>)> = entries
            .iter()
            .map(|(id, names)| (id.clone(), names.iter().map(|n| n.to_string()).collect()))
            .collect();
        ProfileDependencies::resolve(
            owned
                .iter()
                .map(|(id, names)| (id.clone(), names.as_slice())),
        )
    }

    #[test]
    fn chains_resolve_both_ways() {
        let (a, b, c) = (
            ProfileId::cluster_profile("a"),
            ProfileId::cluster_profile("b"),
            ProfileId::cluster_profile("c"),
        );
        let graph = deps(&[
            (a.clone(), &[]),
            (b.clone(), &["a"]),
            (c.clone(), &["b", "a"]),
        ]);
        assert_eq!(graph.dependencies_of(&c), [a.clone(), b.clone()]);
        assert_eq!(graph.dependents_of(&a), [b.clone(), c.clone()]);
        assert_eq!(graph.dependents_of(&b), std::slice::from_ref(&c));
        assert!(graph.dependents_of(&c).is_empty());
        assert!(graph.unresolved.is_empty());
    }

    #[test]
    fn missing_dependencies_are_unresolved_not_phantoms() {
        let a = ProfileId::cluster_profile("a");
        let graph = deps(&[(a.clone(), &["ghost", "ghost", ""])]);
        assert!(graph.dependencies_of(&a).is_empty());
        assert_eq!(
            graph.unresolved_of(&a),
            [ProfileId::cluster_profile("ghost")]
        );
        // No entry appears for the missing profile.
        assert!(graph.dependents.is_empty());
    }

    #[test]
    fn profiles_depend_on_profiles_of_their_namespace_only() {
        let base = ProfileId::profile("team-a", "base");
        let app = ProfileId::profile("team-a", "app");
        let other = ProfileId::profile("team-b", "app");
        let cluster_wide = ProfileId::cluster_profile("base");
        let graph = deps(&[
            (base.clone(), &[]),
            (app.clone(), &["base"]),
            (other.clone(), &["base"]),
            (cluster_wide.clone(), &[]),
        ]);
        assert_eq!(graph.dependencies_of(&app), std::slice::from_ref(&base));
        assert_eq!(
            graph.dependencies_of(&app)[0].namespace.as_deref(),
            Some("team-a")
        );
        assert_eq!(
            graph.unresolved_of(&other),
            [ProfileId::profile("team-b", "base")]
        );
        assert_eq!(graph.dependents_of(&base), [app]);
        assert!(graph.dependents_of(&cluster_wide).is_empty());
    }
}
