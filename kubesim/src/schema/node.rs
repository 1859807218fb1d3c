//! A schema compiled into a tree of typed nodes, so that admission reads fields instead of
//! looking keys up in JSON maps, and patterns and CEL rules are compiled once.

use std::collections::HashMap;
use std::sync::Arc;

use regex::Regex;
use serde_json::Value;

use super::SchemaError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ListType {
    Atomic,
    Set,
    Map,
}

#[derive(Default)]
pub(crate) enum Additional {
    /// Absent: unknown keys are pruned and not validated.
    #[default]
    Absent,
    Allows(bool),
    Schema(Box<Node>),
}

pub(crate) struct Rule {
    pub text: String,
    pub message: Option<String>,
    pub reason: Option<String>,
    pub field_path: Option<String>,
    /// `None` when the rule did not compile (lenient mode): it is then not checked.
    pub program: Option<Arc<::cel::Program>>,
    pub uses_old_self: bool,
}

#[derive(Default)]
pub(crate) struct Node {
    /// The declared `type` ("" when absent), as CEL errors print it.
    pub type_name: String,
    /// The types values may have: `type`, or integer and string for int-or-string.
    pub types: Vec<&'static str>,
    pub nullable: bool,
    pub format: String,
    pub enumeration: Option<Vec<Value>>,
    pub pattern: Option<(String, Regex)>,
    pub min_length: Option<i64>,
    pub max_length: Option<i64>,
    pub minimum: Option<f64>,
    pub maximum: Option<f64>,
    pub exclusive_minimum: bool,
    pub exclusive_maximum: bool,
    pub multiple_of: Option<f64>,
    pub min_items: Option<i64>,
    pub max_items: Option<i64>,
    pub unique_items: bool,
    pub min_properties: Option<i64>,
    pub max_properties: Option<i64>,
    pub required: Vec<String>,
    pub properties: Vec<(String, Node)>,
    index: HashMap<String, usize>,
    pub additional: Additional,
    pub items: Option<Box<Node>>,
    pub all_of: Vec<Node>,
    pub any_of: Vec<Node>,
    pub one_of: Vec<Node>,
    pub not: Option<Box<Node>>,
    pub preserve_unknown: bool,
    pub embedded: bool,
    pub list_type: Option<ListType>,
    pub list_map_keys: Vec<String>,
    pub default: Option<Value>,
    /// Indices of the properties that have a `default`.
    pub defaulted: Vec<usize>,
    pub rules: Vec<Rule>,
    /// Whether this node or one below it has CEL rules, defaults, an embedded resource, or a
    /// set/map list type: the walks for those skip subtrees without any.
    pub rules_below: bool,
    pub defaults_below: bool,
    pub embedded_below: bool,
    pub list_types_below: bool,
}

fn int(s: &Value, key: &str) -> Option<i64> {
    s.get(key)
        .and_then(|v| v.as_i64().or_else(|| v.as_f64().map(|f| f as i64)))
}

fn flag(s: &Value, key: &str) -> bool {
    s.get(key).and_then(Value::as_bool).unwrap_or(false)
}

fn type_name(t: &str) -> &'static str {
    match t {
        "object" => "object",
        "array" => "array",
        "string" => "string",
        "integer" => "integer",
        "number" => "number",
        "boolean" => "boolean",
        "null" => "null",
        _ => "unknown",
    }
}

/// Compiles as it builds; `strict` turns a pattern or rule that does not compile into an error
/// (as the apiserver refuses such a CRD), otherwise it is left unchecked.
pub(crate) struct Builder {
    pub strict: bool,
    patterns: HashMap<String, Regex>,
    programs: HashMap<String, Arc<::cel::Program>>,
    pub has_rules: bool,
}

impl Builder {
    pub fn new(strict: bool) -> Self {
        Self {
            strict,
            patterns: HashMap::new(),
            programs: HashMap::new(),
            has_rules: false,
        }
    }

