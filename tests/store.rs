//! Migrations and the audit-log repository, on SQLite and (when configured) PostgreSQL.

mod common;

use chrono::{Duration, Utc};
use common::TestDb;
use fleetgraph::store::Store;
use fleetgraph::store::audit::{AuditEntry, AuditQuery, Outcome};
use migration::{Migrator, MigratorTrait};

fn entry(principal: &str, operation: &str, target: &str, outcome: Outcome) -> AuditEntry {
    AuditEntry {
        principal: principal.to_string(),
        auth_kind: "jwt".to_string(),
        operation: operation.to_string(),
        target: target.to_string(),
        outcome,
        detail: None,
    }
}

#[tokio::test]
async fn migrations_apply_once_and_are_recorded() {
    for db in TestDb::all().await {
        let store = Store::open(&db.store_config()).await.expect("open");
        let applied = store.applied_migrations().await.expect("applied");
        // Every migration the binary ships, in order, and nothing else.
        let shipped: Vec<String> = Migrator::migrations()
            .iter()
            .map(|m| m.name().to_string())
            .collect();
        assert_eq!(
            shipped.first().map(String::as_str),
            Some("m20261123_000001_audit_log")
        );
        assert_eq!(applied, shipped, "{}", db.backend);
        // Running again (a second replica starting, `fleetgraph migrate`) changes nothing.
        store.migrate().await.expect("idempotent");
        let reopened = Store::open(&db.store_config()).await.expect("reopen");
        assert_eq!(reopened.applied_migrations().await.unwrap(), applied);
        assert_eq!(store.backend_name(), db.backend);
    }
}

#[tokio::test]
async fn audit_log_records_and_reads_newest_first() {
    for db in TestDb::all().await {
        let store = Store::open(&db.store_config()).await.expect("open");
        let t0 = Utc::now() - Duration::minutes(10);
        let first = store
            .record_audit_at(
                entry("alice", "createTenant", "tenant/acme", Outcome::Success),
                t0,
            )
            .await
            .expect("insert");
        let second = store
            .record_audit_at(
                AuditEntry {
                    detail: Some("name must be a DNS-1123 label".to_string()),
                    ..entry("bob", "createProject", "project/acme/Bad", Outcome::Denied)
                },
                t0 + Duration::minutes(1),
            )
            .await
            .expect("insert");
        let third = store
            .record_audit(entry(
                "alice",
                "deleteTenant",
                "tenant/acme",
                Outcome::Failure,
            ))
            .await
            .expect("insert");
        assert_ne!(first.id, second.id);
        assert_eq!(first.id.get_version_num(), 4, "ids are UUIDv4");

        let all = store.audit_entries(AuditQuery::default()).await.unwrap();
        let ids: Vec<_> = all.iter().map(|r| r.id).collect();
        assert_eq!(ids, vec![third.id, second.id, first.id], "{}", db.backend);
        assert_eq!(all[1].outcome, "denied");
        assert_eq!(
            all[1].detail.as_deref(),
            Some("name must be a DNS-1123 label")
        );
        assert_eq!(all[2].principal, "alice");
        assert_eq!(all[2].operation, "createTenant");
        // Timestamps survive the round trip to the second.
        assert_eq!(all[2].at.timestamp(), t0.timestamp());

        let alice = store
            .audit_entries(AuditQuery {
                principal: Some("alice".into()),
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(alice.len(), 2);
        assert!(alice.iter().all(|r| r.principal == "alice"));

        let acme = store
            .audit_entries(AuditQuery {
                target: Some("tenant/acme".into()),
                limit: 1,
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(acme.len(), 1);
        assert_eq!(acme[0].id, third.id);
    }
}

#[tokio::test]
async fn unreachable_or_unsupported_databases_are_clear_errors() {
    let config = fleetgraph::config::StoreConfig {
        database_url: "mysql://root@127.0.0.1/x".into(),
        database_max_connections: 1,
    };
    let err = Store::open(&config).await.expect_err("unsupported");
    assert_eq!(err.code().as_str(), "BAD_USER_INPUT");
    assert!(err.to_string().contains("sqlite://"), "{err}");

    let config = fleetgraph::config::StoreConfig {
        database_url: "postgres://nobody:secret@127.0.0.1:1/none".into(),
        database_max_connections: 1,
    };
    let err = Store::open(&config).await.expect_err("unreachable");
    assert_eq!(err.code().as_str(), "UNAVAILABLE");
    assert!(
        !err.to_string().contains("secret"),
        "password redacted: {err}"
    );
}
