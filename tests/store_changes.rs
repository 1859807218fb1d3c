//! The store change bus: committed store writes announced to every replica. On PostgreSQL two
//! server instances sharing the database hear each other's changes (LISTEN/NOTIFY); on SQLite
//! the bus is in-process.

mod common;

use std::time::Duration;

use common::{TestDb, TestServer};
use fleetgraph::store::changes::{StoreChange, StoreOp};
use tokio::sync::broadcast;

/// A guard against a hung test, not an assertion on speed.
async fn next(rx: &mut broadcast::Receiver<StoreChange>) -> StoreChange {
    tokio::time::timeout(Duration::from_secs(30), rx.recv())
        .await
        .expect("a change arrives")
        .expect("bus open")
}

#[tokio::test]
async fn two_servers_on_one_postgres_deliver_each_others_changes() {
    let Some(db) = TestDb::postgres().await else {
        eprintln!("skipped: set FLEETGRAPH_TEST_DATABASE_URL to run against PostgreSQL");
        return;
    };
    let url = db.url.clone();
    let first = TestServer::start_on(db, |_| {}).await;
    let second = TestServer::start_with(|c| c.store.database_url = url.clone()).await;
    let bus = |s: &TestServer| s.server.as_ref().unwrap().state.store.changes().clone();
    let (first_bus, second_bus) = (bus(&first), bus(&second));
    let mut heard_by_first = first_bus.subscribe().await.unwrap();
    let mut heard_by_second = second_bus.subscribe().await.unwrap();

    let tenant = StoreChange::new(
        "tenant",
        "4a1f6c4e-0000-4000-8000-000000000001",
        StoreOp::Created,
    );
    first_bus.publish(tenant.clone()).await.unwrap();
    assert_eq!(next(&mut heard_by_second).await, tenant);
    assert_eq!(
        next(&mut heard_by_first).await,
        tenant,
        "the writer hears itself once"
    );

    let app = StoreChange::new(
        "app",
        "4a1f6c4e-0000-4000-8000-000000000002",
        StoreOp::Deleted,
    );
    second_bus.publish(app.clone()).await.unwrap();
    assert_eq!(next(&mut heard_by_first).await, app);
    assert_eq!(next(&mut heard_by_second).await, app);

    // A change published inside a transaction is delivered only if it commits.
    use sea_orm::TransactionTrait;
    let store = &first.server.as_ref().unwrap().state.store;
    let rolled_back = StoreChange::new("project", "rolled-back", StoreOp::Updated);
    let txn = store.connection().begin().await.unwrap();
    first_bus.publish_on(&txn, rolled_back).await.unwrap();
    txn.rollback().await.unwrap();
    let committed = StoreChange::new("project", "committed", StoreOp::Updated);
    let txn = store.connection().begin().await.unwrap();
    first_bus.publish_on(&txn, committed.clone()).await.unwrap();
    txn.commit().await.unwrap();
    assert_eq!(next(&mut heard_by_second).await, committed);
    second.shutdown().await;
    first.shutdown().await;
}

#[tokio::test]
async fn sqlite_delivers_in_process() {
    let server = TestServer::start_on(TestDb::sqlite(), |_| {}).await;
    let bus = server
        .server
        .as_ref()
        .unwrap()
        .state
        .store
        .changes()
        .clone();
    let mut rx = bus.subscribe().await.unwrap();
    let change = StoreChange::new("policy_set", "baseline", StoreOp::Updated);
    bus.publish(change.clone()).await.unwrap();
    assert_eq!(next(&mut rx).await, change);
    server.shutdown().await;
}
