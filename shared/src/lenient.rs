//! Lenient JSON scalars: the one place where a field is read from whatever JSON type it comes
//! as, for the hand-written and copied payloads every function meets (`"Period": "60"`,
//! `complaintSubType: null`, `processingTimeMillis` as a string, a lone string where a list is
//! expected). Absent, `null` and values of another type are "nothing", never an error that
//! would lose the whole document.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};

/// A text field read from any JSON value: a string (borrowed when it has no escapes), a number or
/// boolean (as its JSON text); `null`, arrays and objects are "absent".
#[derive(Debug, Default, Clone)]
pub struct Text<'a> {
    text: Option<Cow<'a, str>>,
    /// Whether the value was a JSON string (not a number or boolean written as text).
    string: bool,
}

impl<'a> Text<'a> {
    /// The trimmed text, `None` when absent or blank.
    pub fn get(&self) -> Option<&str> {
        self.text.as_deref().map(str::trim).filter(|s| !s.is_empty())
    }

    /// [`Text::get`], owned.
    pub fn owned(&self) -> Option<String> {
        self.get().map(str::to_owned)
    }

    /// The value when it was a JSON string, as given (not trimmed); `None` for anything else.
    pub fn into_string(self) -> Option<Cow<'a, str>> {
        self.text.filter(|_| self.string)
    }

    fn string(s: Cow<'a, str>) -> Self {
        Self { text: Some(s), string: true }
    }

    fn scalar(s: String) -> Self {
        Self { text: Some(Cow::Owned(s)), string: false }
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(TextVisitor(PhantomData))
    }
}

struct TextVisitor<'a>(PhantomData<&'a ()>);

impl<'de: 'a, 'a> Visitor<'de> for TextVisitor<'a> {
    type Value = Text<'a>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Text::string(Cow::Borrowed(v)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Text::string(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Text::string(Cow::Owned(v)))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Text::scalar(v.to_string()))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Text::scalar(v.to_string()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Text::scalar(v.to_string()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Text::scalar(v.to_string()))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Text::default())
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Text::default())
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        Text::deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Text::default())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Text::default())
    }
}

/// A number read from a JSON number or a numeric string (`60`, `60.0`, `"60"`); anything else is
/// "absent".
#[derive(Debug, Default, Clone, Copy)]
pub struct Num(pub Option<f64>);

impl Num {
    /// A positive whole number.
    pub fn positive_u64(self) -> Option<u64> {
        self.0
            .filter(|v| v.is_finite() && *v >= 1.0 && v.fract() == 0.0 && *v < u64::MAX as f64)
            .map(|v| v as u64)
    }

    /// A positive whole number that fits a `u32`.
    pub fn positive_u32(self) -> Option<u32> {
        self.positive_u64().and_then(|v| u32::try_from(v).ok())
    }
}

impl<'de> Deserialize<'de> for Num {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // The text reader takes every JSON type; a number's text and a string parse alike.
        let text = Text::deserialize(d)?;
        Ok(Num(text.text.and_then(|t| t.trim().parse::<f64>().ok()).filter(|f| f.is_finite())))
    }
}

/// `deserialize_with`: a string, or `None` for any other JSON value.
pub fn string<'de: 'a, 'a, D: Deserializer<'de>>(d: D) -> Result<Option<Cow<'a, str>>, D::Error> {
    Ok(Text::deserialize(d)?.into_string())
}

/// `deserialize_with`: a list of strings that tolerates `null`, non-string items (dropped) and a
/// lone string.
pub fn strings<'de: 'a, 'a, D: Deserializer<'de>>(d: D) -> Result<Vec<Cow<'a, str>>, D::Error> {
    struct V<'a>(PhantomData<&'a ()>);
    impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
        type Value = Vec<Cow<'a, str>>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a list of strings")
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }
        fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
            Ok(vec![Cow::Borrowed(v)])
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok(vec![Cow::Owned(v.to_owned())])
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(1));
            while let Some(item) = seq.next_element::<Text<'a>>()? {
                if let Some(s) = item.into_string() {
                    out.push(s);
                }
            }
            Ok(out)
        }
    }
    d.deserialize_any(V(PhantomData))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct T<'a> {
        #[serde(borrow, default)]
        t: Text<'a>,
        #[serde(default)]
        n: Num,
        #[serde(borrow, default, deserialize_with = "string")]
        s: Option<Cow<'a, str>>,
        #[serde(borrow, default, deserialize_with = "strings")]
        l: Vec<Cow<'a, str>>,
    }

    fn t(json: &str) -> T<'_> {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn text_takes_scalars_and_ignores_structures() {
        assert_eq!(t(r#"{"t":" a "}"#).t.get(), Some("a"));
        assert_eq!(t(r#"{"t":42}"#).t.get(), Some("42"));
        assert_eq!(t(r#"{"t":true}"#).t.get(), Some("true"));
        for v in ["null", "[1]", "{\"a\":1}", "\"  \""] {
            assert_eq!(t(&format!(r#"{{"t":{v}}}"#)).t.get(), None, "{v}");
        }
        // only a JSON string is a string
        assert_eq!(t(r#"{"t":" a "}"#).t.into_string().as_deref(), Some(" a "));
        assert_eq!(t(r#"{"t":42}"#).t.into_string(), None);
    }

    #[test]
    fn numbers_from_numbers_and_numeric_strings() {
        assert_eq!(t(r#"{"n":60}"#).n.positive_u64(), Some(60));
        assert_eq!(t(r#"{"n":" 600 "}"#).n.positive_u64(), Some(600));
        assert_eq!(t(r#"{"n":60.0}"#).n.positive_u32(), Some(60));
        for v in ["-1", "0", "1.5", "\"two\"", "true", "null", "[60]", "1e300"] {
            assert_eq!(t(&format!(r#"{{"n":{v}}}"#)).n.positive_u32(), None, "{v}");
        }
    }

    #[test]
    fn strings_and_lists() {
        let v = t(r#"{"s":"x","l":[1,"a",null,"b"]}"#);
        assert_eq!((v.s.as_deref(), v.l), (Some("x"), vec![Cow::Borrowed("a"), Cow::Borrowed("b")]));
        let v = t(r#"{"s":7,"l":"solo"}"#);
        assert_eq!((v.s, v.l), (None, vec![Cow::Borrowed("solo")]));
        assert!(t(r#"{"l":null}"#).l.is_empty());
    }
}
