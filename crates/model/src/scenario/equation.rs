//! The layer equation parser (docs/model.md §1.1): `O[k][oy][ox]+=W[k][c]*I[c][oy][ox]`
//! into operands and their dimensions, terms such as `2*ox`, and the
//! relations `ix=ox+fx` of the workload's `dimension_relations`.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

pub(super) fn parse_equation(eq: &str) -> Result<Vec<(String, Vec<String>)>, String> {
    let b: Vec<char> = eq.chars().collect();
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_uppercase() {
            let s = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == '_') {
                i += 1;
            }
            let name: String = b[s..i].iter().collect();
            let mut dims = Vec::new();
            while i < b.len() && b[i] == '[' {
                let s2 = i + 1;
                let Some(e) = b[s2..].iter().position(|&c| c == ']') else {
                    return Err(format!("unclosed `[` after operand `{name}`"));
                };
                let dim: String = b[s2..s2 + e]
                    .iter()
                    .collect::<String>()
                    .trim()
                    .to_ascii_uppercase();
                if dim.is_empty() {
                    return Err(format!("empty `[]` in operand `{name}`"));
                }
                dims.push(dim);
                i = s2 + e + 1;
            }
            if out.iter().any(|(n, _)| *n == name) {
                return Err(format!("operand `{name}` appears twice"));
            }
            out.push((name, dims));
        } else if matches!(c, '+' | '=' | '*' | ' ') {
            i += 1;
        } else {
            return Err(format!("unexpected character `{c}`"));
        }
    }
    if out.len() < 2 {
        return Err(
            "an equation needs an output and at least one input, e.g. O[k]+=W[k][c]*I[c]"
                .to_string(),
        );
    }
    Ok(out)
}

pub(super) fn parse_term(t: &str) -> Result<(u64, String), String> {
    let t = t.trim();
    let (c, n) = match t.split_once('*') {
        Some((c, n)) => {
            let c: u64 = c
                .trim()
                .parse()
                .map_err(|_| format!("coefficient `{c}` is not a positive integer"))?;
            (c, n.trim())
        }
        None => (1, t),
    };
    if c == 0 {
        return Err("coefficient 0; use a positive integer".to_string());
    }
    if c > crate::limits::MAX_LOOP_SIZE {
        return Err(crate::limits::exceeded(
            "coefficient",
            c,
            crate::limits::MAX_LOOP_SIZE,
            "a stride or dilation is at most a loop size",
        ));
    }
    if n.is_empty() || !n.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '_') {
        return Err(format!("`{n}` is not a loop name"));
    }
    Ok((c, n.to_ascii_uppercase()))
}

/// A relation `name = sa*a + sb*b` as written (names upper-cased).
pub(super) struct ParsedRelation {
    /// The input dimension it defines.
    pub name: String,
    pub sa: u64,
    pub a: String,
    pub sb: u64,
    pub b: String,
}

pub(super) fn parse_relation(r: &str) -> Result<ParsedRelation, String> {
    let (lhs, rhs) = r.split_once('=').ok_or("expected `ix=S*ox+D*fx`")?;
    let terms: Vec<&str> = rhs.split('+').collect();
    if terms.len() != 2 {
        return Err("expected exactly two terms, e.g. `ix=2*ox+1*fx`".to_string());
    }
    let (sa, a) = parse_term(terms[0])?;
    let (sb, b) = parse_term(terms[1])?;
    let lhs = lhs.trim().to_ascii_uppercase();
    if lhs.is_empty() {
        return Err("missing the input dimension before `=`".to_string());
    }
    Ok(ParsedRelation {
        name: lhs,
        sa,
        a,
        sb,
        b,
    })
}
