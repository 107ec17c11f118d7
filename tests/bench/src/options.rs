//! The benchmark's command line.

/// What to measure and where the results go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    /// Fresh processes per function, mode and implementation (`--cold-starts`, default 100).
    pub cold_starts: usize,
    /// Warm invocations per function, mode and implementation (`--warm-invocations`, default 500).
    pub warm_invocations: usize,
    /// Links seeded for the token keeper; 0 skips it (`--keeper-links`, default 10000).
    pub keeper_links: usize,
    /// The command to name in the report (`--command`, default `cargo run --release -p bench`).
    pub command: String,
    /// Whether to write the results into docs/benchmark.md and README.md (`--write-docs`).
    pub write_docs: bool,
}

/// The usage line printed with a command-line error.
pub const USAGE: &str = "usage: bench [--cold-starts N] [--warm-invocations N] [--keeper-links N] [--command TEXT] [--write-docs]";

impl Options {
    /// Parses the arguments after the program name.
    pub fn parse(arguments: impl IntoIterator<Item = String>) -> Result<Options, String> {
        let mut options = Options {
            cold_starts: 100,
            warm_invocations: 500,
            keeper_links: 10_000,
            command: "cargo run --release -p bench".to_string(),
            write_docs: false,
        };
        let mut arguments = arguments.into_iter();
        while let Some(argument) = arguments.next() {
            let mut value = || {
                arguments
                    .next()
                    .ok_or_else(|| format!("{argument} needs a value"))
            };
            match argument.as_str() {
                "--cold-starts" => options.cold_starts = positive(&argument, &value()?)?,
                "--warm-invocations" => options.warm_invocations = positive(&argument, &value()?)?,
                "--keeper-links" => {
                    options.keeper_links = value()?
                        .parse()
                        .map_err(|_| format!("{argument} needs a number"))?;
                }
                "--command" => options.command = value()?,
                "--write-docs" => options.write_docs = true,
                _ => return Err(format!("unknown argument {argument}")),
            }
        }
        Ok(options)
    }
}

fn positive(name: &str, value: &str) -> Result<usize, String> {
    match value.parse() {
        Ok(number) if number > 0 => Ok(number),
        _ => Err(format!("{name} needs a number above 0")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(arguments: &[&str]) -> Result<Options, String> {
        Options::parse(arguments.iter().map(|argument| argument.to_string()))
    }

    #[test]
    fn parses_values_and_refuses_nonsense() {
        let options =
            parse(&["--cold-starts", "3", "--keeper-links", "0", "--write-docs"]).unwrap();
        assert_eq!(options.cold_starts, 3);
        assert_eq!(options.warm_invocations, 500);
        assert_eq!(options.keeper_links, 0);
        assert!(options.write_docs);
        assert!(parse(&["--cold-starts", "0"]).is_err());
        assert!(parse(&["--warm-invocations"]).is_err());
        assert!(parse(&["--fast"]).is_err());
    }
}
