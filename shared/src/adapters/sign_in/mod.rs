//! Pending sign-ins, pending completions and Microsoft account claims on DynamoDB.

pub mod dynamo_account_claims;
pub mod dynamo_pending_completions;
pub mod dynamo_sign_in_states;
