//! Parsing the query options of a collection request and applying them.

use serde_json::{Map, Value};

use super::filter::Filter;
use super::order_by::OrderBy;
use super::paging::{Links, collection_body, decode_token, encode_token};
use super::search::Search;
use super::select::parse_select;
use super::{CollectionShape, ODataError};

/// The query options of one collection request.
#[derive(Debug, Default)]
pub struct CollectionQuery {
    /// `$select`, canonical property names.
    pub select: Option<Vec<String>>,
    filter: Option<Filter>,
    order_by: Option<OrderBy>,
    search: Option<Search>,
    /// `$top`: the page size.
    pub top: Option<usize>,
    /// `$skip`.
    pub skip: Option<usize>,
    /// `$count=true`.
    pub count: bool,
    skip_token: Option<String>,
}

/// One page of a collection.
struct CollectionPage<T> {
    items: Vec<T>,
    /// How many items the whole (filtered) collection has.
    total: usize,
    next_link: Option<String>,
}

fn number(option: &'static str, value: &str) -> Result<usize, ODataError> {
    value.parse().map_err(|_| ODataError::InvalidValue {
        option,
        value: value.to_string(),
    })
}

impl CollectionQuery {
    /// Parses a raw query string; options without `$` are ignored, unknown `$` options refused.
    pub fn parse(
        raw_query: Option<&str>,
        shape: &CollectionShape,
    ) -> Result<CollectionQuery, ODataError> {
        let mut query = CollectionQuery::default();
        for (name, value) in url::form_urlencoded::parse(raw_query.unwrap_or_default().as_bytes()) {
            match name.to_ascii_lowercase().as_str() {
                "$select" => query.select = Some(parse_select(&value, shape.properties)?),
                "$filter" => query.filter = Some(Filter::parse(&value, shape.filterable)?),
                "$orderby" => query.order_by = Some(OrderBy::parse(&value, shape.sortable)?),
                "$search" => query.search = Some(Search::parse(&value, shape.searchable)?),
                "$top" => {
                    let top = number("$top", &value)?;
                    if !(1..=shape.max_top).contains(&top) {
                        return Err(ODataError::InvalidValue {
                            option: "$top",
                            value: value.into_owned(),
                        });
                    }
                    query.top = Some(top);
                }
                "$skip" => query.skip = Some(number("$skip", &value)?),
                "$count" => {
                    query.count = match value.as_ref() {
                        "true" => true,
                        "false" => false,
                        _ => {
                            return Err(ODataError::InvalidValue {
                                option: "$count",
                                value: value.into_owned(),
                            });
                        }
                    }
                }
                "$skiptoken" => query.skip_token = Some(value.into_owned()),
                other if other.starts_with('$') => {
                    return Err(ODataError::UnsupportedOption(name.into_owned()));
                }
                _ => {}
            }
        }
        Ok(query)
    }

    /// Whether `$filter` was given.
    pub fn has_filter(&self) -> bool {
        self.filter.is_some()
    }

    /// The property `$filter` tests with an operator only advanced directory queries allow.
    pub fn advanced_filter_property(&self) -> Option<&str> {
        self.filter.as_ref().and_then(Filter::advanced_property)
    }

    /// Whether `$orderby` was given.
    pub fn has_order_by(&self) -> bool {
        self.order_by.is_some()
    }

    /// Whether `$search` was given.
    pub fn has_search(&self) -> bool {
        self.search.is_some()
    }

    /// Applies `$filter`, `$search` and `$orderby` to `items`, whose properties `properties` reads.
    pub fn apply<'a, T>(
        &self,
        items: impl IntoIterator<Item = &'a T>,
        properties: impl Fn(&T) -> &Map<String, Value>,
    ) -> Vec<&'a T> {
        let mut kept: Vec<&T> = items
            .into_iter()
            .filter(|item| {
                self.filter
                    .as_ref()
                    .is_none_or(|filter| filter.matches(properties(item)))
            })
            .filter(|item| {
                self.search
                    .as_ref()
                    .is_none_or(|search| search.matches(properties(item)))
            })
            .collect();
        if let Some(order_by) = &self.order_by {
            kept.sort_by(|a, b| order_by.compare(properties(a), properties(b)));
        }
        kept
    }

    /// The response body for the page this request asks for: `@odata.context` = `context`,
    /// `@odata.count` when `$count=true`, the page's items through `view`, and
    /// `@odata.nextLink` when more follow.
    pub fn respond<T>(
        &self,
        items: Vec<T>,
        default_size: usize,
        links: &Links<'_>,
        context: String,
        view: impl Fn(&T) -> Value,
    ) -> Result<Value, ODataError> {
        let page = self.page(items, default_size, links)?;
        let values = page.items.iter().map(view).collect();
        let next_link = page.next_link.map(|link| ("@odata.nextLink", link));
        Ok(collection_body(
            context,
            values,
            self.count.then_some(page.total),
            next_link,
        ))
    }

    /// The page this request asks for: from `$skip` plus the `$skiptoken` position, `$top`
    /// items (else `default_size`), and a next link when more follow.
    fn page<T>(
        &self,
        items: Vec<T>,
        default_size: usize,
        links: &Links<'_>,
    ) -> Result<CollectionPage<T>, ODataError> {
        let resumed_at = match &self.skip_token {
            Some(token) => decode_token(token)?
                .strip_prefix("offset:")
                .and_then(|offset| offset.parse::<usize>().ok())
                .ok_or(ODataError::InvalidSkipToken)?,
            None => 0,
        };
        let start = resumed_at + self.skip.unwrap_or(0);
        let size = self.top.unwrap_or(default_size);
        let total = items.len();
        let next_link = (start + size < total).then(|| {
            links.with(
                "$skiptoken",
                &encode_token(&format!("offset:{}", resumed_at + size)),
            )
        });
        let items = items.into_iter().skip(start).take(size).collect();
        Ok(CollectionPage {
            items,
            total,
            next_link,
        })
    }
}
