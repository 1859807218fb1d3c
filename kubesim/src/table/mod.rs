//! `meta.k8s.io` `Table` responses, which `kubectl get` asks for with
//! `Accept: application/json;as=Table;v=v1;g=meta.k8s.io,...`: column definitions from the
//! resource's printer columns (CRD `additionalPrinterColumns`, or the built-in printers'
//! columns) and one row per object.

mod builtin;
mod cells;
pub mod jsonpath;
mod printers;

use chrono::Utc;
use serde_json::{Map, Value, json};

pub use builtin::builtin_columns;
pub use cells::{age, human_duration};

use crate::registry::{PrinterColumn, ResourceInfo};

/// Which `meta.k8s.io` version of `Table` the client asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TableVersion {
    V1,
    V1beta1,
}

impl TableVersion {
    pub fn api_version(self) -> &'static str {
        match self {
            TableVersion::V1 => "meta.k8s.io/v1",
            TableVersion::V1beta1 => "meta.k8s.io/v1beta1",
        }
    }
}

/// What each row's `object` holds (`?includeObject=`), `Metadata` unless asked otherwise.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum IncludeObject {
    None,
    #[default]
    Metadata,
    Object,
}

impl IncludeObject {
    /// Parses the `includeObject` query parameter; absent or unknown means `Metadata`.
    pub fn from_query(value: Option<&str>) -> Self {
        match value {
            Some("None") => IncludeObject::None,
            Some("Object") => IncludeObject::Object,
            _ => IncludeObject::Metadata,
        }
    }
}

/// One media range of an `Accept` header: type/subtype and its `as`, `g`, `v` parameters.
struct MediaRange<'a> {
    mime: &'a str,
    as_: Option<&'a str>,
    group: Option<&'a str>,
    version: Option<&'a str>,
}

fn media_ranges(accept: &str) -> impl Iterator<Item = MediaRange<'_>> {
    accept.split(',').map(|part| {
        let mut it = part.split(';').map(str::trim);
        let mut m = MediaRange {
            mime: it.next().unwrap_or(""),
            as_: None,
            group: None,
            version: None,
        };
        for p in it {
            match p.split_once('=') {
                Some(("as", v)) => m.as_ = Some(v),
                Some(("g", v)) => m.group = Some(v),
                Some(("v", v)) => m.version = Some(v),
                _ => {}
            }
        }
        m
    })
}

/// The Table version to answer with, if the client prefers a Table to the plain object: the
/// first acceptable range wins, as in the apiserver's content negotiation.
pub fn wants_table(accept: &str) -> Option<TableVersion> {
    for m in media_ranges(accept) {
        let json_like = matches!(m.mime, "application/json" | "*/*" | "application/*");
        if !json_like {
            // Protobuf and YAML ranges we do not serve: keep looking.
            continue;
        }
        match (m.as_, m.group, m.version) {
            (Some("Table"), Some("meta.k8s.io"), Some("v1")) => return Some(TableVersion::V1),
            (Some("Table"), Some("meta.k8s.io"), Some("v1beta1")) => {
                return Some(TableVersion::V1beta1);
            }
            (None, _, _) => return None,
            _ => {}
        }
    }
    None
}

/// Whether the client asked for `PartialObjectMetadata`/`PartialObjectMetadataList` (the
/// metadata-only form kube-rs `list_metadata`/`watch_metadata` use) before plain JSON.
pub fn wants_partial_metadata(accept: &str) -> bool {
    for m in media_ranges(accept) {
        if !matches!(m.mime, "application/json" | "*/*" | "application/*") {
            continue;
        }
        match m.as_ {
            Some("PartialObjectMetadata" | "PartialObjectMetadataList")
                if m.group == Some("meta.k8s.io") =>
            {
                return true;
            }
            None => return false,
            _ => {}
        }
    }
    false
}

/// An object reduced to `meta.k8s.io/v1` `PartialObjectMetadata`.
pub fn partial_metadata(obj: &Value) -> Value {
    json!({
        "kind": "PartialObjectMetadata",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": obj.get("metadata").cloned().unwrap_or_else(|| json!({})),
    })
}

const NAME_DESCRIPTION: &str = "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names";

/// The columns after Name: the resource's own, or the `Age` column the apiextensions server
/// serves for a CRD version without `additionalPrinterColumns`.
fn columns(info: &ResourceInfo) -> Vec<PrinterColumn> {
    if !info.printer_columns.is_empty() {
        return info.printer_columns.clone();
    }
    vec![PrinterColumn {
        name: "Age".into(),
        type_: "date".into(),
        format: String::new(),
        description: "CreationTimestamp is a timestamp representing the server time when this object was created.".into(),
        priority: 0,
        json_path: ".metadata.creationTimestamp".into(),
    }]
}

