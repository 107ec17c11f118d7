//! OData query options for Graph collections of any entity. Entities are JSON property maps;
//! each resource describes what it supports with a [`CollectionShape`] and maps
//! [`ODataError`]s to its own service's error codes.

mod filter;
mod options;
mod order_by;
pub mod paging;
mod search;
mod select;

pub use options::CollectionQuery;
pub use select::{parse_select, project};

use serde_json::{Map, Value};

/// The value at `path` (`name` or `name/inner/...`) of an entity.
fn value_at<'a>(item: &'a Map<String, Value>, path: &str) -> Option<&'a Value> {
    let mut names = path.split('/');
    let first = item.get(names.next()?)?;
    names.try_fold(first, |value, name| value.get(name))
}

/// What a collection supports.
pub struct CollectionShape {
    /// Properties `$select` accepts.
    pub properties: &'static [&'static str],
    /// Properties `$filter` may test.
    pub filterable: &'static [&'static str],
    /// Properties `$orderby` may sort by.
    pub sortable: &'static [&'static str],
    /// Properties `$search` may match.
    pub searchable: &'static [&'static str],
    /// Largest `$top`.
    pub max_top: usize,
}

/// A query option Graph refuses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ODataError {
    /// `$select` names a property the entity does not have.
    UnknownProperty(String),
    /// `$filter` does not parse.
    InvalidFilter(String),
    /// `$filter` tests a property or uses an operator the collection does not support.
    UnsupportedFilter(String),
    /// `$orderby` names a property the collection cannot sort by, or several.
    UnsupportedOrderBy(String),
    /// `$search` does not parse or names a property that cannot be searched.
    InvalidSearch(String),
    /// `$top`, `$skip` or `$count` has a value that is not allowed.
    InvalidValue {
        /// The option, e.g. `$top`.
        option: &'static str,
        /// The value sent.
        value: String,
    },
    /// A query option the service does not support here (e.g. `$expand`).
    UnsupportedOption(String),
    /// A `$skiptoken` the simulator did not issue.
    InvalidSkipToken,
}
