//! Token amounts as people write them: GPUC with up to 12 decimals.

/// Planck per GPUC.
pub const UNIT: u128 = 1_000_000_000_000;
/// The token's symbol.
pub const SYMBOL: &str = "GPUC";

/// Parses `12`, `0.5` or `1_000` GPUC into planck.
pub fn parse_amount(s: &str) -> Result<u128, String> {
    let clean: String = s.trim().chars().filter(|c| *c != '_').collect();
    let clean = clean.strip_suffix(SYMBOL).unwrap_or(&clean).trim().to_owned();
    let (whole, fraction) = clean.split_once('.').unwrap_or((&clean, ""));
    if whole.is_empty() && fraction.is_empty() || fraction.len() > 12 {
        return Err(format!("`{s}` is not an amount of {SYMBOL} (at most 12 decimals)"));
    }
    let digits = |d: &str| d.chars().all(|c| c.is_ascii_digit());
    if !digits(whole) || !digits(fraction) {
        return Err(format!("`{s}` is not an amount of {SYMBOL}"));
    }
    let whole: u128 = if whole.is_empty() { 0 } else { whole.parse().map_err(|e| format!("`{s}`: {e}"))? };
    let fraction: u128 = format!("{fraction:0<12}").parse().map_err(|e| format!("`{s}`: {e}"))?;
    whole.checked_mul(UNIT).and_then(|w| w.checked_add(fraction)).ok_or_else(|| format!("`{s}` is too large"))
}

/// Formats planck as GPUC without trailing zeros (`1.5 GPUC`).
pub fn format_amount(planck: u128) -> String {
    let (whole, fraction) = (planck / UNIT, planck % UNIT);
    if fraction == 0 {
        format!("{whole} {SYMBOL}")
    } else {
        let fraction = format!("{fraction:012}");
        format!("{whole}.{} {SYMBOL}", fraction.trim_end_matches('0'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts() {
        assert_eq!(parse_amount("12"), Ok(12 * UNIT));
        assert_eq!(parse_amount("0.5"), Ok(UNIT / 2));
        assert_eq!(parse_amount("1_000 GPUC"), Ok(1000 * UNIT));
        assert_eq!(parse_amount(".000000000001"), Ok(1));
        for bad in ["", ".", "1.0000000000001", "-1", "1e3", "x"] {
            assert!(parse_amount(bad).is_err(), "{bad}");
        }
        assert_eq!(format_amount(1_500_000_000_000), "1.5 GPUC");
        assert_eq!(format_amount(10 * UNIT), "10 GPUC");
        assert_eq!(format_amount(1), "0.000000000001 GPUC");
    }
}
