//! How a failed AWS SDK call is described in logs: the kind of failure and, for an error AWS
//! answered, its error code and HTTP status, never the raw response. The SDK's `Debug` form
//! carries the whole HTTP response, body included (for Secrets Manager that could be the settings
//! secret, for DynamoDB an item), so it is never logged.

use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};

/// A loggable description of `error`: its kind, AWS's error code and the HTTP status.
pub fn describe<E: ProvideErrorMetadata>(error: &SdkError<E>) -> String {
    match error {
        SdkError::ConstructionFailure(_) => "the request could not be built".into(),
        SdkError::TimeoutError(_) => "timed out".into(),
        SdkError::DispatchFailure(failure) => {
            let kind = if failure.is_timeout() {
                "timeout"
            } else if failure.is_io() {
                "connection"
            } else {
                "dispatch"
            };
            format!("no answer ({kind} failure)")
        }
        SdkError::ResponseError(response) => {
            format!(
                "unreadable answer (HTTP {})",
                response.raw().status().as_u16()
            )
        }
        SdkError::ServiceError(service) => format!(
            "{} (HTTP {})",
            service.err().code().unwrap_or("an error without a code"),
            service.raw().status().as_u16()
        ),
        _ => "an unknown failure".into(),
    }
}
