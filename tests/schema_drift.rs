//! `schema.graphql` is generated from the code and must never drift.

#[test]
fn committed_schema_matches_the_code() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql");
    let generated = fleetgraph::schema::sdl();
    if std::env::var_os("FLEETGRAPH_UPDATE_SCHEMA").is_some() {
        std::fs::write(path, &generated).expect("write schema.graphql");
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == generated,
        "schema.graphql differs from the code; regenerate it with \
         `cargo run -q -- schema > schema.graphql` (or FLEETGRAPH_UPDATE_SCHEMA=1 cargo test --test schema_drift)"
    );
}
