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
    /// Round-trip times to put every endpoint at, in milliseconds, starting with 0 (the budgets
    /// are checked on loopback) (`--distance-ms`, default `0,20,40`).
    pub distances_ms: Vec<u64>,
    /// Where to take the Rust functions' binaries from instead of this build's release directory,
    /// e.g. an earlier commit's, to compare (`--rust-binaries DIR`).
    pub rust_binaries: Option<std::path::PathBuf>,
    /// The command to name in the report (`--command`, default `cargo run --release -p bench`).
    pub command: String,
    /// Whether to write the results into docs/benchmark.md and README.md (`--write-docs`).
    pub write_docs: bool,
}

/// The usage line printed with a command-line error.
pub const USAGE: &str = "usage: bench [--cold-starts N] [--warm-invocations N] [--keeper-links N] [--distance-ms 0,20,40] [--rust-binaries DIR] [--command TEXT] [--write-docs]";

impl Options {
    /// Parses the arguments after the program name.
    pub fn parse(arguments: impl IntoIterator<Item = String>) -> Result<Options, String> {
        let mut options = Options {
            cold_starts: 100,
            warm_invocations: 500,
            keeper_links: 10_000,
            distances_ms: vec![0, 20, 40],
            rust_binaries: None,
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
                "--distance-ms" => options.distances_ms = distances(&argument, &value()?)?,
                "--rust-binaries" => options.rust_binaries = Some(value()?.into()),
                "--command" => options.command = value()?,
                "--write-docs" => options.write_docs = true,
                _ => return Err(format!("unknown argument {argument}")),
            }
        }
        Ok(options)
    }
}

/// `0,20,40`: distinct round-trip times in milliseconds, the first 0.
fn distances(name: &str, value: &str) -> Result<Vec<u64>, String> {
    let distances = value
        .split(',')
        .map(|part| part.trim().parse::<u64>())
        .collect::<Result<Vec<u64>, _>>()
        .map_err(|_| format!("{name} needs round-trip times in milliseconds, e.g. 0,20,40"))?;
    let distinct = distances.iter().collect::<std::collections::BTreeSet<_>>();
    match distances.first() {
        Some(0) if distinct.len() == distances.len() && distances.iter().all(|&ms| ms <= 1000) => {
            Ok(distances)
        }
        _ => Err(format!(
            "{name}: distinct round-trip times of at most 1000 ms, the first 0 (the budgets are checked on loopback)"
        )),
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
        assert_eq!(options.distances_ms, [0, 20, 40]);
        assert_eq!(
            parse(&["--distance-ms", "0,5"]).unwrap().distances_ms,
            [0, 5]
        );
        assert!(parse(&["--distance-ms", "20,40"]).is_err());
        assert!(parse(&["--distance-ms", "0,20,20"]).is_err());
        assert!(parse(&["--distance-ms", "0,x"]).is_err());
    }
}