fn column_definitions(cols: &[PrinterColumn]) -> Vec<Value> {
    let mut defs = vec![json!({
        "name": "Name", "type": "string", "format": "name",
        "description": NAME_DESCRIPTION, "priority": 0,
    })];
    for c in cols {
        let description = if c.description.is_empty() {
            format!(
                "Custom resource definition column (in JSONPath format): {}",
                c.json_path
            )
        } else {
            c.description.clone()
        };
        defs.push(json!({
            "name": c.name, "type": c.type_, "format": c.format,
            "description": description, "priority": c.priority,
        }));
    }
    defs
}

/// A column ready to evaluate: a compiled JSONPath, a computed built-in cell, or a path that
/// did not parse (whose cells are empty, as the apiserver's fallback convertor leaves them).
enum Evaluator {
    Path(jsonpath::ColumnPath),
    Computed(String),
    Broken,
}

fn evaluator(c: &PrinterColumn) -> Evaluator {
    if c.json_path.starts_with(builtin::MARKER) {
        return Evaluator::Computed(c.json_path.clone());
    }
    match jsonpath::ColumnPath::parse(&c.json_path) {
        Ok(p) => Evaluator::Path(p),
        Err(e) => {
            tracing::warn!(column = %c.name, error = %e, "printer column path does not parse");
            Evaluator::Broken
        }
    }
}

/// Builds a `meta.k8s.io/v1` `Table` of `objects`. `list_meta` becomes the Table's
/// `metadata` (`resourceVersion`, `continue`, `remainingItemCount`).
pub fn to_table(
    info: &ResourceInfo,
    objects: &[Value],
    list_meta: Value,
    include_object: IncludeObject,
) -> Value {
    to_table_as(TableVersion::V1, info, objects, list_meta, include_object)
}

/// [`to_table`] for a chosen `meta.k8s.io` version.
pub fn to_table_as(
    version: TableVersion,
    info: &ResourceInfo,
    objects: &[Value],
    list_meta: Value,
    include_object: IncludeObject,
) -> Value {
    let cols = columns(info);
    let evaluators: Vec<Evaluator> = cols.iter().map(evaluator).collect();
    let now = Utc::now();
    let rows: Vec<Value> = objects
        .iter()
        .map(|obj| {
            let mut cells = vec![obj["metadata"]["name"].clone()];
            for (c, ev) in cols.iter().zip(&evaluators) {
                cells.push(match ev {
                    Evaluator::Computed(marker) => builtin::computed_cell(marker, obj, now),
                    Evaluator::Broken => Value::Null,
                    Evaluator::Path(p) => match p.find(obj).first() {
                        None => Value::Null,
                        Some(v) if c.type_ == "string" => {
                            cells::print_value(v).map_or(Value::Null, Value::String)
                        }
                        Some(v) => cells::typed_cell(&c.type_, v, now),
                    },
                });
            }
            let mut row = Map::new();
            row.insert("cells".into(), Value::Array(cells));
            match include_object {
                IncludeObject::None => {}
                IncludeObject::Metadata => {
                    let mut partial = partial_metadata(obj);
                    partial["apiVersion"] = json!(version.api_version());
                    row.insert("object".into(), partial);
                }
                IncludeObject::Object => {
                    row.insert("object".into(), obj.clone());
                }
            }
            Value::Object(row)
        })
        .collect();
    let metadata = match list_meta {
        Value::Object(m) => Value::Object(m),
        _ => json!({}),
    };
    json!({
        "kind": "Table",
        "apiVersion": version.api_version(),
        "metadata": metadata,
        "columnDefinitions": column_definitions(&cols),
        "rows": rows,
    })
}

/// The Table a watch event carries in place of its object: one row, the object's
/// resourceVersion as the Table's.
pub fn watch_event_table(
    version: TableVersion,
    info: &ResourceInfo,
    obj: &Value,
    include_object: IncludeObject,
) -> Value {
    let rv = obj["metadata"]["resourceVersion"].clone();
    let meta = if rv.is_string() {
        json!({ "resourceVersion": rv })
    } else {
        json!({})
    };
    to_table_as(
        version,
        info,
        std::slice::from_ref(obj),
        meta,
        include_object,
    )
}

/// A watch BOOKMARK event's object as a Table: no rows, only the resourceVersion.
pub fn bookmark_table(version: TableVersion, resource_version: &str) -> Value {
    json!({
        "kind": "Table",
        "apiVersion": version.api_version(),
        "metadata": { "resourceVersion": resource_version },
        "columnDefinitions": [],
        "rows": [],
    })
}

#[cfg(test)]
mod tests;
