//! Lenient JSON for the fields a report's subject is read from: a value of
//! any type is accepted, one of an unexpected type reads as nothing, and a
//! repeated key is not an error (the last one counts). So reading a subject
//! can never refuse a report, nor change how its metrics are read.
//!
//! [`Lenient`] reads any [`Loose`] value; [`loose_object!`] declares an
//! object with the keys it keeps; [`Aside`] takes a few top-level keys of a
//! report away from the derived struct that counts its metrics.

use serde::de::value::MapAccessDeserializer;
use serde::de::{DeserializeSeed, IgnoredAny, IntoDeserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};
use std::marker::PhantomData;

/// A value read leniently: each kind of JSON value it does not expect reads
/// as its default.
pub(crate) trait Loose: Default {
    /// From a JSON string.
    fn text(_: &str) -> Self {
        Self::default()
    }
    /// From a JSON array.
    fn seq<'de, A: SeqAccess<'de>>(mut seq: A) -> Result<Self, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Self::default())
    }
    /// One entry of a JSON object: reads the value of a key it keeps (true),
    /// leaves any other alone (false, the caller skips the value).
    fn field<'de, A: MapAccess<'de>>(
        &mut self,
        _key: &str,
        _map: &mut A,
    ) -> Result<bool, A::Error> {
        Ok(false)
    }
}

/// A [`Loose`] value as a serde field.
pub(crate) struct Lenient<T>(pub T);

impl<'de, T: Loose> Deserialize<'de> for Lenient<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(LenientVisitor(PhantomData)).map(Lenient)
    }
}

struct LenientVisitor<T>(PhantomData<T>);

