//! Shared harness for integration tests: fresh databases and the real server on an ephemeral
//! port, spoken to over HTTP.
#![allow(dead_code)]

pub mod db;
pub mod fleet;
pub mod pages;
pub mod server;
pub mod sim;
pub mod tenancy;
pub mod ws;

pub use db::TestDb;
#[allow(unused_imports)]
pub use server::TestServer;
