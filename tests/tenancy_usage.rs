//! Usage from the ResourceQuota status of a tenant's / project's namespaces in kubesim, with
//! stored samples giving average and peak over the range, on SQLite and PostgreSQL.

mod common;
mod tenancy_apps_support;

use chrono::{Duration, Utc};
use fleetgraph::tenancy::usage::{self, Namespaces, UsageRange};
use serde_json::json;
use tenancy_apps_support::*;
use uuid::Uuid;

use common::TestDb;

fn quota(ns: &str, pods_used: &str, cpu_used: &str) -> serde_json::Value {
    json!({"apiVersion": "v1", "kind": "ResourceQuota",
        "metadata": {"name": "tenant-quota", "namespace": ns},
        "spec": {"hard": {"pods": "10", "requests.cpu": "2"}},
        "status": {"hard": {"pods": "10", "requests.cpu": "2"},
                   "used": {"pods": pods_used, "requests.cpu": cpu_used}}})
}

fn of<'a>(aggs: &'a [usage::Aggregate], resource: &str) -> &'a usage::Aggregate {
    aggs.iter()
        .find(|a| a.resource == resource)
        .expect(resource)
}

#[tokio::test]
async fn usage_sums_quota_status_and_aggregates_samples() {
    for db in TestDb::all().await {
        let w = world(db).await;
        w.sim
            .load_objects(vec![
                json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "acme-second",
                    "labels": {"capsule.clastix.io/tenant": "acme"}}}),
                json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "other-ns",
                    "labels": {"capsule.clastix.io/tenant": "other"}}}),
            ])
            .expect("namespaces");
        w.sim
            .apply_object(quota("acme-second", "1", "250m"))
            .expect("quota");
        w.sim
            .apply_object(quota("other-ns", "9", "2"))
            .expect("other tenant's quota");
        let tenant = Namespaces::Tenant("acme".into());
        let tenant_id = Uuid::new_v4();
        let now = Utc::now();

        // Two samples in the past, with the quota status of their time.
        w.sim.apply_object(quota(NS, "7", "1")).expect("quota");
        usage::sample(
            &w.store,
            &w.client,
            "tenant",
            tenant_id,
            &tenant,
            now - Duration::hours(2),
        )
        .await
        .expect("sample");
        w.sim.apply_object(quota(NS, "1", "500m")).expect("quota");
        usage::sample(
            &w.store,
            &w.client,
            "tenant",
            tenant_id,
            &tenant,
            now - Duration::minutes(30),
        )
        .await
        .expect("sample");
        w.sim.apply_object(quota(NS, "3", "750m")).expect("quota");

        // Current: both acme namespaces, not the other tenant's.
        let current = usage::current(&w.client, &tenant).await.expect("current");
        let pods = current.iter().find(|r| r.resource == "pods").expect("pods");
        assert_eq!((pods.used, pods.hard), (4.0, Some(20.0)));

        let hour = usage::usage(
            &w.store,
            &w.client,
            "tenant",
            tenant_id,
            &tenant,
            UsageRange::Hour,
            now,
        )
        .await
        .expect("1h");
        let p = of(&hour, "pods");
        assert_eq!(
            (p.current, p.average, p.peak, p.samples),
            (4.0, 3.0, 4.0, 2)
        );
        let cpu = of(&hour, "requests.cpu");
        assert_eq!((cpu.current, cpu.peak, cpu.hard), (1.0, 1.0, Some(4.0)));

        let day = usage::usage(
            &w.store,
            &w.client,
            "tenant",
            tenant_id,
            &tenant,
            UsageRange::Day,
            now,
        )
        .await
        .expect("24h");
        let p = of(&day, "pods");
        assert_eq!(
            (p.current, p.average, p.peak, p.samples),
            (4.0, 14.0 / 3.0, 8.0, 3)
        );

        // A project: its one namespace, and samples of another scope do not count.
        let project = Namespaces::One(NS.into());
        let p_usage = usage::usage(
            &w.store,
            &w.client,
            "project",
            Uuid::new_v4(),
            &project,
            UsageRange::Month,
            now,
        )
        .await
        .expect("project");
        let p = of(&p_usage, "pods");
        assert_eq!(
            (p.current, p.peak, p.samples, p.hard),
            (3.0, 3.0, 1, Some(10.0))
        );

        // An unreachable cluster mid-sample stores nothing.
        w.sim.inject_failure(kubesim::FailureRule {
            verb: "list".into(),
            resource: "resourcequotas".into(),
            code: 500,
            times: 1,
        });
        let before = w
            .store
            .usage_samples("tenant", tenant_id, now - Duration::days(1))
            .await
            .expect("q")
            .len();
        let e = usage::sample(&w.store, &w.client, "tenant", tenant_id, &tenant, now)
            .await
            .expect_err("cluster failing");
        assert_eq!(e.code(), fleetgraph::error::ErrorCode::Unavailable);
        let after = w
            .store
            .usage_samples("tenant", tenant_id, now - Duration::days(1))
            .await
            .expect("q")
            .len();
        assert_eq!(before, after);
        w.sim.shutdown().await;
    }
}