impl<'de, T: Loose> Visitor<'de> for LenientVisitor<T> {
    type Value = T;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<T, E> {
        Ok(T::default())
    }
    fn visit_i64<E>(self, _: i64) -> Result<T, E> {
        Ok(T::default())
    }
    fn visit_u64<E>(self, _: u64) -> Result<T, E> {
        Ok(T::default())
    }
    fn visit_f64<E>(self, _: f64) -> Result<T, E> {
        Ok(T::default())
    }
    fn visit_str<E>(self, v: &str) -> Result<T, E> {
        Ok(T::text(v))
    }
    fn visit_unit<E>(self) -> Result<T, E> {
        Ok(T::default())
    }
    fn visit_none<E>(self) -> Result<T, E> {
        Ok(T::default())
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<T, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<T, A::Error> {
        T::seq(seq)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<T, A::Error> {
        let mut out = T::default();
        while let Some(key) = map.next_key::<String>()? {
            if !out.field(&key, &mut map)? {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(out)
    }
}

/// The next value of `map`, read leniently.
pub(crate) fn value<'de, T: Loose, A: MapAccess<'de>>(map: &mut A) -> Result<T, A::Error> {
    Ok(map.next_value::<Lenient<T>>()?.0)
}

/// A string, as written; anything else reads as "".
#[derive(Default)]
pub(crate) struct Text(pub String);

impl Loose for Text {
    fn text(s: &str) -> Self {
        Text(s.to_string())
    }
}

/// An array's [`Loose`] items, at most `N` of them (the rest skipped); not
/// an array reads as empty.
pub(crate) struct List<T, const N: usize>(pub Vec<T>);

impl<T, const N: usize> Default for List<T, N> {
    fn default() -> Self {
        List(Vec::new())
    }
}

impl<T: Loose, const N: usize> Loose for List<T, N> {
    fn seq<'de, A: SeqAccess<'de>>(mut seq: A) -> Result<Self, A::Error> {
        let mut out = Vec::new();
        while out.len() < N {
            match seq.next_element::<Lenient<T>>()? {
                Some(item) => out.push(item.0),
                None => return Ok(List(out)),
            }
        }
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(List(out))
    }
}

/// Declares a [`Loose`] object: a struct of the keys it keeps, each a
/// [`Loose`] field; other keys are skipped.
macro_rules! loose_object {
    ($(#[$meta:meta])* $vis:vis struct $name:ident {
        $($(#[$fmeta:meta])* $key:literal => $field:ident: $ty:ty,)*
    }) => {
        $(#[$meta])*
        #[derive(Default)]
        $vis struct $name {
            $($(#[$fmeta])* pub $field: $ty,)*
        }

        impl $crate::read::loose::Loose for $name {
            fn field<'de, A: serde::de::MapAccess<'de>>(
                &mut self,
                key: &str,
                map: &mut A,
            ) -> Result<bool, A::Error> {
                match key {
                    $($key => self.$field = $crate::read::loose::value(map)?,)*
                    _ => return Ok(false),
                }
                Ok(true)
            }
        }
    };
}
pub(crate) use loose_object;

/// A report read as its derived struct `T`, except for the top-level keys
/// `S` keeps, which `S` reads leniently and `T` never sees: `T` accepts and
/// refuses exactly what it did alone, with the same messages.
pub(crate) struct Aside<T, S> {
    pub report: T,
    pub aside: S,
}

impl<'de, T: Deserialize<'de>, S: Loose> Deserialize<'de> for Aside<T, S> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T, S>(PhantomData<(T, S)>);
        impl<'de, T: Deserialize<'de>, S: Loose> Visitor<'de> for V<T, S> {
            type Value = Aside<T, S>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Aside<T, S>, A::Error> {
                let mut aside = S::default();
                let report = T::deserialize(MapAccessDeserializer::new(Without {
                    map,
                    aside: &mut aside,
                }))?;
                Ok(Aside { report, aside })
            }
        }
        d.deserialize_map(V(PhantomData))
    }
}

/// A map without the keys `aside` keeps (it reads their values as they pass).
struct Without<'a, A, S> {
    map: A,
    aside: &'a mut S,
}

impl<'de, A: MapAccess<'de>, S: Loose> MapAccess<'de> for Without<'_, A, S> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        while let Some(key) = self.map.next_key::<String>()? {
            if !self.aside.field(&key, &mut self.map)? {
                return seed.deserialize(key.into_deserializer()).map(Some);
            }
        }
        Ok(None)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, A::Error> {
        self.map.next_value_seed(seed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    loose_object! {
        struct Probe {
            "a" => a: Text,
            "list" => list: List<Text, 2>,
            "inner" => inner: Inner,
        }
    }
    loose_object! {
        struct Inner {
            "b" => b: Text,
        }
    }

    fn probe(json: &str) -> Probe {
        serde_json::from_str::<Lenient<Probe>>(json)
            .unwrap_or_else(|e| panic!("{json}: {e}"))
            .0
    }

    #[test]
    fn a_value_of_an_unexpected_type_reads_as_nothing_and_a_repeated_key_as_the_last() {
        let p = probe(r#"{"a":1,"list":"x","inner":[{"b":"no"}],"other":{"a":"deep"}}"#);
        assert_eq!(
            (p.a.0.as_str(), p.list.0.len(), p.inner.b.0.as_str()),
            ("", 0, "")
        );
        let p =
            probe(r#"{"a":"first","a":"last","list":["1",2,"3","4"],"inner":{"b":"x","b":null}}"#);
        assert_eq!(p.a.0, "last");
        let kept: Vec<&str> = p.list.0.iter().map(|t| t.0.as_str()).collect();
        assert_eq!(kept, ["1", ""], "at most 2 items, a number reads as empty");
        assert_eq!(p.inner.b.0, "");
        for any in ["null", "true", "-1.5e3", "\"s\"", "[[],{}]"] {
            assert_eq!(probe(any).a.0, "");
        }
    }

    #[test]
    fn keys_set_aside_are_neither_seen_nor_refused_by_the_derived_struct() {
        #[derive(Deserialize)]
        struct Counted {
            n: u32,
        }
        let r: Aside<Counted, Probe> =
            serde_json::from_str(r#"{"a":"x","n":3,"a":5}"#).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((r.report.n, r.aside.a.0.as_str()), (3, ""));
        let e = serde_json::from_str::<Aside<Counted, Probe>>(r#"{"a":"x"}"#)
            .err()
            .map(|e| e.to_string());
        assert_eq!(e.as_deref(), Some("missing field `n` at line 1 column 9"));
    }
}
