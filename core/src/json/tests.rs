//! The reader against serde_json: the same tree for every JSON text, the same verdict on
//! texts one edit away from valid ones, and the number conversions.

use super::*;
use proptest::prelude::*;
use serde_json::Value;

/// Our tree as a `serde_json::Value`, numbers read by serde_json from their text.
/// Panics on a number serde_json refuses (beyond `f64`'s range: this reader takes it as
/// infinite or zero).
fn to_value(json: &Json) -> Value {
    match json {
        Json::Null => Value::Null,
        Json::Bool(flag) => Value::Bool(*flag),
        Json::Number(text) => serde_json::from_str(text).unwrap(),
        Json::String(text) => Value::String(text.to_string()),
        Json::Array(items) => Value::Array(items.iter().map(|(_, item)| to_value(item)).collect()),
        Json::Object(members) => Value::Object(
            members
                .iter()
                .map(|(key, value)| (key.to_string(), to_value(value)))
                .collect(),
        ),
    }
}

/// serde_json refused `text` only for a number beyond `f64`'s range, which this reader
/// accepts (an edit can make `1e200` into `1e2000`).
fn out_of_range_only(error: &serde_json::Error) -> bool {
    error.to_string().starts_with("number out of range")
}

fn arb_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<u64>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        // Exponents serde_json reads back (it refuses numbers beyond f64's range).
        (-1e200..1e200f64).prop_map(Value::from),
        any::<String>().prop_map(Value::String),
        "[\"\\\\/\u{0}-\u{1f}\u{7f}é😀]{0,6}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec(("[a-z\"\\\\é]{0,4}", inner), 0..6)
                .prop_map(|members| Value::Object(members.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn every_json_text_parses_to_what_serde_json_reads(value in arb_value(), pretty in any::<bool>()) {
        let text = if pretty {
            serde_json::to_string_pretty(&value).unwrap()
        } else {
            serde_json::to_string(&value).unwrap()
        };
        let theirs: Value = serde_json::from_str(&text).unwrap();
        prop_assert_eq!(to_value(&parse(&text).unwrap()), theirs);
    }

    #[test]
    fn a_text_one_edit_from_valid_json_is_accepted_exactly_when_serde_json_accepts_it(
        value in arb_value(),
        at in any::<prop::sample::Index>(),
        edit in prop_oneof![
            Just(None),
            prop::sample::select(vec!['"', '\\', ',', ':', '[', ']', '{', '}', '0', '1', '-', '.', 'e', 'u', 'n', ' ', '\u{1}']).prop_map(Some),
        ],
    ) {
        let mut text: Vec<char> = serde_json::to_string(&value).unwrap().chars().collect();
        let at = at.index(text.len() + 1);
        match edit {
            None if at < text.len() => { text.remove(at); }
            None => {}
            Some(c) => text.insert(at, c),
        }
        let text: String = text.into_iter().collect();
        let theirs = serde_json::from_str::<Value>(&text);
        if theirs.as_ref().is_err_and(out_of_range_only) {
            return Ok(());
        }
        let ours = parse(&text).map(|json| to_value(&json));
        match (&ours, &theirs) {
            (Ok(ours), Ok(theirs)) => prop_assert_eq!(ours, theirs, "{}", text),
            (Err(_), Err(_)) => {}
            _ => prop_assert!(false, "{text}: ours {ours:?}, serde_json {theirs:?}"),
        }
    }

    #[test]
    fn every_u64_reads_back(n in any::<u64>()) {
        prop_assert_eq!(decode::<u64>(&n.to_string()), Ok(n));
    }

    #[test]
    fn every_f32_reads_back_exactly(x in any::<f32>().prop_filter("finite", |x| x.is_finite())) {
        let text = serde_json::to_string(&x).unwrap();
        prop_assert_eq!(decode::<f32>(&text).unwrap().to_bits(), x.to_bits(), "{}", text);
    }

    #[test]
    fn coordinates_on_the_grid_read_back_exactly(tenths in -10_000_000i64..10_000_000) {
        let x = tenths as f64 / 10.0;
        let text = serde_json::to_string(&x).unwrap();
        prop_assert_eq!(decode::<f64>(&text).unwrap(), x, "{}", text);
    }

    #[test]
    fn every_f64_reads_back_within_a_few_units_in_the_last_place(
        x in any::<f64>().prop_filter("finite, normal", |x| x.is_normal() || *x == 0.0)
    ) {
        let text = serde_json::to_string(&x).unwrap();
        let read = decode::<f64>(&text).unwrap();
        prop_assert!((read - x).abs() <= x.abs() * 1e-15, "{} read as {}", text, read);
    }
}

#[test]
fn what_json_forbids_is_refused() {
    for bad in [
        "",
        " ",
        "nul",
        "[1,]",
        "{\"a\":1,}",
        "[1 2]",
        "{\"a\" 1}",
        "{1:2}",
        "01",
        "-",
        "1.",
        ".5",
        "1e",
        "+1",
        "\"\\x\"",
        "\"\\u12\"",
        "\"\\u+123\"",
        "\"\\ud800\"",
        "\"\\udc00\"",
        "\"\\ud800\\u0041\"",
        "\"a\u{1}b\"",
        "\"open",
        "[1] 2",
        "truex",
    ] {
        assert!(parse(bad).is_err(), "{bad:?}");
        assert!(serde_json::from_str::<Value>(bad).is_err(), "{bad:?}");
    }
}

#[test]
fn escapes_unescape_and_plain_strings_are_borrowed() {
    let parsed = parse(r#"["plain é", "a\"b\\c\/d\b\f\n\r\t\u00e9\ud83d\ude00"]"#).unwrap();
    let items = parsed.items().unwrap();
    assert!(matches!(
        &items[0].1,
        Json::String(Cow::Borrowed("plain é"))
    ));
    assert_eq!(items[1].1.str().unwrap(), "a\"b\\c/d\u{8}\u{c}\n\r\té😀");
}

#[test]
fn array_items_keep_their_text() {
    let parsed = parse(r#"[ {"a": [1, 2]} ,"x",3 ]"#).unwrap();
    let raw: Vec<&str> = parsed
        .items()
        .unwrap()
        .iter()
        .map(|(raw, _)| *raw)
        .collect();
    assert_eq!(raw, [r#"{"a": [1, 2]}"#, r#""x""#, "3"]);
}

#[test]
fn nesting_stops_where_serde_json_stops() {
    let nested = |depth: usize| format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    for depth in [MAX_DEPTH - 1, MAX_DEPTH, MAX_DEPTH + 1] {
        assert_eq!(
            parse(&nested(depth)).is_ok(),
            serde_json::from_str::<Value>(&nested(depth)).is_ok(),
            "{depth}"
        );
    }
    assert!(parse(&nested(MAX_DEPTH)).is_ok());
    // Far deeper than the stack could recurse: refused, not a crash.
    assert!(parse(&nested(1_000_000)).is_err());
}

#[test]
fn numbers_convert_only_to_types_that_hold_them() {
    assert_eq!(decode::<u64>("18446744073709551615"), Ok(u64::MAX));
    for not_unsigned in ["-1", "1.0", "1e2", "18446744073709551616", "\"1\"", "null"] {
        assert!(decode::<u64>(not_unsigned).is_err(), "{not_unsigned}");
    }
    assert!(decode::<u32>("4294967296").is_err());
    assert_eq!(decode::<u32>("4294967295"), Ok(u32::MAX));
    assert_eq!(decode::<f64>("-0.5e1"), Ok(-5.0));
    assert_eq!(decode::<f64>("1E400"), Ok(f64::INFINITY));
    assert_eq!(decode::<f64>("1e-400"), Ok(0.0));
    assert_eq!(decode::<f64>("0e400"), Ok(0.0));
    assert_eq!(decode::<f64>("-0.0e99999999999"), Ok(-0.0));
    assert_eq!(decode::<f64>("1e99999999999"), Ok(f64::INFINITY));
    assert_eq!(
        decode::<f64>("12345678901234567890123e-3"),
        Ok(12345678901234567890.123)
    );
    assert!(decode::<f64>("\"1\"").is_err());
}

#[test]
fn fields_are_found_by_name_and_missing_ones_are_named() {
    let parsed = parse(r#"{"a":1,"b":null,"s":"x"}"#).unwrap();
    let fields = parsed.object().unwrap();
    assert_eq!(fields.req::<u64>("a"), Ok(1));
    assert_eq!(fields.opt::<u64>("b"), Ok(None));
    assert_eq!(fields.opt::<u64>("c"), Ok(None));
    assert_eq!(fields.or_default::<String>("c"), Ok(String::new()));
    assert_eq!(fields.str("s"), Ok("x"));
    assert_eq!(
        fields.req::<u64>("c").unwrap_err().to_string(),
        "missing field `c`"
    );
    assert!(fields.req::<String>("a").is_err());
    assert!(parse("[]").unwrap().object().is_err());
}
