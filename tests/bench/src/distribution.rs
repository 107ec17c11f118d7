//! Nearest-rank percentiles of a set of measurements.

use std::time::Duration;

/// `duration` in milliseconds, the unit the benchmark measures time in.
pub fn milliseconds(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

/// The 50th and 99th percentiles of a set of measurements (milliseconds, or any unit).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Distribution {
    /// Median.
    pub p50: f64,
    /// 99th percentile.
    pub p99: f64,
}

impl Distribution {
    /// The percentiles of `samples`.
    ///
    /// # Panics
    /// When `samples` is empty.
    pub fn of(samples: &[f64]) -> Distribution {
        assert!(!samples.is_empty(), "a distribution needs a sample");
        let mut sorted = samples.to_vec();
        sorted.sort_by(f64::total_cmp);
        Distribution {
            p50: nearest_rank(&sorted, 50.0),
            p99: nearest_rank(&sorted, 99.0),
        }
    }
}

/// The `percent` percentile of ascending, non-empty `sorted` by the nearest-rank method: the
/// smallest sample at least `percent`% of the samples are less than or equal to.
fn nearest_rank(sorted: &[f64], percent: f64) -> f64 {
    let rank = (percent / 100.0 * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let hundred: Vec<f64> = (1..=100).rev().map(f64::from).collect();
        assert_eq!(
            Distribution::of(&hundred),
            Distribution {
                p50: 50.0,
                p99: 99.0
            }
        );
        let ten: Vec<f64> = (1..=10).map(f64::from).collect();
        assert_eq!(
            Distribution::of(&ten),
            Distribution {
                p50: 5.0,
                p99: 10.0
            }
        );
        assert_eq!(
            Distribution::of(&[-0.5]),
            Distribution {
                p50: -0.5,
                p99: -0.5
            }
        );
    }
}
