//! The fixed vocabulary of generated worlds: add-ons, label values, Kubernetes versions.

/// A helm chart an add-on installs.
pub(super) struct ChartDef {
    pub repo_url: &'static str,
    pub repo_name: &'static str,
    pub chart: &'static str,
    /// Oldest first; the last is the newest, which a profile may lag behind.
    pub versions: &'static [&'static str],
    pub app_version: &'static str,
    pub icon: Option<&'static str>,
}

/// A Kubernetes resource an add-on deploys (`namespace` empty: cluster-scoped).
pub(super) struct ResourceDef {
    pub group: &'static str,
    pub version: &'static str,
    pub kind: &'static str,
    pub namespace: &'static str,
    pub name: &'static str,
}

/// What a profile deploys.
pub(super) struct Addon {
    pub name: &'static str,
    pub namespace: &'static str,
    pub chart: Option<ChartDef>,
    /// Deployed through `policyRefs` (feature `Resources`).
    pub resources: &'static [ResourceDef],
    /// Deployed through `kustomizationRefs` (feature `Kustomize`).
    pub kustomize: &'static [ResourceDef],
}

/// Deployed by every profile that has a `Resources` feature, so clusters reached by several
/// profiles show one resource with several profiles (the merge-by-identity rule).
pub(super) const SHARED_RESOURCE: ResourceDef = ResourceDef {
    group: "",
    version: "v1",
    kind: "ConfigMap",
    namespace: "kube-system",
    name: "fleet-settings",
};

const fn res(
    group: &'static str,
    version: &'static str,
    kind: &'static str,
    namespace: &'static str,
    name: &'static str,
) -> ResourceDef {
    ResourceDef {
        group,
        version,
        kind,
        namespace,
        name,
    }
}

pub(super) const ADDONS: &[Addon] = &[
    Addon {
        name: "kyverno",
        namespace: "kyverno",
        chart: Some(ChartDef {
            repo_url: "https://kyverno.github.io/kyverno/",
            repo_name: "kyverno",
            chart: "kyverno",
            versions: &["3.1.4", "3.2.6", "3.3.3"],
            app_version: "v1.13.2",
            icon: Some("https://kyverno.io/images/kyverno-logo.png"),
        }),
        resources: &[
            res(
                "kyverno.io",
                "v1",
                "ClusterPolicy",
                "",
                "disallow-latest-tag",
            ),
            res(
                "kyverno.io",
                "v1",
                "ClusterPolicy",
                "",
                "require-team-label",
            ),
        ],
        kustomize: &[],
    },
    Addon {
        name: "cert-manager",
        namespace: "cert-manager",
        chart: Some(ChartDef {
            repo_url: "https://charts.jetstack.io",
            repo_name: "jetstack",
            chart: "cert-manager",
            versions: &["v1.14.5", "v1.15.3", "v1.16.2"],
            app_version: "v1.16.2",
            icon: None,
        }),
        resources: &[res(
            "cert-manager.io",
            "v1",
            "ClusterIssuer",
            "",
            "letsencrypt",
        )],
        kustomize: &[],
    },
    Addon {
        name: "prometheus",
        namespace: "observability",
        chart: Some(ChartDef {
            repo_url: "https://prometheus-community.github.io/helm-charts",
            repo_name: "prometheus-community",
            chart: "kube-prometheus-stack",
            versions: &["58.7.2", "61.9.0", "65.1.1"],
            app_version: "v0.77.1",
            icon: Some(
                "https://raw.githubusercontent.com/prometheus/prometheus.github.io/master/assets/prometheus_logo-cb55bb5c346.png",
            ),
        }),
        resources: &[
            res("", "v1", "Namespace", "", "observability"),
            res("", "v1", "ConfigMap", "observability", "grafana-dashboards"),
        ],
        kustomize: &[],
    },
    Addon {
        name: "ingress-nginx",
        namespace: "ingress-nginx",
        chart: Some(ChartDef {
            repo_url: "https://kubernetes.github.io/ingress-nginx",
            repo_name: "ingress-nginx",
            chart: "ingress-nginx",
            versions: &["4.10.1", "4.11.3"],
            app_version: "1.11.3",
            icon: None,
        }),
        resources: &[],
        kustomize: &[],
    },
    Addon {
        name: "network-policies",
        namespace: "default",
        chart: None,
        resources: &[
            res(
                "networking.k8s.io",
                "v1",
                "NetworkPolicy",
                "default",
                "default-deny",
            ),
            res(
                "networking.k8s.io",
                "v1",
                "NetworkPolicy",
                "kube-system",
                "allow-dns",
            ),
        ],
        kustomize: &[],
    },
    Addon {
        name: "podinfo",
        namespace: "podinfo",
        chart: None,
        resources: &[],
        kustomize: &[
            res("apps", "v1", "Deployment", "podinfo", "podinfo"),
            res("", "v1", "Service", "podinfo", "podinfo"),
        ],
    },
    Addon {
        name: "logging",
        namespace: "observability",
        chart: Some(ChartDef {
            repo_url: "https://fluent.github.io/helm-charts",
            repo_name: "fluent",
            chart: "fluent-bit",
            versions: &["0.46.7", "0.47.10"],
            app_version: "3.1.9",
            icon: None,
        }),
        resources: &[
            res("", "v1", "Namespace", "", "observability"),
            res("", "v1", "ConfigMap", "observability", "fluent-bit-filters"),
        ],
        kustomize: &[],
    },
    Addon {
        name: "gatekeeper",
        namespace: "gatekeeper-system",
        chart: Some(ChartDef {
            repo_url: "https://open-policy-agent.github.io/gatekeeper/charts",
            repo_name: "gatekeeper",
            chart: "gatekeeper",
            versions: &["3.16.3", "3.17.1"],
            app_version: "v3.17.1",
            icon: None,
        }),
        resources: &[res(
            "templates.gatekeeper.sh",
            "v1",
            "ConstraintTemplate",
            "",
            "k8srequiredlabels",
        )],
        kustomize: &[res(
            "",
            "v1",
            "ConfigMap",
            "gatekeeper-system",
            "gatekeeper-config",
        )],
    },
];

pub(super) const ENVIRONMENTS: &[&str] = &["prod", "staging", "dev"];
pub(super) const REGIONS: &[&str] = &["eu-west", "us-east", "ap-south"];
pub(super) const TIERS: &[&str] = &["gold", "silver", "bronze"];
pub(super) const TEAMS: &[&str] = &["payments", "search", "platform", "data"];
pub(super) const NAMESPACE_WORDS: &[&str] = &[
    "payments", "search", "platform", "edge", "retail", "data", "ml", "iot",
];
pub(super) const KUBERNETES_VERSIONS: &[&str] = &["v1.29.8", "v1.30.4", "v1.31.2", "v1.32.0"];

/// Label every generated cluster carries; profiles, triggers and classifiers select on it.
pub const GROUP_LABEL: &str = "fleet.projectsveltos.io/group";

/// A `dependsOn` name no profile has: the "unresolved dependency" case.
pub const MISSING_DEPENDENCY: &str = "cp-missing-dependency";
/// An event source no EventTrigger's reference resolves to.
pub const MISSING_EVENT_SOURCE: &str = "es-missing";
