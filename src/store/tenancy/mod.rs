//! Store rows of the tenancy side: registered clusters, tenants, projects, policy sets and
//! issued tokens, with their repository functions.
//!
//! Structured columns are JSON text (same on SQLite and PostgreSQL); the typed accessors on each
//! model decode them. Unique violations surface as CONFLICT.

pub mod clusters;
pub mod policy_sets;
pub mod projects;
pub mod tenants;
pub mod tokens;

use std::collections::BTreeMap;

use sea_orm::{DbErr, EntityTrait, PrimaryKeyTrait, SqlErr};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{Error, Result};
use crate::store::Store;
use crate::store::changes::StoreChange;

/// Encodes a value for a JSON text column.
pub fn to_json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_string())
}

/// Decodes a JSON text column; a corrupt value is an internal error naming the column.
pub fn from_json<T: DeserializeOwned + Default>(column: &str, text: &str) -> T {
    match serde_json::from_str(text) {
        Ok(value) => value,
        Err(e) => {
            tracing::error!(column, error = %e, "undecodable JSON column; using an empty value");
            T::default()
        }
    }
}

pub type Labels = BTreeMap<String, String>;

/// Maps a unique-constraint violation to CONFLICT with `what`, anything else to a store error.
pub fn conflict_or(err: DbErr, what: impl FnOnce() -> String) -> Error {
    if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) {
        Error::Conflict(what())
    } else {
        Error::Database(err)
    }
}

/// Parses a lowercase-hyphenated UUID id given by a client; anything else is BAD_USER_INPUT.
pub fn parse_id(field: &str, id: &str) -> Result<uuid::Uuid> {
    uuid::Uuid::parse_str(id.trim())
        .map_err(|_| Error::bad_field(field, format!("{field}: {id:?} is not a valid id")))
}

/// Deletes a row by id and announces it (as it last was) to subscribers; false when absent.
pub(crate) async fn delete_announced<E>(
    store: &Store,
    id: uuid::Uuid,
    change: impl Fn(&E::Model) -> StoreChange,
) -> Result<bool>
where
    E: EntityTrait,
    <E::PrimaryKey as PrimaryKeyTrait>::ValueType: From<uuid::Uuid>,
{
    let Some(row) = E::find_by_id(id).one(store.connection()).await? else {
        return Ok(false);
    };
    let deleted = E::delete_by_id(id)
        .exec(store.connection())
        .await?
        .rows_affected
        > 0;
    if deleted {
        store.changes().announce(change(&row)).await;
    }
    Ok(deleted)
}
