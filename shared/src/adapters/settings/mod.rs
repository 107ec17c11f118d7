//! The settings secret in AWS Secrets Manager.

pub mod secrets_manager_settings;
