//! Encodes a sign-in function's answer in the style it was invoked with: JSON answers and errors
//! as the Graph operations encode them, redirects as a `302` with `Location`.

use aws_lambda_events::apigw::ApiGatewayV2httpResponse;
use serde_json::{Value, json};

use crate::error::ApiError;
use crate::operations::graph_api::GraphResponse;
use crate::runtime::event::{EventStyle, encode};

/// What a sign-in function answers.
#[derive(Debug, Clone, PartialEq)]
pub enum SignInAnswer {
    /// A JSON body (`Value::Null` for none) with a status.
    Json {
        /// HTTP status.
        status: u16,
        /// The body.
        body: Value,
    },
    /// A `302 Found` to `location`, never cached.
    Redirect {
        /// Where the browser goes.
        location: String,
    },
}

impl SignInAnswer {
    /// The HTTP status of the answer.
    pub fn status(&self) -> u16 {
        match self {
            Self::Json { status, .. } => *status,
            Self::Redirect { .. } => 302,
        }
    }
}

fn redirect(style: EventStyle, location: &str) -> Value {
    match style {
        EventStyle::Direct => json!({
            "status": 302,
            "headers": { "location": location, "cache-control": "no-store" },
        }),
        EventStyle::ApiGateway => {
            let mut response = ApiGatewayV2httpResponse::default();
            response.status_code = 302;
            for (name, value) in [("location", location), ("cache-control", "no-store")] {
                if let Ok(value) = value.parse() {
                    response.headers.insert(name, value);
                }
            }
            serde_json::to_value(response).expect("API Gateway responses serialise")
        }
    }
}

/// Encodes `result` for an invocation of `style`.
pub fn encode_answer(
    style: EventStyle,
    result: &Result<SignInAnswer, ApiError>,
    request_id: &str,
) -> Value {
    match result {
        Ok(SignInAnswer::Redirect { location }) => redirect(style, location),
        Ok(SignInAnswer::Json { status, body }) => encode(
            style,
            &Ok(GraphResponse::json(*status, body.clone())),
            request_id,
        ),
        Err(error) => encode(style, &Err(error.clone()), request_id),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_redirects_in_both_styles() {
        let answer = Ok(SignInAnswer::Redirect {
            location: "https://app.example.com/failed?f=state_invalid".into(),
        });
        let direct = encode_answer(EventStyle::Direct, &answer, "r");
        assert_eq!(direct["status"], 302);
        assert_eq!(
            direct["headers"]["location"],
            "https://app.example.com/failed?f=state_invalid"
        );
        let gateway = encode_answer(EventStyle::ApiGateway, &answer, "r");
        assert_eq!(gateway["statusCode"], 302);
        assert_eq!(
            gateway["headers"]["location"],
            "https://app.example.com/failed?f=state_invalid"
        );
        assert_eq!(gateway["headers"]["cache-control"], "no-store");
    }

    #[test]
    fn encodes_json_and_errors_like_the_operations() {
        let ok = Ok(SignInAnswer::Json {
            status: 200,
            body: json!({"linked": false}),
        });
        assert_eq!(
            encode_answer(EventStyle::Direct, &ok, "r"),
            json!({"status": 200, "body": {"linked": false}})
        );
        let none = Ok(SignInAnswer::Json {
            status: 204,
            body: Value::Null,
        });
        let gateway = encode_answer(EventStyle::ApiGateway, &none, "r");
        assert_eq!(gateway["statusCode"], 204);
        assert!(gateway.get("body").is_none_or(Value::is_null), "{gateway}");
        let error = Err(ApiError::invalid("bad"));
        let direct = encode_answer(EventStyle::Direct, &error, "r");
        assert_eq!(direct["status"], 400);
        assert_eq!(direct["body"]["error"]["code"], "InvalidRequest");
    }
}
