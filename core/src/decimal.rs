//! Numbers as short decimal text for labels, attributes and SVG paths: at most `places`
//! decimals, trailing zeros dropped ("2.5", "4", "-0.25"). Written with integer arithmetic
//! because core's float formatter (`{}` or `{:.1}` on an `f32`/`f64`) costs the board's
//! WASM bundle ~9 KiB gzip (docs/BENCHMARKS.md, "First load"), and nothing Tether shows
//! needs more than a few decimals.

/// `value` rounded to `places` decimals (at most 9), half away from zero, without trailing
/// zeros or a sign on zero. Values too large for that many decimals in 64 bits saturate.
pub fn decimal(value: f64, places: u32) -> String {
    if value.is_nan() {
        return "NaN".into();
    }
    let places = places.min(9);
    let scale = 10u64.pow(places);
    // `as` saturates: infinity and the too-large end at u64::MAX.
    let units = (value.abs() * scale as f64).round() as u64;
    let (whole, mut fraction) = (units / scale, units % scale);
    let mut text = String::new();
    if value < 0.0 && units != 0 {
        text.push('-');
    }
    text.push_str(&whole.to_string());
    if fraction != 0 {
        let mut digits = places as usize;
        while fraction % 10 == 0 {
            fraction /= 10;
            digits -= 1;
        }
        let fraction = fraction.to_string();
        text.push('.');
        text.extend(std::iter::repeat_n('0', digits - fraction.len()));
        text.push_str(&fraction);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn short_decimals_read_plainly() {
        for (value, places, text) in [
            (4.0, 2, "4"),
            (2.5, 2, "2.5"),
            (-0.25, 2, "-0.25"),
            (0.1f32 as f64, 2, "0.1"),
            (1.0 / 3.0, 3, "0.333"),
            (2.0 / 3.0, 1, "0.7"),
            (0.05, 2, "0.05"),
            (1.007, 2, "1.01"),
            (-0.001, 2, "0"),
            (12_345.678, 0, "12346"),
            (0.0, 3, "0"),
            (-0.0, 3, "0"),
            (f64::NAN, 1, "NaN"),
        ] {
            assert_eq!(decimal(value, places), text, "{value} to {places}");
        }
    }

    proptest! {
        #[test]
        fn the_text_is_the_value_to_the_places_asked(value in -1e9..1e9f64, places in 0u32..=6) {
            let text = decimal(value, places);
            let read: f64 = text.parse().unwrap();
            let step = 10f64.powi(-(places as i32));
            prop_assert!((read - value).abs() <= step / 2.0 + value.abs() * 1e-15, "{} to {}: {}", value, places, text);
            let decimals = text.split_once('.').map_or("", |(_, d)| d);
            prop_assert!(decimals.len() <= places as usize && !decimals.ends_with('0'), "{}", text);
            prop_assert!(text != "-0", "{}", text);
            // What `{:.N}` says, trailing zeros dropped, unless the value sits on a tie.
            let std = format!("{value:.*}", places as usize);
            let std = if std.contains('.') { std.trim_end_matches('0').trim_end_matches('.') } else { &std };
            let std = if std == "-0" { "0" } else { std };
            let tie = ((value.abs() / step).fract() - 0.5).abs() < 1e-6;
            prop_assert!(tie || text == std, "{} to {}: {} vs {}", value, places, text, std);
        }
    }
}
