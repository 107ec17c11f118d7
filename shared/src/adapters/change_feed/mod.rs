//! The change feed's subscription records on DynamoDB.

pub mod dynamo_subscriptions;
