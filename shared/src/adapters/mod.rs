//! Adapters: the real DynamoDB, Secrets Manager and Microsoft endpoints behind the domain's ports.

pub mod dynamo_attributes;
pub mod dynamo_due_links;
pub mod dynamo_schema;
pub mod dynamo_sign_in_states;
pub mod dynamo_token_store;
pub mod ms_graph_client;
pub mod ms_identity_platform;
pub mod retry_policy;
pub mod retrying_sender;
pub mod secrets_manager_settings;
