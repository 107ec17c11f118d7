//! The test harness: the local services the functions run against (moto server, the Microsoft
//! simulator), a Lambda Runtime API to run the built function binaries, and a per-test stack
//! tying them together. Used by the integration tests in `tests/e2e/` and by the developer tools
//! of `xtask/` (`stack-init`, the load run).

pub mod aws;
pub mod change_feed_control;
pub mod counting_proxy;
pub mod demo_directory;
pub mod event_bus;
pub mod function_binary;
pub mod function_env;
pub mod function_process;
pub mod http_front;
pub mod lambda_events;
pub mod lambda_watch;
pub mod link_seeding;
pub mod moto;
pub mod paths;
pub mod runtime_api;
pub mod secret;
pub mod secret_scan;
pub mod settings;
pub mod sign_in;
pub mod simulator_control;
pub mod stack;
pub mod stored_links;
pub mod table;
pub mod unique_name;
