//! What a token checked by API Gateway's JWT authorizer must carry before a function acts on it.
//! The authorizer vouches for the token; these rules decide who the caller is and what it may do,
//! and fail closed: a token without the subject claim, or without a required scope, is `Forbidden`.

use aws_lambda_events::apigw::ApiGatewayRequestAuthorizerJwtDescription;

use crate::error::{ApiError, ErrorCode};

/// The claim naming the caller when `JWT_SUBJECT_CLAIM` is not set.
pub const DEFAULT_SUBJECT_CLAIM: &str = "sub";

/// The rules for JWT-authorized calls of one function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JwtRules {
    /// The claim that names the application user the caller is (`JWT_SUBJECT_CLAIM`).
    pub subject_claim: String,
    /// Scopes of which the token must carry at least one (`JWT_REQUIRED_SCOPES`; none = any token).
    pub required_scopes: Vec<String>,
}

impl Default for JwtRules {
    fn default() -> Self {
        Self {
            subject_claim: DEFAULT_SUBJECT_CLAIM.to_string(),
            required_scopes: Vec::new(),
        }
    }
}

fn forbidden(message: String) -> ApiError {
    ApiError::new(ErrorCode::Forbidden, message)
}

/// The scopes a token carries: the authorizer's `scopes`, and the `scope` / `scp` claims
/// (space-separated, as OAuth 2.0 and Microsoft Entra write them).
fn token_scopes(jwt: &ApiGatewayRequestAuthorizerJwtDescription) -> Vec<&str> {
    let listed = jwt.scopes.iter().flatten().map(String::as_str);
    let claimed = ["scope", "scp"]
        .into_iter()
        .filter_map(|claim| jwt.claims.get(claim))
        .flat_map(|text| text.split_whitespace());
    listed.chain(claimed).collect()
}

impl JwtRules {
    /// The application user the token's caller is, after checking the required scopes.
    pub fn subject(
        &self,
        jwt: &ApiGatewayRequestAuthorizerJwtDescription,
    ) -> Result<String, ApiError> {
        let subject = jwt
            .claims
            .get(&self.subject_claim)
            .filter(|subject| !subject.is_empty())
            .ok_or_else(|| {
                forbidden(format!(
                    "the token carries no `{}` claim to name the caller",
                    self.subject_claim
                ))
            })?;
        if !self.required_scopes.is_empty() {
            let carried = token_scopes(jwt);
            if !self
                .required_scopes
                .iter()
                .any(|scope| carried.contains(&scope.as_str()))
            {
                return Err(forbidden(format!(
                    "the token carries none of the scopes this function requires ({})",
                    self.required_scopes.join(", ")
                )));
            }
        }
        Ok(subject.clone())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn jwt(
        claims: &[(&str, &str)],
        scopes: Option<Vec<&str>>,
    ) -> ApiGatewayRequestAuthorizerJwtDescription {
        let mut jwt = ApiGatewayRequestAuthorizerJwtDescription::default();
        jwt.claims = claims
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect::<HashMap<_, _>>();
        jwt.scopes = scopes.map(|s| s.into_iter().map(String::from).collect());
        jwt
    }

    #[test]
    fn the_configured_claim_names_the_caller_and_its_absence_is_forbidden() {
        let rules = JwtRules {
            subject_claim: "oid".into(),
            required_scopes: Vec::new(),
        };
        assert_eq!(
            rules
                .subject(&jwt(&[("oid", "alice"), ("sub", "x")], None))
                .unwrap(),
            "alice"
        );
        for claims in [&[("sub", "alice")][..], &[("oid", "")][..]] {
            let error = rules.subject(&jwt(claims, None)).unwrap_err();
            assert_eq!(error.code(), Some(ErrorCode::Forbidden));
        }
    }

    #[test]
    fn a_required_scope_may_come_from_the_authorizer_or_the_scope_claims() {
        let rules = JwtRules {
            subject_claim: "sub".into(),
            required_scopes: vec!["graph.write".into()],
        };
        assert!(
            rules
                .subject(&jwt(&[("sub", "a")], Some(vec!["graph.write"])))
                .is_ok()
        );
        assert!(
            rules
                .subject(&jwt(&[("sub", "a"), ("scope", "read graph.write")], None))
                .is_ok()
        );
        assert!(
            rules
                .subject(&jwt(&[("sub", "a"), ("scp", "graph.write")], None))
                .is_ok()
        );
        let error = rules
            .subject(&jwt(
                &[("sub", "a"), ("scope", "graph.read")],
                Some(vec!["graph.read"]),
            ))
            .unwrap_err();
        assert_eq!(error.code(), Some(ErrorCode::Forbidden));
    }
}
