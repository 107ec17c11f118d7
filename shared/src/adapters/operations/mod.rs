//! Microsoft Graph over HTTP.

pub mod ms_graph_client;
