//! The application's EventBridge bus.

pub mod eventbridge_publisher;
