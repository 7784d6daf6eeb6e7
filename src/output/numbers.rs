//! Numbers and counts as tables, findings and pages write them: to the
//! precision a standard error supports, thousands separated, large values
//! in words.

/// The half-open range `first..last` of things counted from 0, as people
/// count them: `trials 1 to 1024`, `trial 5`, `no trials`.
pub fn numbered(first: u64, last: u64, one: &str, many: &str) -> String {
    match last.saturating_sub(first) {
        0 => format!("no {many}"),
        1 => format!("{one} {}", first + 1),
        _ => format!("{many} {} to {last}", first + 1),
    }
}

/// `n`, thousands separated, with the singular or plural noun: `1 run`,
/// `33 runs`, `20,000 trials`.
pub fn count(n: u64, one: &str, many: &str) -> String {
    format!(
        "{} {}",
        group_thousands(&n.to_string()),
        if n == 1 { one } else { many }
    )
}

/// Format a number with four significant digits, without scientific
/// notation for everyday magnitudes.
pub fn fmt_sig(x: f64) -> String {
    fmt_digits(x, 4)
}

/// As [`fmt_sig`], without trailing zeros: `80`, `1836`, `0.125`.
pub fn fmt_short(x: f64) -> String {
    without_trailing_zeros(fmt_sig(x))
}

