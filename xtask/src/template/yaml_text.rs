//! Writes a template value as block YAML that reads the same under YAML 1.1 and 1.2.
//!
//! CloudFormation and cfn-lint read templates as YAML 1.1, where plain `OFF`, `yes` or `2010-09-09`
//! are a boolean or a date, while YAML 1.2 writers (serde_yaml_ng) leave them unquoted. Here a string
//! is written plain only when it starts with a letter, holds nothing but letters, digits and a few
//! punctuation marks, and is none of YAML 1.1's boolean or null words; every other string is quoted,
//! except text of several lines (a dashboard's JSON), written as a literal block (`|`) so it reads as
//! it is.

use std::fmt::Write;

use serde_yaml_ng::Value;

/// Words YAML 1.1 reads as booleans or null when unquoted (compared case-insensitively).
const YAML_1_1_WORDS: [&str; 11] = [
    "y", "n", "yes", "no", "on", "off", "true", "false", "null", "nan", "inf",
];

/// Indentation per nesting level.
const INDENT: usize = 2;

fn is_plain(text: &str) -> bool {
    let mut chars = text.chars();
    chars
        .next()
        .is_some_and(|first| first.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || " _-.:/()".contains(c))
        && !text.ends_with([' ', ':'])
        && !text.contains(": ")
        && !YAML_1_1_WORDS.contains(&text.to_ascii_lowercase().as_str())
}

/// A string scalar: plain when safe, else single-quoted, or double-quoted (JSON escapes, which YAML
/// shares) when it holds control characters.
fn string_scalar(text: &str) -> String {
    if is_plain(text) {
        text.to_string()
    } else if text.chars().any(char::is_control) {
        serde_json::Value::String(text.to_string()).to_string()
    } else {
        format!("'{}'", text.replace('\'', "''"))
    }
}

/// The header (`|` or `|-`) and lines of `text` as a literal block, when it has several lines, no
/// control character but line breaks, at most one final line break, and a first line that does not
/// start with a space (which would read as more indentation).
fn literal_block(text: &str) -> Option<(&'static str, Vec<&str>)> {
    let (header, body) = match text.strip_suffix('\n') {
        Some(body) => ("|", body),
        None => ("|-", text),
    };
    let plain_lines = body.contains('\n')
        && !body.ends_with('\n')
        && !body.starts_with([' ', '\n'])
        && !body.chars().any(|c| c.is_control() && c != '\n');
    plain_lines.then(|| (header, body.split('\n').collect()))
}

/// Writes `lines` of a literal block at `indent` (empty lines stay empty).
fn write_lines(out: &mut String, lines: &[&str], indent: usize) {
    for line in lines {
        if line.is_empty() {
            out.push('\n');
        } else {
            writeln!(out, "{}{line}", " ".repeat(indent)).expect("writing to a String");
        }
    }
}

/// A scalar, or `None` for a non-empty mapping or sequence (written as a block).
fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::Null => Some("null".into()),
        Value::Bool(flag) => Some(flag.to_string()),
        Value::Number(number) => Some(number.to_string()),
        Value::String(text) => Some(string_scalar(text)),
        Value::Sequence(items) if items.is_empty() => Some("[]".into()),
        Value::Mapping(entries) if entries.is_empty() => Some("{}".into()),
        Value::Sequence(_) | Value::Mapping(_) => None,
        Value::Tagged(tagged) => panic!(
            "tagged YAML values ({}) are not used in templates: write intrinsic functions in long form",
            tagged.tag
        ),
    }
}

