//! Where an exported file came from: every export (report JSON, sweep CSV,
//! chart SVG and PNG) carries the playground and model versions and the
//! full scenario (the same text as the URL fragment, so `#s=<scenario>` on
//! the playground's URL reproduces it), so a figure on a website can be
//! traced and recomputed.

use crate::persist;
use crate::state::Scenario;

/// The playground's version (this crate) and the model's.
pub const PLAYGROUND_VERSION: &str = env!("CARGO_PKG_VERSION");
pub const MODEL_VERSION: &str = defines_model::VERSION;

/// The provenance of an export.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Provenance {
    /// `defines-playground 0.1.0, defines-model 0.1.0`.
    pub generator: String,
    /// The scenario as the URL fragment holds it (`#s=` + this).
    pub scenario: String,
}

impl Provenance {
    pub fn of(s: &Scenario) -> Provenance {
        Provenance {
            generator: format!(
                "defines-playground {PLAYGROUND_VERSION}, defines-model {MODEL_VERSION}"
            ),
            scenario: persist::encode(s),
        }
    }

    /// One line for people: what made the file and how to reproduce it.
    pub fn line(&self) -> String {
        format!(
            "{}; scenario: open the playground at #{}{} to reproduce",
            self.generator,
            persist::FRAGMENT_PREFIX.trim_start_matches('#'),
            self.scenario
        )
    }

    /// A JSON export: `{"generator", "scenario", <key>: value}`.
    pub fn wrap_json(&self, key: &str, value: serde_json::Value) -> serde_json::Value {
        serde_json::json!({
            "generator": self.generator,
            "scenario": self.scenario,
            key: value,
        })
    }

    /// A CSV export: `#` comment lines first (pandas: `comment="#"`).
    pub fn csv(&self, body: &str) -> String {
        format!(
            "# {}\n# scenario: {}\n{body}",
            self.generator, self.scenario
        )
    }

    /// An SVG export: a `<metadata>` element right after the root tag.
    pub fn svg(&self, svg: &str) -> String {
        let meta = format!(
            "<metadata><generator>{}</generator><scenario>{}</scenario></metadata>",
            xml_escape(&self.generator),
            xml_escape(&self.scenario)
        );
        match svg
            .find("<svg")
            .and_then(|i| svg[i..].find('>').map(|j| i + j + 1))
        {
            Some(at) => format!("{}{meta}{}", &svg[..at], &svg[at..]),
            None => svg.to_string(),
        }
    }

    /// A PNG export: `tEXt` chunks (`Software`, `Comment`) after `IHDR`;
    /// anything that is not a PNG is returned unchanged.
    pub fn png(&self, png: &[u8]) -> Vec<u8> {
        const SIG: &[u8] = b"\x89PNG\r\n\x1a\n";
        // The signature, then IHDR: length (4) + type (4) + 13 + CRC (4).
        let ihdr_end = SIG.len() + 4 + 4 + 13 + 4;
        if png.len() < ihdr_end || &png[..SIG.len()] != SIG || &png[12..16] != b"IHDR" {
            return png.to_vec();
        }
        let mut out = png[..ihdr_end].to_vec();
        out.extend(text_chunk("Software", &self.generator));
        out.extend(text_chunk("Comment", &self.line()));
        out.extend(&png[ihdr_end..]);
        out
    }
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A PNG `tEXt` chunk (Latin-1 keyword, NUL, text; the scenario text is
/// URL-safe base64, so ASCII).
fn text_chunk(keyword: &str, text: &str) -> Vec<u8> {
    let mut data = keyword.as_bytes().to_vec();
    data.push(0);
    data.extend(text.bytes().filter(u8::is_ascii));
    let mut chunk = (data.len() as u32).to_be_bytes().to_vec();
    let mut typed = b"tEXt".to_vec();
    typed.extend(&data);
    chunk.extend(&typed);
    chunk.extend(crc32(&typed).to_be_bytes());
    chunk
}

/// CRC-32 (ISO-HDLC, as PNG uses), bit by bit: exports are small.
fn crc32(bytes: &[u8]) -> u32 {
    let mut c = 0xffff_ffffu32;
    for b in bytes {
        c ^= u32::from(*b);
        for _ in 0..8 {
            c = if c & 1 == 1 {
                0xedb8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
        }
    }
    !c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_export_carries_the_versions_and_the_scenario() {
        let s = Scenario::default();
        let p = Provenance::of(&s);
        assert_eq!(
            persist::decode(&p.scenario).unwrap(),
            s,
            "the scenario reproduces"
        );
        assert!(p.generator.starts_with("defines-playground "));
        let j = p.wrap_json("report", serde_json::json!({"energy_pj": 1.5}));
        assert_eq!(j["report"]["energy_pj"], 1.5);
        assert_eq!(j["scenario"], p.scenario.as_str());
        let csv = p.csv("a,b\n1,2\n");
        assert!(csv.starts_with("# defines-playground "));
        assert!(csv.ends_with("\na,b\n1,2\n"));
        let svg = p.svg("<?xml version=\"1.0\"?><svg width=\"1\"><rect/></svg>");
        assert!(svg.contains("<svg width=\"1\"><metadata><generator>defines-playground"));
        assert!(svg.ends_with("</metadata><rect/></svg>"));
    }

    #[test]
    fn png_text_chunks_are_well_formed() {
        assert_eq!(crc32(b"IEND"), 0xae42_6082, "the CRC of an IEND chunk");
        // A 1x1 PNG: signature, IHDR, IEND (IDAT left out: chunks only).
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        let ihdr: &[u8] = &[0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0];
        png.extend(13u32.to_be_bytes());
        let mut t = b"IHDR".to_vec();
        t.extend(ihdr);
        png.extend(&t);
        png.extend(crc32(&t).to_be_bytes());
        png.extend([0, 0, 0, 0]);
        png.extend(b"IEND");
        png.extend(crc32(b"IEND").to_be_bytes());
        let p = Provenance::of(&Scenario::default());
        let out = p.png(&png);
        // Walk the chunks: every CRC checks, the text is there.
        let mut at = 8;
        let mut texts = Vec::new();
        while at + 8 <= out.len() {
            let len = u32::from_be_bytes(out[at..at + 4].try_into().unwrap()) as usize;
            let typed = &out[at + 4..at + 8 + len];
            let crc = u32::from_be_bytes(out[at + 8 + len..at + 12 + len].try_into().unwrap());
            assert_eq!(crc, crc32(typed));
            if &typed[..4] == b"tEXt" {
                texts.push(String::from_utf8(typed[4..].to_vec()).unwrap());
            }
            at += 12 + len;
        }
        assert_eq!(at, out.len());
        assert!(texts[0].starts_with("Software\0defines-playground"));
        assert!(texts[1].contains(&p.scenario));
        assert_eq!(p.png(b"not a png"), b"not a png");
    }
}
