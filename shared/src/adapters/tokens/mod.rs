//! The token store on DynamoDB and the identity platform's token endpoint over HTTP.

pub mod dynamo_token_store;
pub mod ms_identity_platform;