/// A formatted number less the zeros that end its decimals, and its point
/// if none is left (`30.0` is `30`, `0.3950` is `0.395`); a number in
/// exponent form or without decimals is kept as it is.
pub fn without_trailing_zeros(s: String) -> String {
    if s.contains('.') && !s.contains('e') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// A probability in percent to one decimal, never rounded to a certainty
/// it is not: "over 99.9%", "under 0.1%".
pub fn fmt_share(p: f64) -> String {
    let s = format!("{:.1}%", 100.0 * p);
    match s.as_str() {
        "100.0%" if p < 1.0 => "over 99.9%".to_string(),
        "0.0%" if p > 0.0 => "under 0.1%".to_string(),
        _ => s,
    }
}

/// A price multiple in words: `1.5`, `2`; from a million on in exponent
/// form (`1e11`).
pub fn fmt_multiple(x: f64) -> String {
    if x.abs() >= 1e6 {
        return fmt_exp(x);
    }
    let s = format!("{x:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// `x` to three significant figures in exponent form, without trailing
/// zeros: `2.5e12`, `1e300`, `-1.23e9`.
pub fn fmt_exp(x: f64) -> String {
    trimmed_exp(x, 2)
}

/// `x` in exponent form with `decimals` decimals in the mantissa, less
/// its trailing zeros.
fn trimmed_exp(x: f64, decimals: usize) -> String {
    let s = format!("{x:.decimals$e}");
    let (mantissa, exponent) = s.split_once('e').unwrap_or((&s, "0"));
    let mantissa = mantissa.trim_end_matches('0').trim_end_matches('.');
    format!("{mantissa}e{exponent}")
}

/// For amounts of a million up to a thousand trillion, the divisor and
/// word that name them in prose: `(1e9, "billion")`.
pub fn large_scale(x: f64) -> Option<(f64, &'static str)> {
    let a = x.abs();
    if !(1e6..1e15).contains(&a) {
        None
    } else if a >= 1e12 {
        Some((1e12, "trillion"))
    } else if a >= 1e9 {
        Some((1e9, "billion"))
    } else {
        Some((1e6, "million"))
    }
}

/// `s`, a formatted number, with commas between thousands in its integer
/// part: `598630.5` becomes `598,630.5`, `-1737` becomes `-1,737`.
pub fn group_thousands(s: &str) -> String {
    let (sign, rest) = match s.strip_prefix('-') {
        Some(r) => ("-", r),
        None => ("", s),
    };
    let end = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    let (int, tail) = rest.split_at(end);
    if int.len() < 4 {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + int.len() / 3);
    out.push_str(sign);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out.push_str(tail);
    out
}

/// A concentration index (0 to 10,000) as a whole number, thousands
/// separated: `2,841`.
pub fn fmt_index(hhi: f64) -> String {
    group_thousands(&format!("{hhi:.0}"))
}

/// `x` to `sig` significant digits (at least; whole numbers keep all
/// their digits): thousands separated, in words from a
/// million (`15.63 billion`), in scientific notation below 1e-4 and from
/// 1e15.
pub fn fmt_digits(x: f64, sig: i32) -> String {
    if x == 0.0 || !x.is_finite() {
        return format!("{x}");
    }
    if let Some((d, word)) = large_scale(x) {
        return format!("{} {word}", plain_digits(x / d, sig));
    }
    let a = x.abs();
    if !(1e-4..1e15).contains(&a) {
        let d = (sig - 1).max(0) as usize;
        return format!("{x:.d$e}");
    }
    group_thousands(&plain_digits(x, sig))
}

/// `x` to four significant digits for messages about inputs, without
/// trailing zeros, in scientific notation outside 1e-4 to 1e9 (`2.5e11`,
/// `1.867e14`), as limits are written.
pub fn fmt_sci(x: f64) -> String {
    let a = x.abs();
    if x == 0.0 || !x.is_finite() || (1e-4..1e9).contains(&a) {
        return fmt_short(x);
    }
    trimmed_exp(x, 3)
}

/// `x` to `sig` significant digits in plain decimals.
fn plain_digits(x: f64, sig: i32) -> String {
    let digits = (sig - 1 - x.abs().log10().floor() as i32).max(0) as usize;
    format!("{x:.digits$}")
}

/// A probability and its standard error in percent, as [`fmt_pm`] gives
/// them (`19.46 ± 0.28%`, `0.090 ± 0.021%`), for pages read by people.
pub fn fmt_pct_pm(p: f64, se: f64) -> String {
    format!("{}%", fmt_pm(100.0 * p, 100.0 * se))
}

/// A probability as the console gives it (`0.0236`) or, on a page, in
/// percent (`2.36%`).
pub fn chance(p: f64, page: bool) -> String {
    if page {
        format!("{:.2}%", 100.0 * p)
    } else {
        format!("{p:.4}")
    }
}

/// A paired change of a probability with its standard error: as a share
/// on the console, in percentage points on a page.
pub fn chance_change(d: f64, se: f64, page: bool) -> String {
    if page {
        fmt_points_pm(d, se)
    } else {
        fmt_pm(d, se)
    }
}

/// A change of a probability and its standard error in percentage points,
/// as [`fmt_pm`] gives them (`-0.82 ± 0.13 points`), for pages read by
/// people.
pub fn fmt_points_pm(d: f64, se: f64) -> String {
    format!("{} points", fmt_pm(100.0 * d, 100.0 * se))
}

/// Significant digits a standard error `se` (finite, above 0) keeps by
/// the rule of [`fmt_pm`], and its decimal exponent after rounding.
fn error_digits(se: f64) -> (i32, i32) {
    let exp = se.log10().floor() as i32;
    let lead = (se / 10f64.powi(exp - 2)).round();
    // A round-up from 950..999 to 1000 moves the exponent.
    match lead as i64 {
        i64::MIN..=354 => (2, exp),
        355..=949 => (1, exp),
        _ => (2, exp + 1),
    }
}

/// Decimal places of the last digit kept (none for a digit left of the
/// point).
fn decimals_of(digits: i32, exp: i32) -> usize {
    (digits - 1 - exp).clamp(0, 12) as usize
}

/// Decimal places to which [`fmt_pm`] gives a value with standard error
/// `se` (finite, above 0), in its ordinary decimal form.
pub fn pm_decimals(se: f64) -> usize {
    let (digits, exp) = error_digits(se);
    decimals_of(digits, exp)
}

/// Format `value ± se` to the precision the standard error supports, by
/// the particle physicists' rule: the standard error's three leading digits
/// from 100 to 354 keep two significant digits, from 355 to 949 one, and
/// from 950 up it is rounded up to two (`0.00096` becomes `0.0010`); the
/// value is given to the same decimal place. Values below 0.001 in size
/// (with a standard error below it too) are written in scientific
/// notation (`2.5e-5 ± 1.6e-5`), never as `0.0000`.
pub fn fmt_pm(value: f64, se: f64) -> String {
    if value.is_finite() && se.is_finite() {
        if let Some((d, word)) = large_scale(value.abs().max(se)) {
            return format!("{} {word}", fmt_pm(value / d, se / d));
        }
    }
    if !se.is_finite() || se <= 0.0 || !value.is_finite() {
        return format!("{} ± 0", fmt_sig(value));
    }
    if se < 1e-12 * value.abs() {
        return format!("{} ± {se:.1e}", fmt_sig(value));
    }
    let (digits, exp) = error_digits(se);
    if value != 0.0 && value.abs() < 1e-3 && se < 1e-3 {
        // Scientific: the value to the standard error's last digit.
        let value_exp = value.abs().log10().floor() as i32;
        let last = exp - digits + 1;
        let sig = (value_exp - last + 1).clamp(1, 6) as usize;
        return format!(
            "{value:.prec$e} ± {se:.se_prec$e}",
            prec = sig - 1,
            se_prec = (digits - 1) as usize
        );
    }
    let decimals = decimals_of(digits, exp);
    format!(
        "{} ± {}",
        group_thousands(&format!("{value:.decimals$}")),
        group_thousands(&format!("{se:.decimals$}"))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_numbered_from_one() {
        assert_eq!(numbered(0, 1024, "trial", "trials"), "trials 1 to 1024");
        assert_eq!(numbered(4, 5, "trial", "trials"), "trial 5");
        assert_eq!(numbered(7, 7, "trial", "trials"), "no trials");
    }

    #[test]
    fn a_share_is_never_rounded_to_a_certainty() {
        assert_eq!(fmt_share(0.9996), "over 99.9%");
        assert_eq!(fmt_share(1.0), "100.0%");
        assert_eq!(fmt_share(0.0004), "under 0.1%");
        assert_eq!(fmt_share(0.0), "0.0%");
        assert_eq!(fmt_share(0.1536), "15.4%");
    }

    #[test]
    fn price_multiples_stay_short() {
        assert_eq!(fmt_multiple(1.5), "1.5");
        assert_eq!(fmt_multiple(2.0), "2");
        assert_eq!(fmt_multiple(999_999.0), "999999");
        assert_eq!(fmt_multiple(1e11), "1e11");
        assert_eq!(fmt_exp(2.5e12), "2.5e12");
        assert_eq!(fmt_exp(-1.2345e9), "-1.23e9");
    }

    #[test]
    fn fmt_sig_keeps_four_significant_digits() {
        assert_eq!(fmt_sig(0.0), "0");
        assert_eq!(fmt_sig(1234.567), "1,235");
        assert_eq!(fmt_sig(12.34567), "12.35");
        assert_eq!(fmt_sig(0.0123456), "0.01235");
        assert_eq!(fmt_sig(2.5e10), "25.00 billion");
        assert_eq!(fmt_sig(-3_760_501_871.0), "-3.761 billion");
        assert_eq!(fmt_sig(598_630.4), "598,630");
        assert_eq!(fmt_sig(5300.0), "5,300");
        assert_eq!(fmt_sig(-1737.2), "-1,737");
        assert_eq!(fmt_sig(999.94), "999.9");
        assert_eq!(fmt_sig(2.5e15), "2.500e15");
        assert_eq!(fmt_sig(1.5e-5), "1.500e-5");
    }

    #[test]
    fn a_probability_on_a_page_is_in_percent_to_the_precision_of_its_error() {
        assert_eq!(fmt_pct_pm(0.1946, 0.0028), "19.46 ± 0.28%");
        assert_eq!(fmt_pct_pm(0.0009, 0.00021), "0.090 ± 0.021%");
        assert_eq!(fmt_pct_pm(1.0, 0.0), "100.0 ± 0%");
    }

    #[test]
    fn a_change_of_a_probability_on_a_page_is_in_points() {
        assert_eq!(fmt_points_pm(-0.0082, 0.0013), "-0.82 ± 0.13 points");
        assert_eq!(fmt_points_pm(-0.116, 0.005), "-11.6 ± 0.5 points");
    }

    #[test]
    fn fmt_pm_quotes_to_the_precision_the_standard_error_supports() {
        // 487 -> one digit; 157 -> two; 250 -> two.
        assert_eq!(fmt_pm(228.0312, 0.4875), "228.0 ± 0.5");
        assert_eq!(fmt_pm(0.549, 0.00157), "0.5490 ± 0.0016");
        assert_eq!(fmt_pm(12345.6, 250.0), "12,346 ± 250");
        assert_eq!(fmt_pm(142_970.2, 1292.4), "142,970 ± 1,292");
        assert_eq!(fmt_pm(6182.0, 91.0), "6,182 ± 91");
        // Large amounts in words, the standard error on the same scale.
        assert_eq!(fmt_pm(3_760_501_871.0, 96_835_650.0), "3.76 ± 0.10 billion");
        assert_eq!(
            fmt_pm(-26_304_149_012.0, 703_315_808.0),
            "-26.3 ± 0.7 billion"
        );
        assert_eq!(fmt_pm(1_234_567.0, 2_000_000.0), "1.2 ± 2.0 million");
        assert_eq!(fmt_pm(1.0, 0.0), "1.000 ± 0");
        // No spurious digits near 1; 950..999 rounds up to two digits.
        assert_eq!(fmt_pm(0.99999, 0.0000071), "0.999990 ± 0.000007");
        assert_eq!(fmt_pm(0.10359, 0.00096), "0.1036 ± 0.0010");
        // Tiny values in scientific notation, never "0.0000".
        assert_eq!(fmt_pm(0.000025, 0.0000158), "2.5e-5 ± 1.6e-5");
        assert_eq!(fmt_pm(0.00012, 0.0000071), "1.20e-4 ± 7e-6");
    }
}
