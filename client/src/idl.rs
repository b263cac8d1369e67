//! The program's IDL (`idl/data_pool.json`, kept current by `scripts/idl.py check`), used to name
//! errors and to turn event bytes into JSON without hand-written converters.

use std::sync::OnceLock;

use anchor_lang::prelude::Pubkey;
use serde_json::{json, Map, Value};

/// The IDL text.
pub const IDL: &str = include_str!("../../idl/data_pool.json");

/// The parsed IDL.
pub fn idl() -> &'static Value {
    static PARSED: OnceLock<Value> = OnceLock::new();
    PARSED.get_or_init(|| serde_json::from_str(IDL).unwrap_or_default())
}

/// `snake_case` → `camelCase`.
pub fn camel(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper = false;
    for c in name.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.0.len() < n {
            return None;
        }
        let (a, b) = self.0.split_at(n);
        self.0 = b;
        Some(a)
    }
    fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        self.take(N)?.try_into().ok()
    }
    fn len(&mut self) -> Option<usize> {
        usize::try_from(u32::from_le_bytes(self.array()?)).ok()
    }
}

fn find_type(name: &str) -> Option<&'static Value> {
    idl()["types"]
        .as_array()?
        .iter()
        .find(|t| t["name"] == name)
}

fn decode_defined(r: &mut Reader, name: &str, depth: u32) -> Option<Value> {
    let ty = &find_type(name)?["type"];
    match ty["kind"].as_str()? {
        "struct" => decode_fields(r, ty["fields"].as_array()?, depth),
        "enum" => {
            let tag = usize::from(r.array::<1>()?[0]);
            let variant = ty["variants"].as_array()?.get(tag)?;
            match variant["fields"].as_array() {
                Some(fields) => {
                    Some(json!({ variant["name"].as_str()?: decode_fields(r, fields, depth)? }))
                }
                None => Some(Value::String(variant["name"].as_str()?.to_string())),
            }
        }
        _ => None,
    }
}

fn decode_fields(r: &mut Reader, fields: &[Value], depth: u32) -> Option<Value> {
    let mut map = Map::new();
    for (i, f) in fields.iter().enumerate() {
        let key = f["name"]
            .as_str()
            .map(camel)
            .unwrap_or_else(|| i.to_string());
        map.insert(key, decode(r, &f["type"], depth + 1)?);
    }
    Some(Value::Object(map))
}

fn decode(r: &mut Reader, ty: &Value, depth: u32) -> Option<Value> {
    if depth > 16 {
        return None;
    }
    if let Some(t) = ty.as_str() {
        return Some(match t {
            "bool" => Value::Bool(r.array::<1>()?[0] != 0),
            "u8" => json!(r.array::<1>()?[0]),
            "i8" => json!(i8::from_le_bytes(r.array()?)),
            "u16" => json!(u16::from_le_bytes(r.array()?)),
            "i16" => json!(i16::from_le_bytes(r.array()?)),
            "u32" => json!(u32::from_le_bytes(r.array()?)),
            "i32" => json!(i32::from_le_bytes(r.array()?)),
            "u64" => json!(u64::from_le_bytes(r.array()?)),
            "i64" => json!(i64::from_le_bytes(r.array()?)),
            "u128" => json!(u128::from_le_bytes(r.array()?).to_string()),
            "i128" => json!(i128::from_le_bytes(r.array()?).to_string()),
            "pubkey" => json!(Pubkey::new_from_array(r.array()?).to_string()),
            "string" => {
                let n = r.len()?;
                json!(std::str::from_utf8(r.take(n)?).ok()?)
            }
            "bytes" => {
                let n = r.len()?;
                json!(hex::encode(r.take(n)?))
            }
            _ => return None,
        });
    }
    if let Some(arr) = ty.get("array").and_then(Value::as_array) {
        let n = usize::try_from(arr.get(1)?.as_u64()?).ok()?;
        let inner = arr.first()?;
        if inner == "u8" {
            return Some(json!(hex::encode(r.take(n)?)));
        }
        return (0..n)
            .map(|_| decode(r, inner, depth + 1))
            .collect::<Option<Vec<_>>>()
            .map(Value::Array);
    }
    if let Some(inner) = ty.get("vec") {
        let n = r.len()?;
        return (0..n)
            .map(|_| decode(r, inner, depth + 1))
            .collect::<Option<Vec<_>>>()
            .map(Value::Array);
    }
    if let Some(inner) = ty.get("option") {
        return match r.array::<1>()?[0] {
            0 => Some(Value::Null),
            1 => decode(r, inner, depth + 1),
            _ => None,
        };
    }
    let name = ty.get("defined")?.get("name")?.as_str()?;
    decode_defined(r, name, depth)
}

/// See [`crate::events::event_json`].
pub fn decode_event_json(data: &[u8]) -> Option<Value> {
    let (disc, body) = (data.get(..8)?, data.get(8..)?);
    let ev = idl()["events"].as_array()?.iter().find(|e| {
        e["discriminator"].as_array().is_some_and(|d| {
            d.iter()
                .map(|b| b.as_u64())
                .eq(disc.iter().map(|b| Some(u64::from(*b))))
        })
    })?;
    let name = ev["name"].as_str()?;
    let mut r = Reader(body);
    let value = decode_defined(&mut r, name, 0)?;
    Some(json!({ "name": name, "data": value }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn camel_case() {
        assert_eq!(camel("yes_weight"), "yesWeight");
        assert_eq!(camel("pool"), "pool");
        assert_eq!(camel("acc_before"), "accBefore");
    }
}
