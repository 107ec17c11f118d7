//! Events the bundle publishes to the application's EventBridge bus (link lifecycle events and the
//! Graph change feed): what an event is ([`bus_event`]), how events are cut into `PutEvents`
//! batches ([`batches`]) and the port they leave through ([`publisher`]). The adapter is
//! `adapters::events::eventbridge_publisher`.

pub mod batches;
pub mod bus_event;
pub mod publisher;
