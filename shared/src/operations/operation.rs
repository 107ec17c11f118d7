//! What an operation is: one catalog entry describing one Lambda function and the Graph request it makes.

/// HTTP methods the operations use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    /// GET
    Get,
    /// POST
    Post,
    /// PATCH
    Patch,
    /// DELETE
    Delete,
}

impl Method {
    /// The method's name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Post => "POST",
            Self::Patch => "PATCH",
            Self::Delete => "DELETE",
        }
    }
}

/// OData system query options an operation may pass through to Graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryOption {
    /// `$select`: comma-separated property names.
    Select,
    /// `$filter`: an OData filter expression (Graph validates it).
    Filter,
    /// `$search`: a quoted search expression.
    Search,
    /// `$orderby`: properties with optional `asc`/`desc`.
    OrderBy,
    /// `$top`: page size, 1..=999.
    Top,
    /// `$skip`: items to skip.
    Skip,
    /// `$count`: `true` or `false`.
    Count,
    /// `$expand`: navigation properties.
    Expand,
    /// `$skiptoken`: continues a paged listing (from a previous `@odata.nextLink`).
    SkipToken,
}

impl QueryOption {
    /// Every option, for parsing.
    pub const ALL: [QueryOption; 9] = [
        Self::Select,
        Self::Filter,
        Self::Search,
        Self::OrderBy,
        Self::Top,
        Self::Skip,
        Self::Count,
        Self::Expand,
        Self::SkipToken,
    ];

    /// The option's name as Graph spells it (with `$`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Select => "$select",
            Self::Filter => "$filter",
            Self::Search => "$search",
            Self::OrderBy => "$orderby",
            Self::Top => "$top",
            Self::Skip => "$skip",
            Self::Count => "$count",
            Self::Expand => "$expand",
            Self::SkipToken => "$skiptoken",
        }
    }
}

/// Whether, and how, an operation takes a request body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyRule {
    /// No body accepted.
    None,
    /// A JSON object is required.
    Required,
    /// A JSON object may be given; `{}` is sent when it is not (e.g. `accept` with no comment).
    Optional,
}

/// One operation: one Lambda binary, one HTTP route, one Graph request.
#[derive(Debug)]
pub struct Operation {
    /// Binary and function name, e.g. `users-get`.
    pub name: &'static str,
    /// One line saying what it does.
    pub summary: &'static str,
    /// HTTP method of both the API route and the Graph request.
    pub method: Method,
    /// API Gateway route path, e.g. `/users/{userId}`.
    pub route: &'static str,
    /// Graph v1.0 path template, e.g. `/users/{userId}`; `{name}` placeholders are path parameters.
    pub graph_path: &'static str,
    /// OData query options accepted and passed through.
    pub query_options: &'static [QueryOption],
    /// Request body rule.
    pub body: BodyRule,
    /// Delegated scopes, any one of which suffices; empty means delegated permissions are not allowed.
    pub delegated_scopes: &'static [&'static str],
    /// Application permissions, any one of which suffices; empty means application permissions are not allowed.
    pub application_permissions: &'static [&'static str],
    /// Whether the response is a collection whose pages `all=true` may follow.
    pub pageable: bool,
    /// Whether `$search`, `$count` or `$filter` with `$orderby` need `ConsistencyLevel: eventual`
    /// (directory objects' advanced queries).
    pub advanced_query: bool,
    /// Graph path template used instead of `graph_path` when the caller names a `calendarId`.
    pub calendar_graph_path: Option<&'static str>,
    /// Whether `startDateTime` and `endDateTime` are required (calendar views, instances).
    pub time_window: bool,
    /// Whether a `timeZone` option is accepted and sent as `Prefer: outlook.timezone`.
    pub time_zone: bool,
    /// A body property that makes a POST safe to retry (Graph returns the original item for a repeated
    /// value); generated when the caller gives none.
    pub idempotency_key: Option<&'static str>,
    /// Whether it changes something (creates, updates, deletes, or responds to or forwards a
    /// meeting), so a JWT caller's token needs a write scope (`JwtWriteScopes` in the template);
    /// the POSTs that only read (`find-meeting-times`, `get-schedule`) do not.
    pub writes: bool,
}

/// Field values most operations share; catalog entries override what differs.
pub const DEFAULTS: Operation = Operation {
    name: "",
    summary: "",
    method: Method::Get,
    route: "",
    graph_path: "",
    query_options: &[],
    body: BodyRule::None,
    delegated_scopes: &[],
    application_permissions: &[],
    pageable: false,
    advanced_query: false,
    calendar_graph_path: None,
    time_window: false,
    time_zone: false,
    idempotency_key: None,
    writes: false,
};

impl Operation {
    /// Names of the path parameters in the Graph path template, in order.
    pub fn path_parameters(&self) -> impl Iterator<Item = &'static str> {
        placeholders(self.graph_path)
    }

    /// Whether the operation also works on a named calendar (`calendarId`).
    pub fn accepts_calendar(&self) -> bool {
        self.calendar_graph_path.is_some()
    }

    /// Whether the operation may be called with delegated permissions (an `authUserId`).
    pub fn allows_delegated(&self) -> bool {
        !self.delegated_scopes.is_empty()
    }

    /// Whether the operation may be called with application permissions (no `authUserId`).
    pub fn allows_application(&self) -> bool {
        !self.application_permissions.is_empty()
    }
}

/// The `{name}` placeholders of a path template, in order.
pub fn placeholders(template: &'static str) -> impl Iterator<Item = &'static str> {
    template
        .split('/')
        .filter_map(|segment| segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
}
