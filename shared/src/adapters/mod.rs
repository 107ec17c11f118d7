//! Adapters: the real services behind the domain's ports, in folders mirroring the subsystem whose
//! port they implement.
//!
//! | port | adapter |
//! | --- | --- |
//! | [`crate::tokens::store::TokenStore`] | [`tokens::dynamo_token_store`] |
//! | [`crate::tokens::identity_platform::IdentityPlatform`] | [`tokens::ms_identity_platform`] |
//! | [`crate::operations::graph_api::GraphApi`] | [`operations::ms_graph_client`] |
//! | [`crate::sign_in::pending_states::SignInStateStore`] | [`sign_in::dynamo_sign_in_states`] |
//! | [`crate::keeper::due_links::DueLinks`] | [`keeper::dynamo_due_links`] |
//! | [`crate::settings::provider::SettingsSource`] | [`settings::secrets_manager_settings`] |
//! | [`crate::events::publisher::EventPublisher`] | [`events::eventbridge_publisher`] |
//! | [`crate::change_feed::store::SubscriptionStore`] | [`change_feed::dynamo_subscriptions`] |
//!
//! Shared by them: the table layout and key prefixes ([`dynamodb_table`]), DynamoDB attribute
//! helpers ([`dynamodb_attributes`]) and the retrying HTTP sender to Microsoft ([`retrying_sender`],
//! [`retry_policy`]). Adapters import the domain; the domain never imports them.

pub mod aws_errors;
pub mod change_feed;
pub mod dynamodb_attributes;
pub mod dynamodb_single_use;
pub mod dynamodb_table;
pub mod events;
pub mod keeper;
pub mod operations;
pub mod retry_policy;
pub mod retrying_sender;
pub mod settings;
pub mod sign_in;
pub mod tokens;