    pub fn build(&mut self, s: &Value) -> Result<Node, SchemaError> {
        let Some(map) = s.as_object() else {
            return Ok(Node::default());
        };
        let declared = map.get("type").and_then(Value::as_str).unwrap_or("");
        let int_or_string = flag(s, "x-kubernetes-int-or-string");
        let mut n = Node {
            type_name: declared.to_string(),
            types: if int_or_string {
                vec!["integer", "string"]
            } else if declared.is_empty() {
                vec![]
            } else {
                vec![type_name(declared)]
            },
            nullable: flag(s, "nullable"),
            format: map
                .get("format")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
            enumeration: map
                .get("enum")
                .and_then(Value::as_array)
                .filter(|a| !a.is_empty())
                .cloned(),
            min_length: int(s, "minLength"),
            max_length: int(s, "maxLength"),
            minimum: map.get("minimum").and_then(Value::as_f64),
            maximum: map.get("maximum").and_then(Value::as_f64),
            exclusive_minimum: flag(s, "exclusiveMinimum"),
            exclusive_maximum: flag(s, "exclusiveMaximum"),
            multiple_of: map.get("multipleOf").and_then(Value::as_f64),
            min_items: int(s, "minItems"),
            max_items: int(s, "maxItems"),
            unique_items: flag(s, "uniqueItems"),
            min_properties: int(s, "minProperties"),
            max_properties: int(s, "maxProperties"),
            required: map
                .get("required")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .map(String::from)
                        .collect()
                })
                .unwrap_or_default(),
            preserve_unknown: flag(s, "x-kubernetes-preserve-unknown-fields"),
            embedded: flag(s, "x-kubernetes-embedded-resource"),
            list_type: match map.get("x-kubernetes-list-type").and_then(Value::as_str) {
                Some("set") => Some(ListType::Set),
                Some("map") => Some(ListType::Map),
                Some("atomic") => Some(ListType::Atomic),
                _ => None,
            },
            list_map_keys: map
                .get("x-kubernetes-list-map-keys")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .map(String::from)
                        .collect()
                })
                .unwrap_or_default(),
            default: map.get("default").cloned(),
            ..Node::default()
        };
        if let Some(p) = map.get("pattern").and_then(Value::as_str) {
            n.pattern = self.pattern(p)?.map(|re| (p.to_string(), re));
        }
        if let Some(props) = map.get("properties").and_then(Value::as_object) {
            for (k, sub) in props {
                if sub.get("default").is_some() {
                    n.defaulted.push(n.properties.len());
                }
                n.index.insert(k.clone(), n.properties.len());
                n.properties.push((k.clone(), self.build(sub)?));
            }
        }
        n.additional = match map.get("additionalProperties") {
            Some(Value::Bool(b)) => Additional::Allows(*b),
            Some(sub @ Value::Object(_)) => Additional::Schema(Box::new(self.build(sub)?)),
            _ => Additional::Absent,
        };
        if let Some(sub) = map.get("items").filter(|i| i.is_object()) {
            n.items = Some(Box::new(self.build(sub)?));
        }
        if let Some(sub) = map.get("not").filter(|i| i.is_object()) {
            n.not = Some(Box::new(self.build(sub)?));
        }
        for (key, out) in [
            ("allOf", &mut n.all_of),
            ("anyOf", &mut n.any_of),
            ("oneOf", &mut n.one_of),
        ] {
            for sub in map.get(key).and_then(Value::as_array).into_iter().flatten() {
                out.push(self.build(sub)?);
            }
        }
        for rule in map
            .get("x-kubernetes-validations")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let Some(text) = rule.get("rule").and_then(Value::as_str) else {
                continue;
            };
            self.has_rules = true;
            let program = self.program(text)?;
            let text_of = |k: &str| rule.get(k).and_then(Value::as_str).map(str::to_string);
            n.rules.push(Rule {
                uses_old_self: program
                    .as_ref()
                    .is_some_and(|p| p.references().has_variable("oldSelf")),
                text: text.to_string(),
                message: text_of("message"),
                reason: text_of("reason"),
                field_path: text_of("fieldPath"),
                program,
            });
        }
        n.mark_below();
        Ok(n)
    }

    fn pattern(&mut self, p: &str) -> Result<Option<Regex>, SchemaError> {
        if let Some(re) = self.patterns.get(p) {
            return Ok(Some(re.clone()));
        }
        match Regex::new(p) {
            Ok(re) => {
                self.patterns.insert(p.to_string(), re.clone());
                Ok(Some(re))
            }
            Err(e) if self.strict => Err(SchemaError::Pattern {
                pattern: p.to_string(),
                source: Box::new(e),
            }),
            Err(_) => Ok(None),
        }
    }

    fn program(&mut self, text: &str) -> Result<Option<Arc<::cel::Program>>, SchemaError> {
        if let Some(p) = self.programs.get(text) {
            return Ok(Some(p.clone()));
        }
        match ::cel::Program::compile(text) {
            Ok(p) => {
                let p = Arc::new(p);
                self.programs.insert(text.to_string(), p.clone());
                Ok(Some(p))
            }
            Err(e) if self.strict => Err(SchemaError::Rule {
                rule: text.to_string(),
                message: e.to_string(),
            }),
            Err(_) => Ok(None),
        }
    }

    pub fn pattern_count(&self) -> usize {
        self.patterns.len()
    }

    pub fn rule_count(&self) -> usize {
        self.programs.len()
    }
}

impl Node {
    fn mark_below(&mut self) {
        let children = self
            .properties
            .iter()
            .map(|(_, c)| c)
            .chain(self.additional_schema())
            .chain(self.items.as_deref());
        let (mut rules, mut embedded, mut lists) = (
            !self.rules.is_empty(),
            self.embedded,
            matches!(self.list_type, Some(ListType::Set | ListType::Map)),
        );
        let mut defaults = !self.defaulted.is_empty()
            || self
                .additional_schema()
                .is_some_and(|a| a.default.is_some());
        for c in children {
            rules |= c.rules_below;
            defaults |= c.defaults_below;
            embedded |= c.embedded_below;
            lists |= c.list_types_below;
        }
        self.rules_below = rules;
        self.defaults_below = defaults;
        self.embedded_below = embedded;
        self.list_types_below = lists;
    }

    pub fn property_index(&self, k: &str) -> Option<usize> {
        self.index.get(k).copied()
    }

    pub fn property(&self, k: &str) -> Option<&Node> {
        self.index.get(k).map(|&i| &self.properties[i].1)
    }

    pub fn has_property(&self, k: &str) -> bool {
        self.index.contains_key(k)
    }

    pub fn additional_schema(&self) -> Option<&Node> {
        match &self.additional {
            Additional::Schema(n) => Some(n),
            _ => None,
        }
    }

    /// The schema for key `k` of an object: its property, else `additionalProperties`.
    pub fn child(&self, k: &str) -> Option<&Node> {
        self.property(k).or_else(|| self.additional_schema())
    }
}
