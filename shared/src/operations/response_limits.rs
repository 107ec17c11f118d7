//! What any answer must fit: a synchronous Lambda response is at most 6 MB. AWS documents the
//! limit as "6 MB each for request and response (synchronous)"
//! (docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html), enforced as 6,291,456 bytes
//! of the serialised response. Through API Gateway, Graph's JSON travels as a JSON *string*
//! inside the response, so every `"` and `\` in it costs one byte more: [`encoded_size`] counts
//! that, which bounds the direct-invocation form too.

use serde::Serialize;

/// Lambda's synchronous response limit, in bytes.
pub const LAMBDA_RESPONSE_LIMIT: usize = 6_291_456;

/// Room kept for the response envelope (status, headers, the error shape, base64 padding).
const ENVELOPE_RESERVE: usize = 64 * 1024;

/// The most an answer's body may cost ([`encoded_size`]) so the response fits the limit.
pub const ANSWER_BUDGET: usize = LAMBDA_RESPONSE_LIMIT - ENVELOPE_RESERVE;

/// The largest binary answer (a photo): its base64 form (4/3 of it) fits [`ANSWER_BUDGET`].
pub const MAX_MEDIA_BYTES: usize = 4 * 1024 * 1024;

/// The most of one Graph answer read into memory; a larger one is refused unread.
pub const MAX_GRAPH_BODY_BYTES: usize = ANSWER_BUDGET;

/// Counts the bytes written to it and the escapes they will need, keeping none of them.
#[derive(Default)]
struct SizeCounter {
    size: usize,
}

impl std::io::Write for SizeCounter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.size += bytes.len() + bytes.iter().filter(|b| matches!(b, b'"' | b'\\')).count();
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The bytes `value` costs in the largest form it is returned in (a JSON string inside API
/// Gateway's response): its JSON text plus one escape per `"` and `\`. Counted while
/// serialising, without building the text.
pub fn encoded_size<T: Serialize + ?Sized>(value: &T) -> usize {
    let mut counter = SizeCounter::default();
    serde_json::to_writer(&mut counter, value).expect("JSON values always serialise");
    counter.size
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    #[test]
    fn the_encoded_size_is_the_size_inside_an_api_gateway_body() {
        let value = json!({"displayName": "Adele \"AV\" Vance", "path": "a\\b"});
        let as_gateway_body = serde_json::to_string(&Value::String(value.to_string())).unwrap();
        // The gateway form adds the two enclosing quotes.
        assert_eq!(encoded_size(&value) + 2, as_gateway_body.len());
    }

    #[test]
    fn a_photo_at_the_cap_fits_base64_encoded() {
        assert!(MAX_MEDIA_BYTES.div_ceil(3) * 4 < ANSWER_BUDGET);
    }
}
