//! The DynamoDB table layout shared by every function: one table, one string partition key,
//! a sparse sharded index on the keeper's due time, and a TTL attribute.
//!
//! `template.yaml` and the local stack create the table from these names; tests check they agree.

/// Partition key attribute (string). Item kinds are told apart by its prefix.
pub const PARTITION_KEY: &str = "pk";
/// Attribute DynamoDB's TTL deletes items by (epoch seconds).
pub const TTL_ATTRIBUTE: &str = "expiresAt";
/// Name of the global secondary index the token keeper reads due links from.
pub const KEEPER_INDEX: &str = "keeper-due";
/// Keeper index partition key (string): `shard#NN`; present only on links the keeper must refresh.
pub const KEEPER_SHARD: &str = "keeperShard";
/// Keeper index sort key (number): epoch seconds at which the link is due for a refresh.
pub const KEEPER_DUE_AT: &str = "keeperDueAt";
