//! Trims Microsoft's full OpenAPI files to what the bundle's contract needs, for vendoring: the
//! operations the catalog calls (every method and path it sends, the named-calendar variants
//! included) and every component they reference, transitively. Responses are left out: the
//! contract is about what the bundle sends. Files, paths and components keep Microsoft's text.

use std::collections::{BTreeMap, BTreeSet};

use serde_yaml_ng::{Mapping, Value};
use shared::operations::catalog::CATALOG;

use crate::openapi::{Document, OpenApi};

/// One trimmed file: its name and YAML text.
pub struct ExtractFile {
    /// The file name, as in Microsoft's publication.
    pub name: String,
    /// The trimmed document.
    pub yaml: String,
}

/// Every `#/components/<section>/<name>` reference under `node`.
fn references(node: &Value, found: &mut Vec<(String, String)>) {
    match node {
        Value::Mapping(mapping) => {
            for (key, value) in mapping {
                if key.as_str() == Some("$ref")
                    && let Some(rest) = value.as_str().and_then(|r| r.strip_prefix("#/components/"))
                    && let Some((section, name)) = rest.split_once('/')
                {
                    found.push((section.to_string(), name.to_string()));
                }
                references(value, found);
            }
        }
        Value::Sequence(items) => items.iter().for_each(|item| references(item, found)),
        _ => {}
    }
}

/// What to keep of one document: operations by path and method, components by section and name.
#[derive(Default)]
struct Kept {
    operations: BTreeMap<String, BTreeMap<String, Value>>,
    components: BTreeMap<String, BTreeSet<String>>,
}

impl Kept {
    /// Keeps `operation` (without its responses) and queues what it references.
    fn keep_operation(&mut self, path: &str, method: &str, operation: &Value) {
        let mut operation = operation.clone();
        if let Value::Mapping(mapping) = &mut operation {
            mapping.remove("responses");
        }
        self.operations
            .entry(path.to_string())
            .or_default()
            .insert(method.to_string(), operation);
    }

    /// Adds every component the kept operations reference, transitively.
    fn close_over_references(&mut self, document: &Document) -> Result<(), String> {
        let mut pending = Vec::new();
        for methods in self.operations.values() {
            for operation in methods.values() {
                references(operation, &mut pending);
            }
        }
        while let Some((section, name)) = pending.pop() {
            if !self
                .components
                .entry(section.clone())
                .or_default()
                .insert(name.clone())
            {
                continue;
            }
            let component = component(document, &section, &name)?;
            references(component, &mut pending);
        }
        Ok(())
    }

    /// The trimmed document.
    fn document(&self, original: &Document) -> Result<Value, String> {
        let root = original.root();
        let mut trimmed = Mapping::new();
        for key in ["openapi", "info", "servers"] {
            if let Some(value) = root.get(key) {
                trimmed.insert(key.into(), value.clone());
            }
        }
        let mut paths = Mapping::new();
        for (path, methods) in &self.operations {
            let mut item = Mapping::new();
            for (method, operation) in methods {
                item.insert(method.as_str().into(), operation.clone());
            }
            paths.insert(path.as_str().into(), Value::Mapping(item));
        }
        trimmed.insert("paths".into(), Value::Mapping(paths));
        let mut components = Mapping::new();
        for (section, names) in &self.components {
            let mut kept = Mapping::new();
            for name in names {
                kept.insert(
                    name.as_str().into(),
                    component(original, section, name)?.clone(),
                );
            }
            components.insert(section.as_str().into(), Value::Mapping(kept));
        }
        trimmed.insert("components".into(), Value::Mapping(components));
        Ok(Value::Mapping(trimmed))
    }
}

fn component<'a>(document: &'a Document, section: &str, name: &str) -> Result<&'a Value, String> {
    document
        .root()
        .get("components")
        .and_then(|c| c.get(section))
        .and_then(|s| s.get(name))
        .ok_or_else(|| format!("{}: dangling reference {section}/{name}", document.file))
}

/// The trimmed files of `full`: one per original file the catalog calls into.
pub fn extract(full: &OpenApi) -> Result<Vec<ExtractFile>, String> {
    let mut kept: BTreeMap<String, Kept> = BTreeMap::new();
    for operation in CATALOG {
        let paths = std::iter::once(operation.graph_path).chain(operation.calendar_graph_path);
        for graph_path in paths {
            let published = full
                .operation(operation.method, graph_path)
                .ok_or_else(|| {
                    format!(
                        "{} {graph_path} ({}) is not in the OpenAPI files",
                        operation.method.as_str(),
                        operation.name
                    )
                })?;
            kept.entry(published.document.file.clone())
                .or_default()
                .keep_operation(
                    published.path,
                    &operation.method.as_str().to_ascii_lowercase(),
                    published.operation,
                );
        }
    }
    let mut files = Vec::new();
    for document in full.documents() {
        let Some(kept) = kept.get_mut(&document.file) else {
            continue;
        };
        kept.close_over_references(document)?;
        let yaml = serde_yaml_ng::to_string(&kept.document(document)?)
            .map_err(|error| format!("{}: {error}", document.file))?;
        files.push(ExtractFile {
            name: document.file.clone(),
            yaml,
        });
    }
    Ok(files)
}
