//! How the report writes numbers: milliseconds, megabytes, request counts and ratios.

/// Milliseconds with about three significant digits: `0.412`, `4.12`, `41.2`, `412`.
pub fn ms(value: f64) -> String {
    match value.abs() {
        magnitude if magnitude < 1.0 => format!("{value:.3}"),
        magnitude if magnitude < 10.0 => format!("{value:.2}"),
        magnitude if magnitude < 100.0 => format!("{value:.1}"),
        _ => format!("{value:.0}"),
    }
}

/// Bytes in megabytes (10⁶ bytes), one decimal.
pub fn megabytes(bytes: u64) -> String {
    format!("{:.1}", bytes as f64 / 1e6)
}

/// A per-invocation request count: whole numbers as such, others with two decimals.
pub fn count(value: f64) -> String {
    if value.fract() == 0.0 {
        format!("{value:.0}")
    } else {
        format!("{value:.2}")
    }
}

/// `baseline ÷ product`, e.g. `87×` or `1.4×`; `–` when either is not positive.
pub fn ratio(baseline: f64, product: f64) -> String {
    if baseline <= 0.0 || product <= 0.0 {
        return "–".to_string();
    }
    match baseline / product {
        times if times < 10.0 => format!("{times:.1}×"),
        times => format!("{times:.0}×"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_well() {
        assert_eq!(ms(0.41234), "0.412");
        assert_eq!(ms(-0.05), "-0.050");
        assert_eq!(ms(41.26), "41.3");
        assert_eq!(ms(412.4), "412");
        assert_eq!(megabytes(4_260_000), "4.3");
        assert_eq!(count(1.0), "1");
        assert_eq!(count(0.5), "0.50");
        assert_eq!(ratio(87.0, 1.0), "87×");
        assert_eq!(ratio(1.4, 1.0), "1.4×");
        assert_eq!(ratio(1.0, -0.1), "–");
    }
}
