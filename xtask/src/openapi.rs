//! Microsoft's OpenAPI description of the Graph endpoints the bundle calls (the extract vendored in
//! `vendor/graph-openapi/v1.0/*.yml`, see its README), and how a catalog operation is found in it:
//! same method, path template matched segment by segment, placeholder names ignored (`{userId}` ~
//! `{user-id}`), actions and functions with or without their `microsoft.graph.` prefix and `()`.

use std::path::{Path, PathBuf};

use serde_yaml_ng::Value;
use shared::operations::operation::Method;

/// The folder holding the vendored extract of Microsoft's OpenAPI files.
pub fn openapi_dir() -> PathBuf {
    e2e::paths::repo_root().join("vendor/graph-openapi/v1.0")
}

/// One OpenAPI file.
pub struct Document {
    /// File name, e.g. `Users.yml`.
    pub file: String,
    root: Value,
}

impl Document {
    /// Follows a local `$ref` (`#/components/...`) if `node` is one; otherwise returns `node`.
    pub fn resolve<'a>(&'a self, node: &'a Value) -> Result<&'a Value, String> {
        let Some(reference) = node.get("$ref").and_then(Value::as_str) else {
            return Ok(node);
        };
        let pointer = reference
            .strip_prefix("#/")
            .ok_or_else(|| format!("{}: non-local $ref {reference}", self.file))?;
        pointer
            .split('/')
            .try_fold(&self.root, |at, key| at.get(key))
            .ok_or_else(|| format!("{}: dangling $ref {reference}", self.file))
    }

    /// The whole parsed file.
    pub fn root(&self) -> &Value {
        &self.root
    }

    /// The schema `components/schemas/<name>`.
    pub fn schema(&self, name: &str) -> Result<&Value, String> {
        self.root
            .get("components")
            .and_then(|c| c.get("schemas"))
            .and_then(|s| s.get(name))
            .ok_or_else(|| format!("{}: no schema {name}", self.file))
    }
}

/// Every OpenAPI file, in file-name order.
pub struct OpenApi {
    documents: Vec<Document>,
}

/// One operation (method of a path) of an OpenAPI file.
pub struct GraphOperation<'a> {
    /// The file it is in.
    pub document: &'a Document,
    /// Its path template as published, e.g. `/users/{user-id}`.
    pub path: &'a str,
    /// The operation object.
    pub operation: &'a Value,
}

impl GraphOperation<'_> {
    /// The JSON schema of the request body, if the operation declares one.
    pub fn request_body_schema(&self) -> Result<Option<&Value>, String> {
        let Some(body) = self.operation.get("requestBody") else {
            return Ok(None);
        };
        let body = self.document.resolve(body)?;
        body.get("content")
            .and_then(|c| c.get("application/json"))
            .and_then(|c| c.get("schema"))
            .map(Some)
            .ok_or_else(|| {
                format!(
                    "{}: {} has a non-JSON request body",
                    self.document.file, self.path
                )
            })
    }
}

fn is_placeholder(segment: &str) -> bool {
    segment.starts_with('{') && segment.ends_with('}')
}

/// An action or function segment without its namespace and empty parentheses.
fn bare(segment: &str) -> &str {
    let segment = segment.strip_prefix("microsoft.graph.").unwrap_or(segment);
    segment.strip_suffix("()").unwrap_or(segment)
}

/// Whether a catalog path template and a published one address the same resource.
fn paths_match(template: &str, published: &str) -> bool {
    let ours: Vec<_> = template.split('/').collect();
    let theirs: Vec<_> = published.split('/').collect();
    ours.len() == theirs.len()
        && ours
            .iter()
            .zip(&theirs)
            .all(|(a, b)| match (is_placeholder(a), is_placeholder(b)) {
                (true, true) => true,
                (false, false) => bare(a) == bare(b),
                _ => false,
            })
}

impl OpenApi {
    /// Reads and parses every `*.yml` file of [`openapi_dir`].
    pub fn load() -> Result<Self, String> {
        Self::load_from(&openapi_dir())
    }

    /// Reads and parses every `*.yml` file of `dir`.
    pub fn load_from(dir: &Path) -> Result<Self, String> {
        let listing = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let mut files = Vec::new();
        for entry in listing {
            let path = entry.map_err(|e| format!("{}: {e}", dir.display()))?.path();
            if path.extension().is_some_and(|ext| ext == "yml") {
                files.push(path);
            }
        }
        files.sort();
        let mut documents = Vec::new();
        for path in files {
            let text =
                std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            let root =
                serde_yaml_ng::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
            let file = path
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            documents.push(Document { file, root });
        }
        if documents.is_empty() {
            return Err(format!("no *.yml files in {}", dir.display()));
        }
        Ok(Self { documents })
    }

    /// Every file, in name order.
    pub fn documents(&self) -> &[Document] {
        &self.documents
    }

    /// The published operation a catalog method and Graph path template call, from the first file
    /// (in name order) that has it.
    pub fn operation(&self, method: Method, graph_path: &str) -> Option<GraphOperation<'_>> {
        let method = method.as_str().to_ascii_lowercase();
        self.documents.iter().find_map(|document| {
            document
                .root
                .get("paths")?
                .as_mapping()?
                .iter()
                .find_map(|(path, path_item)| {
                    let path = path.as_str()?;
                    let operation = path_item.get(method.as_str())?;
                    paths_match(graph_path, path).then_some(GraphOperation {
                        document,
                        path,
                        operation,
                    })
                })
        })
    }
}
