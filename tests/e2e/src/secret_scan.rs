//! Recognises tokens, authorization codes and the demo client secret in text, so every function run
//! by the harness can be checked for leaks in its logs and answers.

use crate::demo_directory::DEMO_CLIENT_SECRET;

/// Shortest run of base64url characters after `0.A` that counts as a Microsoft-style refresh token or
/// authorization code (the simulator issues them with this prefix, as Microsoft does).
const MIN_OPAQUE_TOKEN_CHARS: usize = 20;

fn is_base64url(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '_'
}

/// Whether `text` starts with a JWT: three base64url parts separated by dots, the first two long.
fn looks_like_jwt(text: &str) -> bool {
    let mut parts = text.splitn(3, '.');
    let long_part = |part: Option<&str>| {
        part.is_some_and(|p| p.len() >= MIN_OPAQUE_TOKEN_CHARS && p.chars().all(is_base64url))
    };
    let header = parts.next();
    let payload = parts.next();
    let signature = parts
        .next()
        .map(|rest| rest.chars().take_while(|c| is_base64url(*c)).count());
    long_part(header) && long_part(payload) && signature.is_some_and(|n| n > 0)
}

/// What kind of secret `text` holds, if any: a JWT (access or id token), an opaque refresh token or
/// authorization code, or the client secret.
pub fn find_secret(text: &str) -> Option<&'static str> {
    if text.contains(DEMO_CLIENT_SECRET) {
        return Some("the client secret");
    }
    if text
        .match_indices("eyJ")
        .any(|(at, _)| looks_like_jwt(&text[at..]))
    {
        return Some("a JWT");
    }
    let opaque = text.match_indices("0.A").any(|(at, _)| {
        text[at + 3..]
            .chars()
            .take_while(|c| is_base64url(*c))
            .count()
            >= MIN_OPAQUE_TOKEN_CHARS
    });
    opaque.then_some("a refresh token or authorization code")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_tokens_but_not_ordinary_text() {
        assert_eq!(
            find_secret(
                "Bearer eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJvaWQiOiJhYmMiLCJ0aWQiOiJ4eXoifQ.c2ln"
            ),
            Some("a JWT")
        );
        assert_eq!(
            find_secret("refresh_token=0.AXoAb3k2m5n6p7q8r9s0t1u2v3w4"),
            Some("a refresh token or authorization code")
        );
        assert_eq!(
            find_secret(&format!("secret {DEMO_CLIENT_SECRET}")),
            Some("the client secret")
        );
        assert_eq!(
            find_secret("{\"durationMs\":10.A, \"eyJ\": 1, \"version\": 0.A1}"),
            None
        );
    }
}
