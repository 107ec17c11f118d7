//! Pending sign-ins on DynamoDB.

pub mod dynamo_sign_in_states;
