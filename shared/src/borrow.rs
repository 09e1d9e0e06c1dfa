//! Strings borrowed from the JSON text they were read from.
//!
//! serde borrows a `Cow<'a, str>` only when it is a field's whole type under `#[serde(borrow)]`;
//! an `Option<Cow<'a, str>>`, a map key or a list item goes through `Cow`'s own `Deserialize`,
//! which always copies. Every SES event has a dozen such strings, so the parsers here read them
//! through [`Str`] (and [`opt`] for `Option` fields): borrowed when the JSON string has no escape,
//! an owned copy only when it has one. The type rules are serde's own: a string (or `null` for
//! an `Option`), anything else the same error as a `String` field gives.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer};

/// A JSON string, borrowed from the input when it has no escapes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Str<'a>(pub Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Str<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Str<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Str(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Str(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Str(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V(std::marker::PhantomData))
    }
}

/// `deserialize_with` for an `Option<Cow<'a, str>>` field: `null` is `None`, a string is
/// borrowed when it can be.
pub fn opt<'de: 'a, 'a, D: Deserializer<'de>>(d: D) -> Result<Option<Cow<'a, str>>, D::Error> {
    Ok(Option::<Str<'a>>::deserialize(d)?.map(|s| s.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct T<'a> {
        #[serde(borrow, default, deserialize_with = "opt")]
        s: Option<Cow<'a, str>>,
    }

    #[test]
    fn borrows_unless_escaped() {
        let t: T<'_> = serde_json::from_str(r#"{"s":"plain"}"#).unwrap();
        assert!(matches!(t.s, Some(Cow::Borrowed("plain"))));
        let t: T<'_> = serde_json::from_str(r#"{"s":"a\"b"}"#).unwrap();
        assert!(matches!(t.s.as_deref(), Some("a\"b")));
        assert!(matches!(t.s, Some(Cow::Owned(_))));
        let t: T<'_> = serde_json::from_str(r#"{"s":null}"#).unwrap();
        assert!(t.s.is_none());
        let t: T<'_> = serde_json::from_str(r#"{}"#).unwrap();
        assert!(t.s.is_none());
    }

    /// The same refusal, word for word, as the `Option<Cow<str>>` it replaces.
    #[test]
    fn other_types_are_the_same_error_as_before() {
        #[derive(Deserialize)]
        #[allow(dead_code)]
        struct Before<'a> {
            #[serde(borrow, default)]
            s: Option<Cow<'a, str>>,
        }
        for v in ["5", "true", "[1]", "{\"a\":1}"] {
            let text = format!(r#"{{"s":{v}}}"#);
            let old = serde_json::from_str::<Before<'_>>(&text).err().map(|e| e.to_string());
            let new = serde_json::from_str::<T<'_>>(&text).err().map(|e| e.to_string());
            assert_eq!(new, old, "{v}");
            assert!(new.is_some());
        }
    }
}
