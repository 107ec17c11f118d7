//! Replaces the generated part of a document: the text between a begin and an end marker line.

/// `document` with the lines between the line `begin` and the line `end` replaced by `content`.
pub fn replace_generated(
    document: &str,
    begin: &str,
    end: &str,
    content: &str,
) -> Result<String, String> {
    let start = document
        .find(begin)
        .ok_or_else(|| format!("marker `{begin}` is missing"))?
        + begin.len();
    let stop = document[start..]
        .find(end)
        .map(|offset| start + offset)
        .ok_or_else(|| format!("marker `{end}` is missing after `{begin}`"))?;
    let content = content.trim_end_matches('\n');
    Ok(format!(
        "{}\n{content}\n{}",
        &document[..start],
        &document[stop..]
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_only_between_the_markers() {
        let document = "intro\n<!-- b -->\nold\nlines\n<!-- e -->\noutro\n";
        assert_eq!(
            replace_generated(document, "<!-- b -->", "<!-- e -->", "new\n").unwrap(),
            "intro\n<!-- b -->\nnew\n<!-- e -->\noutro\n"
        );
        assert!(
            replace_generated("<!-- e --><!-- b -->", "<!-- b -->", "<!-- e -->", "x").is_err()
        );
    }
}
