//! Detail fields of the large JSON formats (SARIF, Trivy, Grype, CycloneDX):
//! the typed structs keep only the fields the contract's rules count, and a drill-down
//! also keeps a few short texts ([`Kept`]: rule ids, locations, messages) —
//! skipped unread while only metrics are counted, clipped and bounded while a
//! drill-down parses. Also [`Score`], a number some writers quote.

use crate::details::{clip, KEPT, TEXT_CHARS};
use crate::parsed::num;
use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::Value;
use std::cell::Cell;
use std::marker::PhantomData;

// ---------------------------------------------------------------- detail fields

thread_local! {
    /// How many more detail fields ([`Kept`]) may be kept on this thread: 0
    /// while counting metrics (the fields are skipped unread, as before),
    /// a budget while a drill-down parses a file ([`Keeping`]). serde's
    /// derive cannot pass a flag down to a field, and one parse runs on one
    /// thread from start to end.
    static KEEP: Cell<usize> = const { Cell::new(0) };
}

/// Keeps detail fields until dropped, at most enough for [`KEPT`] findings:
/// beyond that they are skipped again while counting goes on.
pub struct Keeping(usize);

impl Keeping {
    pub fn start() -> Keeping {
        Keeping(KEEP.replace(KEPT * 8))
    }
}

impl Drop for Keeping {
    fn drop(&mut self) {
        KEEP.set(self.0);
    }
}

/// How a detail field's JSON value becomes a short text.
pub(crate) trait Pick {
    fn pick(v: &Value) -> Option<String>;
}

/// A detail field: a clipped text while [`Keeping`], else skipped unread.
pub(crate) struct Kept<P>(Option<String>, PhantomData<P>);

impl<P> Default for Kept<P> {
    fn default() -> Self {
        Kept(None, PhantomData)
    }
}

impl<P> Kept<P> {
    pub(crate) fn get(&self) -> &str {
        self.0.as_deref().unwrap_or_default()
    }
}

impl<'de, P: Pick> Deserialize<'de> for Kept<P> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let budget = KEEP.get();
        if budget == 0 {
            IgnoredAny::deserialize(d)?;
            return Ok(Kept::default());
        }
        KEEP.set(budget - 1);
        let v = Shallow(SHALLOW_DEPTH).deserialize(d)?;
        Ok(Kept(P::pick(&v).map(|t| clip(&t, TEXT_CHARS)), PhantomData))
    }
}

/// Levels of a kept field read into a `Value` (a SARIF location needs 4).
const SHALLOW_DEPTH: u8 = 6;

/// Reads a JSON value to a bounded depth and skips what lies deeper the way
/// an unkept field is skipped, so keeping a field never meets a limit (or a
/// recursion) that skipping it would not.
struct Shallow(u8);

impl<'de> DeserializeSeed<'de> for Shallow {
    type Value = Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Shallow {
    type Value = Value;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        self.deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        if self.0 == 0 {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            return Ok(Value::Null);
        }
        let mut out = Vec::new();
        while let Some(v) = seq.next_element_seed(Shallow(self.0 - 1))? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        if self.0 == 0 {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            return Ok(Value::Null);
        }
        let mut out = serde_json::Map::new();
        while let Some(key) = map.next_key::<String>()? {
            out.insert(key, map.next_value_seed(Shallow(self.0 - 1))?);
        }
        Ok(Value::Object(out))
    }
}

/// A string or a number as written.
fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A string or number.
pub(crate) struct Plain;

impl Pick for Plain {
    fn pick(v: &Value) -> Option<String> {
        scalar(v)
    }
}

/// A SARIF message: its text, else its markdown.
pub(crate) struct SarifMessage;

impl Pick for SarifMessage {
    fn pick(v: &Value) -> Option<String> {
        v.get("text").or_else(|| v.get("markdown")).and_then(scalar)
    }
}

/// A SARIF result's first location: `uri:line`, else a logical location's name.
pub(crate) struct SarifLocation;

impl Pick for SarifLocation {
    fn pick(v: &Value) -> Option<String> {
        let first = v.get(0)?;
        if let Some(uri) = first
            .pointer("/physicalLocation/artifactLocation/uri")
            .and_then(scalar)
        {
            return Some(
                match first
                    .pointer("/physicalLocation/region/startLine")
                    .and_then(scalar)
                {
                    Some(line) => format!("{uri}:{line}"),
                    None => uri,
                },
            );
        }
        first
            .pointer("/logicalLocations/0/fullyQualifiedName")
            .or_else(|| first.pointer("/logicalLocations/0/name"))
            .and_then(scalar)
    }
}

/// A package as `name@version`.
pub(crate) struct Package;

impl Pick for Package {
    fn pick(v: &Value) -> Option<String> {
        let name = v.get("name").and_then(scalar)?;
        Some(match v.get("version").and_then(scalar) {
            Some(version) if !version.is_empty() => format!("{name}@{version}"),
            _ => name,
        })
    }
}

/// The first `ref` a CycloneDX vulnerability affects.
pub(crate) struct Affects;

impl Pick for Affects {
    fn pick(v: &Value) -> Option<String> {
        v.pointer("/0/ref").and_then(scalar)
    }
}

/// A number some writers quote ("8.2") and others do not (8.2).
#[derive(Deserialize)]
#[serde(untagged)]
pub(crate) enum Score {
    Number(f64),
    Text(String),
    Other(IgnoredAny),
}

impl Score {
    pub(crate) fn value(&self) -> Option<f64> {
        match self {
            Score::Number(n) => Some(*n).filter(|n| n.is_finite()),
            Score::Text(s) => num(s),
            Score::Other(_) => None,
        }
    }
}

/// Whether detail fields are being kept on this thread.
#[cfg(test)]
pub(crate) fn keeping() -> bool {
    KEEP.get() > 0
}

#[cfg(test)]
mod tests {
    use crate::metrics::EvidenceKind;
    use crate::parse;

    #[test]
    fn deep_nesting_inside_ignored_fields_is_harmless() {
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        let log = format!(r#"{{"version":"2.1.0","runs":[],"x":{deep}}}"#);
        // skipped without recursion, or refused: either way no stack overflow
        let _ = parse(EvidenceKind::Sarif, log.as_bytes());
        let nested = format!(
            r#"{{"bomFormat":"CycloneDX","components":{}{}}}"#,
            r#"[{"components":"#.repeat(5_000),
            "[]}]".repeat(5_000)
        );
        assert!(parse(EvidenceKind::Cyclonedx, nested.as_bytes()).is_err());
    }
}
