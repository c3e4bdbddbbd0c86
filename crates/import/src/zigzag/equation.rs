//! ZigZag's layer equation (`O[b][k][oy][ox]+=W[k][c][fy][fx]*I[b][c][iy][ix]`)
//! and dimension relations (`ix=2*ox+1*fx`), read as ZigZag's validator
//! shapes them: an output `O`, `+=` or `=`, two inputs joined by `*` or `+`;
//! a relation `a = [s*]b + [d*]c` with whole-number coefficients.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

/// One operand: its name and its bracket dimensions (upper-cased).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Operand {
    pub name: String,
    pub dims: Vec<String>,
}

impl Operand {
    /// `NAME[d1][d2]` with lower-case dimensions, as the presets write them.
    pub fn text(&self, name: &str) -> String {
        let mut s = name.to_string();
        for d in &self.dims {
            s.push('[');
            s.push_str(&d.to_ascii_lowercase());
            s.push(']');
        }
        s
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Equation {
    pub output: Operand,
    /// `+=` (accumulating) rather than `=`.
    pub accumulates: bool,
    pub inputs: [Operand; 2],
    /// `*` or `+` between the inputs.
    pub op: char,
}

/// `ix=2*ox+1*fx`: `input = stride*output + dilation*kernel` (names
/// upper-cased).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Relation {
    pub input: String,
    pub output: String,
    pub stride: u64,
    pub kernel: String,
    pub dilation: u64,
}

impl Relation {
    /// As the presets write it: `ix=1*ox+1*fx`.
    pub fn text(&self) -> String {
        format!(
            "{}={}*{}+{}*{}",
            self.input.to_ascii_lowercase(),
            self.stride,
            self.output.to_ascii_lowercase(),
            self.dilation,
            self.kernel.to_ascii_lowercase()
        )
    }
}

fn word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// One `NAME[a][b]` at the start of `s`; the rest of `s` after it.
fn operand(s: &str) -> Result<(Operand, &str), String> {
    let end = s.find(|c: char| !word_char(c)).unwrap_or(s.len());
    let name = &s[..end];
    if name.is_empty() {
        return Err(format!("expected an operand name at `{s}`"));
    }
    let mut rest = &s[end..];
    let mut dims = Vec::new();
    while let Some(r) = rest.strip_prefix('[') {
        let close = r
            .find(']')
            .ok_or_else(|| format!("`[` without `]` after `{name}`"))?;
        let d = r[..close].trim();
        if !d.chars().all(word_char) {
            return Err(format!("`[{d}]` of `{name}` is not a dimension name"));
        }
        if !d.is_empty() {
            dims.push(d.to_ascii_uppercase());
        }
        rest = &r[close + 1..];
    }
    if dims.is_empty() && !rest.starts_with(['*', '+', '=']) && !rest.is_empty() {
        return Err(format!("expected `[dimension]` after `{name}`"));
    }
    Ok((
        Operand {
            name: name.to_string(),
            dims,
        },
        rest,
    ))
}

/// Parses an equation; the error says what is wrong with it.
pub(crate) fn parse(eq: &str) -> Result<Equation, String> {
    let s: String = eq.chars().filter(|c| !c.is_whitespace()).collect();
    let (output, rest) = operand(&s)?;
    if output.name != "O" {
        return Err(format!(
            "the output operand is `{}`; ZigZag's equations start with the output `O`",
            output.name
        ));
    }
    let (accumulates, rest) = if let Some(r) = rest.strip_prefix("+=") {
        (true, r)
    } else if let Some(r) = rest.strip_prefix('=') {
        (false, r)
    } else {
        return Err("expected `+=` or `=` after the output".into());
    };
    let (a, rest) = operand(rest)?;
    let op = rest
        .chars()
        .next()
        .filter(|c| matches!(c, '*' | '+'))
        .ok_or("expected `*` or `+` between the two inputs")?;
    let (b, rest) = operand(&rest[1..])?;
    if !rest.is_empty() {
        return Err(format!(
            "`{rest}` after the second input; a ZigZag equation has exactly two inputs"
        ));
    }
    if a.name == b.name || a.name == "O" || b.name == "O" {
        return Err("the three operands must have different names".into());
    }
    Ok(Equation {
        output,
        accumulates,
        inputs: [a, b],
        op,
    })
}

/// `[c*]name` (a missing coefficient is 1).
fn term(t: &str) -> Result<(u64, String), String> {
    let (c, name) = match t.split_once('*') {
        Some((c, n)) => (
            c.parse::<u64>()
                .ok()
                .filter(|&c| (1..=defines_model::limits::MAX_LOOP_SIZE).contains(&c))
                .ok_or_else(|| {
                    format!("the coefficient `{c}` is not a whole number from 1 to 2^20")
                })?,
            n,
        ),
        None => (1, t),
    };
    if name.is_empty() || !name.chars().all(word_char) {
        return Err(format!("`{t}` is not `COEFFICIENT*dimension`"));
    }
    Ok((c, name.to_ascii_uppercase()))
}

/// Parses `ix=2*ox+1*fx` (spaces allowed).
pub(crate) fn relation(r: &str) -> Result<Relation, String> {
    let s: String = r.chars().filter(|c| !c.is_whitespace()).collect();
    let (lhs, rhs) = s.split_once('=').ok_or("expected `ix=S*ox+D*fx`")?;
    let (t1, t2) = rhs
        .split_once('+')
        .ok_or("expected two terms joined by `+`, as in `ix=S*ox+D*fx`")?;
    if lhs.is_empty() || !lhs.chars().all(word_char) {
        return Err(format!("`{lhs}` is not a dimension name"));
    }
    let (stride, output) = term(t1)?;
    let (dilation, kernel) = term(t2)?;
    Ok(Relation {
        input: lhs.to_ascii_uppercase(),
        output,
        stride,
        kernel,
        dilation,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equations_and_relations_parse() {
        let e = parse("O[b][k][oy][ox] += W[k][c][fy][fx] * I[b][c][iy][ix]").unwrap();
        assert!(e.accumulates);
        assert_eq!(e.op, '*');
        assert_eq!(e.inputs[1].dims, ["B", "C", "IY", "IX"]);
        assert_eq!(e.inputs[1].text("I"), "I[b][c][iy][ix]");
        let add = parse("O[b][g][oy][ox]=W[b][g][oy][ox]+I[b][g][oy][ox]").unwrap();
        assert!(!add.accumulates);
        assert_eq!(add.op, '+');
        assert!(parse("Y[k]+=W[k]*I[k]").unwrap_err().contains("output"));
        assert!(parse("O[k]+=W[k]*I[k]*X[k]")
            .unwrap_err()
            .contains("two inputs"));
        let r = relation("ix = 2*ox + fx").unwrap();
        assert_eq!((r.stride, r.dilation), (2, 1));
        assert_eq!(r.text(), "ix=2*ox+1*fx");
        assert!(relation("ix=s*ox+fx").unwrap_err().contains("coefficient"));
    }
}
