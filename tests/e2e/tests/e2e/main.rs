//! The integration and end-to-end tests, one test binary (one link step, one process sharing moto
//! server), one module per subject.

mod aws_sample_events;
mod calendar_operations;
mod change_feed;
mod change_feed_bench;
mod change_feed_faults;
mod deploy_docs;
mod docs;
mod first_call;
mod function_errors;
mod iam_policies;
mod jwt_callers;
mod link_events;
mod microsoft_errors;
mod moto;
mod national_clouds;
mod notifications_function_url;
mod observability;
mod openapi_contract;
mod permissions;
mod real_requests;
mod reliability;
mod response_limits;
mod runtime_api;
mod self_contained;
mod sign_in;
mod stack;
mod template;
mod token_keeper;
mod token_renewal;
mod users_functions;
mod users_operations;
