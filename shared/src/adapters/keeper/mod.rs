//! The keeper index on DynamoDB.

pub mod dynamo_due_links;