/// Writes the block of non-empty mapping or sequence `value` at `indent`; `first_line_taken` means
/// the first line continues a `- ` already written.
fn write_block(out: &mut String, value: &Value, indent: usize, first_line_taken: bool) {
    let mut pad = if first_line_taken {
        String::new()
    } else {
        " ".repeat(indent)
    };
    match value {
        Value::Mapping(entries) => {
            for (key, entry) in entries {
                let key = scalar(key).expect("template keys are strings");
                if let Some((header, lines)) = entry.as_str().and_then(literal_block) {
                    writeln!(out, "{pad}{key}: {header}").expect("writing to a String");
                    write_lines(out, &lines, indent + INDENT);
                    pad = " ".repeat(indent);
                    continue;
                }
                match scalar(entry) {
                    Some(text) => writeln!(out, "{pad}{key}: {text}"),
                    None => {
                        writeln!(out, "{pad}{key}:").expect("writing to a String");
                        write_block(out, entry, indent + INDENT, false);
                        Ok(())
                    }
                }
                .expect("writing to a String");
                pad = " ".repeat(indent);
            }
        }
        Value::Sequence(items) => {
            for item in items {
                if let Some((header, lines)) = item.as_str().and_then(literal_block) {
                    writeln!(out, "{pad}- {header}").expect("writing to a String");
                    write_lines(out, &lines, indent + INDENT);
                    pad = " ".repeat(indent);
                    continue;
                }
                match scalar(item) {
                    Some(text) => writeln!(out, "{pad}- {text}").expect("writing to a String"),
                    None if matches!(item, Value::Mapping(_)) => {
                        write!(out, "{pad}- ").expect("writing to a String");
                        write_block(out, item, indent + INDENT, true);
                    }
                    None => {
                        writeln!(out, "{pad}-").expect("writing to a String");
                        write_block(out, item, indent + INDENT, false);
                    }
                }
                pad = " ".repeat(indent);
            }
        }
        _ => unreachable!("write_block is called with non-empty mappings and sequences only"),
    }
}

/// `value` as YAML text.
///
/// # Panics
/// When `value` holds a tagged value or a non-string key, which templates never do.
pub fn to_yaml(value: &Value) -> String {
    match scalar(value) {
        Some(text) => format!("{text}\n"),
        None => {
            let mut out = String::new();
            write_block(&mut out, value, 0, false);
            out
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::cfn::{list, map};

    #[test]
    fn quotes_what_yaml_1_1_would_read_as_something_else() {
        let value = map([
            ("Mode", "OFF".into()),
            ("Version", "2010-09-09".into()),
            ("Count", "32".into()),
            ("Number", 32.into()),
            ("Sentence", "Shards: see DEPLOY.md".into()),
            ("Quote", "it's".into()),
            ("Plain", "AWS::Serverless-2016-10-31".into()),
            ("Empty", "".into()),
        ]);
        assert_eq!(
            to_yaml(&value),
            "Mode: 'OFF'\nVersion: '2010-09-09'\nCount: '32'\nNumber: 32\n\
             Sentence: 'Shards: see DEPLOY.md'\nQuote: 'it''s'\n\
             Plain: AWS::Serverless-2016-10-31\nEmpty: ''\n"
        );
    }

    #[test]
    fn nests_mappings_and_sequences_and_reads_back_the_same() {
        let value = map([
            (
                "Statement",
                list([
                    map([("Effect", "Allow".into()), ("Action", list(["a", "b"]))]),
                    list(["nested"]),
                    "tab\tbreak".into(),
                ]),
            ),
            ("Empty", list(Vec::<Value>::new())),
        ]);
        let text = to_yaml(&value);
        assert_eq!(
            text,
            "Statement:\n  - Effect: Allow\n    Action:\n      - a\n      - b\n  -\n    - nested\n  - \"tab\\tbreak\"\nEmpty: []\n"
        );
        assert_eq!(serde_yaml_ng::from_str::<Value>(&text).unwrap(), value);
    }

    #[test]
    fn writes_text_of_several_lines_as_a_literal_block() {
        let value = map([
            ("Body", "{\n  \"a\": 1,\n\n  \"b\": \"it's\"\n}\n".into()),
            ("Items", list(["one\ntwo", " indented\nfirst line"])),
            ("Single", "line\n".into()),
        ]);
        let text = to_yaml(&value);
        assert_eq!(
            text,
            "Body: |\n  {\n    \"a\": 1,\n\n    \"b\": \"it's\"\n  }\n\
             Items:\n  - |-\n    one\n    two\n  - \" indented\\nfirst line\"\n\
             Single: \"line\\n\"\n"
        );
        assert_eq!(serde_yaml_ng::from_str::<Value>(&text).unwrap(), value);
    }
}
