//! Tick and marker labels: amounts, percentages and log-scale probabilities.

/// `s` without a minus sign when it stands for zero ("-0", "-0.00"):
/// rounding a tiny negative value must not print "-0".
fn no_negative_zero(s: String) -> String {
    match s.strip_prefix('-') {
        Some(rest) if rest.chars().all(|c| c == '0' || c == '.') => rest.to_string(),
        _ => s,
    }
}

/// Tick label for an amount: thousands separated, no needless decimals.
pub fn amount_label(v: f64) -> String {
    no_negative_zero(amount_digits(v))
}

fn amount_digits(v: f64) -> String {
    let a = v.abs();
    if a == 0.0 {
        "0".to_string()
    } else if a >= 1e15 {
        crate::output::fmt_exp(v)
    } else if a >= 1e9 {
        // Three significant figures of billions or trillions: "15.6 bn",
        // "1.00 tn", not a row of thousands separators.
        let (d, word) = short_scale(a);
        let x = v / d;
        let decimals = (2 - x.abs().log10().floor() as i32).max(0) as usize;
        format!("{x:.decimals$} {word}")
    } else if a >= 1000.0 {
        crate::output::group_thousands(&format!("{v:.0}"))
    } else if a >= 10.0 {
        format!("{v:.0}")
    } else if a >= 1.0 {
        let s = format!("{v:.1}");
        s.trim_end_matches(".0").to_string()
    } else {
        // Two significant figures, as amounts from 1 to 10 have (at most
        // four decimals: smaller amounts read as 0).
        let decimals = ((-a.log10()).floor() as usize + 2).min(4);
        let s = format!("{v:.decimals$}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// Label of one marked value (a percentile, a mean): three significant
/// figures, trailing zeros kept (`13.6`, `2.70`, `0.431`); from 1,000 on
/// as [`amount_label`] (`17,674`, `15.6 bn`); a value too small for its
/// decimals in scientific notation (`1.79e-6`), never `0`.
pub fn value_label(v: f64) -> String {
    let a = v.abs();
    if a == 0.0 || a >= 1000.0 {
        amount_label(v)
    } else if a < 1e-4 {
        format!("{v:.2e}")
    } else {
        let decimals = (2 - a.log10().floor() as i32).max(0) as usize;
        no_negative_zero(format!("{v:.decimals$}"))
    }
}

/// Label of one marked probability, in percent to three significant
/// figures as [`value_label`] (`13.0%`, `1.58%`).
pub fn share_label(p: f64) -> String {
    format!("{}%", value_label(100.0 * p))
}

/// Tick label for an amount on an axis spanning `span`: as
/// [`amount_label`] when ticks are at least 1 apart, else with enough
/// decimals to tell neighbouring ticks apart.
pub fn tick_label(v: f64, span: f64) -> String {
    if span.is_finite() && (1e9..1e15).contains(&span) {
        // Every tick of the axis on one scale: "-1.5 bn", "0", "2.5 bn".
        let (d, word) = short_scale(span);
        let x = v / d;
        let step = span / d / 10.0;
        // One decimal more than the step needs (ticks at 0.25 on an axis
        // of 0.125 steps).
        let decimals = ((-step.log10()).ceil().max(0.0) as usize + 1).min(4);
        let s = if x.abs() >= 1000.0 {
            amount_label(x)
        } else {
            trimmed(x, decimals)
        };
        return if s == "0" { s } else { format!("{s} {word}") };
    }
    let step = span / 10.0;
    if !step.is_finite() || step <= 0.0 || step >= 1.0 || v.abs() >= 1000.0 {
        return amount_label(v);
    }
    let decimals = ((-step.log10()).ceil().max(0.0) as usize).min(8);
    trimmed(v, decimals)
}

/// Billions or trillions, by the size `a` of an amount or an axis: the
/// divisor and the short word charts use.
fn short_scale(a: f64) -> (f64, &'static str) {
    if a >= 1e12 {
        (1e12, "tn")
    } else {
        (1e9, "bn")
    }
}

/// `v` with `decimals` decimals, less trailing zeros, never "-0".
fn trimmed(v: f64, decimals: usize) -> String {
    let s = format!("{v:.decimals$}");
    no_negative_zero(if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    })
}

/// Tick label on a log axis drawn as the base-2 logarithms of its values:
/// the value two to the `exponent` ("0.25", "1", "8", "1,024").
pub fn power_of_two_label(exponent: f64) -> String {
    power_label(exponent.exp2())
}

/// Tick label on a log axis drawn as the base-10 logarithms of its
/// values: the value ten to the `exponent` ("0.01", "1", "1,000").
pub fn power_of_ten_label(exponent: f64) -> String {
    power_label(10f64.powf(exponent))
}

/// A tick of a log axis at `v`, a power of two or ten: every digit of a
/// small one (0.125, not 0.13), as far as a thousandth.
fn power_label(v: f64) -> String {
    if v >= 1.0 {
        amount_label(v)
    } else if v >= 0.999e-3 {
        // Every digit, to ten decimals: 0.125, not 0.13.
        trimmed(v, 10)
    } else {
        // Two significant figures on an axis: 9.5e-7.
        format!("{v:.1e}")
    }
}

/// Tick label for a probability on a linear axis, in percent.
pub fn percent_label(p: f64) -> String {
    let pct = p * 100.0;
    if pct == 0.0 || pct.abs() >= 10.0 || (pct - pct.round()).abs() < 1e-9 {
        format!("{pct:.0}%")
    } else {
        let s = format!("{pct:.2}");
        format!("{}%", s.trim_end_matches('0').trim_end_matches('.'))
    }
}

/// Tick label for a probability given as a power of ten exponent.
pub fn log_probability_label(exponent: f64) -> String {
    let p = 10f64.powf(exponent) * 100.0;
    if p >= 1.0 {
        format!("{p:.0}%")
    } else {
        let digits = (-p.log10().floor()) as usize;
        format!("{p:.digits$}%")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_never_print_negative_zero() {
        assert_eq!(amount_label(-0.3), "-0.3");
        assert_eq!(amount_label(-0.00001), "0");
        assert_eq!(amount_label(-0.0), "0");
        assert_eq!(tick_label(-0.0001, 0.5), "0");
        assert_eq!(tick_label(-0.2, 0.5), "-0.2");
        assert_eq!(amount_label(-1500.0), "-1,500");
    }

    #[test]
    fn a_marked_value_is_never_rounded_to_zero() {
        assert_eq!(value_label(1.79e-6), "1.79e-6");
        assert_eq!(value_label(-3.5e-5), "-3.50e-5");
        assert_eq!(value_label(0.0), "0");
        assert_eq!(value_label(0.00093), "0.000930");
        assert_eq!(value_label(1.56e10), "15.6 bn");
    }

    #[test]
    fn a_marked_value_has_three_significant_figures() {
        assert_eq!(value_label(13.57), "13.6");
        assert_eq!(value_label(2.699), "2.70");
        assert_eq!(value_label(-0.4312), "-0.431");
        assert_eq!(value_label(999.6), "1000");
        assert_eq!(value_label(17_674.2), "17,674");
        assert_eq!(share_label(0.13), "13.0%");
        assert_eq!(share_label(0.0158), "1.58%");
    }

    #[test]
    fn a_log_axis_of_powers_of_two_reads_as_its_values() {
        assert_eq!(power_of_two_label(0.0), "1");
        assert_eq!(power_of_two_label(3.0), "8");
        assert_eq!(power_of_two_label(10.0), "1,024");
        assert_eq!(power_of_two_label(-1.0), "0.5");
        assert_eq!(power_of_two_label(-3.0), "0.125");
        assert_eq!(power_of_two_label(-9.0), "0.001953125");
        assert_eq!(power_of_two_label(-20.0), "9.5e-7");
        assert_eq!(power_of_ten_label(-2.0), "0.01");
        assert_eq!(power_of_ten_label(0.0), "1");
        assert_eq!(power_of_ten_label(3.0), "1,000");
        assert_eq!(power_of_ten_label(-3.0), "0.001");
        assert_eq!(power_of_ten_label(-6.0), "1.0e-6");
    }

    #[test]
    fn labels_read_like_a_briefing() {
        assert_eq!(amount_label(0.0), "0");
        assert_eq!(amount_label(1234567.0), "1,234,567");
        assert_eq!(amount_label(999_999_999.0), "999,999,999");
        assert_eq!(amount_label(2.5e12), "2.50 tn");
        assert_eq!(amount_label(-1.2345e9), "-1.23 bn");
        assert_eq!(amount_label(1.004e11), "100 bn");
        assert_eq!(amount_label(1.56e10), "15.6 bn");
        assert_eq!(amount_label(1e300), "1e300");
        assert_eq!(tick_label(1e300, 1e300), "1e300");
        // One scale for a whole axis that crosses a billion.
        assert_eq!(tick_label(-7.5e8, 1.25e9), "-0.75 bn");
        assert_eq!(tick_label(-1e9, 1.25e9), "-1 bn");
        assert_eq!(tick_label(0.0, 1.25e9), "0");
        assert_eq!(tick_label(1.35e12, 4.5e11), "1,350 bn");
        assert_eq!(tick_label(2e12, 2e12), "2 tn");
        assert_eq!(tick_label(1.6e8, 1.6e8), "160,000,000");
        assert_eq!(amount_label(-2500.0), "-2,500");
        assert_eq!(amount_label(250.0), "250");
        assert_eq!(amount_label(2.5), "2.5");
        assert_eq!(amount_label(2.0), "2");
        assert_eq!(amount_label(0.6457), "0.65");
        assert_eq!(amount_label(0.0151), "0.015");
        assert_eq!(amount_label(0.1), "0.1");
        assert_eq!(tick_label(10.5, 4.0), "10.5");
        assert_eq!(tick_label(10.0, 4.0), "10");
        assert_eq!(tick_label(0.125, 0.05), "0.125");
        assert_eq!(tick_label(0.13, 0.1), "0.13");
        assert_eq!(tick_label(2500.0, 4000.0), "2,500");
        assert_eq!(percent_label(0.35), "35%");
        assert_eq!(percent_label(0.05), "5%");
        assert_eq!(percent_label(0.025), "2.5%");
        assert_eq!(percent_label(0.0), "0%");
        assert_eq!(log_probability_label(0.0), "100%");
        assert_eq!(log_probability_label(-2.0), "1%");
        assert_eq!(log_probability_label(-3.0), "0.1%");
        assert_eq!(log_probability_label(-5.0), "0.001%");
    }
}
