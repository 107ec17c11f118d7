//! Microsoft Graph over HTTP.

pub mod graph_preconnect;
pub mod ms_graph_client;
