//! Bytes to text: BOM first, then valid UTF-8, then a declared charset (HTTP header, `<meta
//! charset>`, XML declaration), then detection (chardetng) for undeclared legacy text.
//!
//! Detection is chardetng's guess, checked against Windows-1252 (what "Latin-1" text from Western
//! newsrooms almost always is) by how the two read: letters inside words, not symbols inside
//! words or lone letters next to digits. A few high bytes in English text are little evidence
//! for chardetng, and the reading decides: `£5` stays `£5` (not `Ł5`), `Wa\xb3\xeasa` in
//! Latin-2 is `Wałęsa` (not `Wa³êsa`).

use encoding_rs::{Encoding, ISO_8859_2, UTF_16BE, UTF_16LE, WINDOWS_1250, WINDOWS_1252};

/// Text decoded from a file, and the encoding that was used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    pub text: String,
    pub encoding: &'static str,
}

/// Decodes `bytes`, using `declared` (a charset label such as `iso-8859-1`) when the bytes are not
/// UTF-8 and carry no BOM.
pub fn decode(bytes: &[u8], declared: Option<&str>) -> Decoded {
    if let Some((enc, bom_len)) = Encoding::for_bom(bytes) {
        let (text, _) = enc.decode_without_bom_handling(&bytes[bom_len..]);
        return Decoded {
            text: text.into_owned(),
            encoding: enc.name(),
        };
    }
    if let Some(enc) = utf16_without_bom(bytes) {
        let (text, _) = enc.decode_without_bom_handling(bytes);
        return Decoded {
            text: text.into_owned(),
            encoding: enc.name(),
        };
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Decoded {
            text: text.to_owned(),
            encoding: "UTF-8",
        };
    }
    let declared = declared.and_then(|label| Encoding::for_label(label.trim().as_bytes()));
    if declared.is_none_or(|e| e == encoding_rs::UTF_8) && mostly_utf8(bytes) {
        // A UTF-8 file with a damaged stretch: keep the UTF-8 and mark only the damage (U+FFFD),
        // rather than turning every accented letter of the file into mojibake.
        return Decoded {
            text: String::from_utf8_lossy(bytes).into_owned(),
            encoding: "UTF-8",
        };
    }
    let enc = declared
        .filter(|e| *e != encoding_rs::UTF_8)
        .unwrap_or_else(|| detect(bytes));
    let (text, _) = enc.decode_without_bom_handling(bytes);
    Decoded {
        text: text.into_owned(),
        encoding: enc.name(),
    }
}

/// True when `bytes` are UTF-8 apart from a few invalid bytes: at least two valid multi-byte
/// characters for every invalid byte. Legacy 8-bit text almost never forms valid UTF-8 sequences.
fn mostly_utf8(bytes: &[u8]) -> bool {
    let (mut multibyte, mut invalid) = (0usize, 0usize);
    for chunk in bytes.utf8_chunks() {
        multibyte += chunk.valid().chars().filter(|c| !c.is_ascii()).count();
        invalid += chunk.invalid().len();
    }
    multibyte > 0 && multibyte >= invalid * 2
}

/// Guesses the legacy encoding of text that is not UTF-8 and declares nothing.
///
/// chardetng's guess, unless another likely code page reads better (see [`reading_score`]):
/// mostly-ASCII text with a few high bytes gives a detector little evidence, so it may take
/// the `£` of an English story for a Central European `Ł`, or a Polish name for Western text.
/// The candidates are the guess, Windows-1252, and the two Central European code pages (which
/// differ in a few letters); a tie keeps the guess.
fn detect(bytes: &[u8]) -> &'static Encoding {
    let sample = &bytes[..bytes.len().min(64 * 1024)];
    let mut d = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    d.feed(sample, true);
    let guess = d.guess(None, chardetng::Utf8Detection::Deny);
    // chardetng answers windows-1252 when unsure; UTF-8 cannot be right here.
    let guess = if guess == encoding_rs::UTF_8 {
        WINDOWS_1252
    } else {
        guess
    };
    let latin = [WINDOWS_1252, WINDOWS_1250, ISO_8859_2];
    if !latin.contains(&guess) {
        // Cyrillic, Greek, CJK...: chardetng has the evidence of a whole script.
        return guess;
    }
    let mut best = (
        reading_score(&guess.decode_without_bom_handling(sample).0),
        guess,
    );
    for enc in latin.into_iter().filter(|e| *e != guess) {
        let score = reading_score(&enc.decode_without_bom_handling(sample).0);
        if score > best.0 {
            best = (score, enc);
        }
    }
    best.1
}

/// How well a decoded text reads, judged by its non-ASCII characters: a letter inside a word
/// (`é` in `café`, `ł` in `Wałęsa`) counts for it; a lone letter (`Ł5`), a symbol inside a word
/// (`Wa³êsa`) and a control character or replacement mark count against it. Punctuation such as
/// curly quotes and dashes is neutral.
fn reading_score(text: &str) -> i64 {
    let chars: Vec<char> = text.chars().collect();
    let mut score = 0i64;
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii() {
            continue;
        }
        let before = i.checked_sub(1).and_then(|j| chars.get(j)).copied();
        let after = chars.get(i + 1).copied();
        let letter = |c: Option<char>| c.is_some_and(char::is_alphabetic);
        score += if c.is_control() || c == '\u{FFFD}' {
            -3
        } else if c.is_alphabetic() {
            if letter(before) || letter(after) {
                1
            } else {
                -1
            }
        } else if ('\u{2000}'..='\u{206F}').contains(&c) {
            0
        } else if letter(before) && letter(after) {
            -1
        } else {
            0
        };
    }
    score
}

/// The charset a document declares in its first 2 KB: `<meta charset="...">`,
/// `<meta http-equiv="Content-Type" content="...; charset=...">`, or
/// `<?xml ... encoding="..."?>`.
pub fn declared_charset(bytes: &[u8]) -> Option<String> {
    let head = &bytes[..bytes.len().min(2048)];
    let head = String::from_utf8_lossy(head).to_ascii_lowercase();
    if head.starts_with("<?xml")
        && let Some(decl_end) = head.find("?>")
        && let Some(v) = attr_value(&head[..decl_end], "encoding")
    {
        return Some(v);
    }
    let mut rest = head.as_str();
    while let Some(i) = rest.find("<meta") {
        rest = &rest[i + 5..];
        let tag = &rest[..rest.find('>').unwrap_or(rest.len())];
        if let Some(v) = attr_value(tag, "charset") {
            return Some(v);
        }
        if let Some(content) = attr_value(tag, "content")
            && let Some(pos) = content.find("charset=")
        {
            let v = content[pos + 8..]
                .trim_matches(|c: char| c == '"' || c == '\'' || c.is_whitespace());
            let v: String = v
                .chars()
                .take_while(|c| !matches!(c, ';' | ' ' | '"' | '\''))
                .collect();
            if !v.is_empty() {
                return Some(v);
            }
        }
    }
    None
}

/// Charset from an HTTP `Content-Type` header value (`text/html; charset=ISO-8859-1`).
pub fn charset_from_content_type(value: &str) -> Option<String> {
    let lower = value.to_ascii_lowercase();
    let pos = lower.find("charset=")?;
    let v: String = lower[pos + 8..]
        .trim_start_matches(['"', '\''])
        .chars()
        .take_while(|c| !matches!(c, ';' | ' ' | '"' | '\''))
        .collect();
    (!v.is_empty()).then_some(v)
}

/// `name="value"`, `name='value'` or `name=value` inside a tag.
fn attr_value(tag: &str, name: &str) -> Option<String> {
    let mut search = tag;
    while let Some(i) = search.find(name) {
        let before_ok = i == 0 || !search.as_bytes()[i - 1].is_ascii_alphanumeric();
        let after = search[i + name.len()..].trim_start();
        search = &search[i + name.len()..];
        if !before_ok {
            continue;
        }
        let Some(v) = after.strip_prefix('=') else {
            continue;
        };
        let v = v.trim_start();
        let value: String = match v.chars().next() {
            Some(q @ ('"' | '\'')) => v[1..].chars().take_while(|&c| c != q).collect(),
            _ => v
                .chars()
                .take_while(|c| !c.is_whitespace() && !matches!(c, '>' | '/' | '"' | '\'' | ';'))
                .collect(),
        };
        let value = value.trim().to_string();
        if !value.is_empty() {
            return Some(value);
        }
    }
    None
}

/// UTF-16 text without a BOM shows up as a NUL in every other byte of ASCII-heavy text.
fn utf16_without_bom(bytes: &[u8]) -> Option<&'static Encoding> {
    let sample = &bytes[..bytes.len().min(4096) & !1];
    if sample.len() < 8 {
        return None;
    }
    let pairs = sample.len() / 2;
    // NULs at even and odd offsets, in byte-sized sums over runs of 255 pairs (vectorised).
    let (mut even_nul, mut odd_nul) = (0usize, 0usize);
    for run in sample.chunks(510) {
        let (mut even, mut odd) = (0u8, 0u8);
        for pair in run.chunks_exact(2) {
            even += u8::from(pair[0] == 0);
            odd += u8::from(pair[1] == 0);
        }
        even_nul += usize::from(even);
        odd_nul += usize::from(odd);
    }
    if odd_nul * 10 >= pairs * 7 && even_nul * 10 < pairs {
        Some(UTF_16LE)
    } else if even_nul * 10 >= pairs * 7 && odd_nul * 10 < pairs {
        Some(UTF_16BE)
    } else {
        None
    }
}

/// True when the bytes look like a binary file rather than text (NUL bytes outside UTF-16).
pub fn looks_binary(bytes: &[u8]) -> bool {
    let sample = &bytes[..bytes.len().min(8192)];
    if Encoding::for_bom(sample).is_some() || utf16_without_bom(sample).is_some() {
        return false;
    }
    // Text holds next to no control characters: a stray NUL or escape from a damaged file is
    // scrubbed later, but more than a few (NULs above 0.5%, other C0 codes above 5%) is binary.
    let nuls = count_bytes(sample, |b| b == 0);
    let controls = count_bytes(sample, |b| {
        let allowed = (b == b'\t') | (b == b'\n') | (b == b'\r') | (b == 0x0c);
        ((b < 0x20) & !allowed) | (b == 0x7f)
    });
    nuls * 200 > sample.len() || controls * 20 > sample.len()
}

/// How many bytes of `bytes` `is` holds for. Summed in bytes over runs of 255, a loop the
/// compiler turns into vector instructions when `is` has no branches (`&`, `|` rather than `&&`,
/// `||`): the checks that read the start of every file, or every text, run at a fraction of an
/// instruction a byte instead of several.
pub(crate) fn count_bytes(bytes: &[u8], is: impl Fn(u8) -> bool) -> usize {
    bytes
        .chunks(255)
        .map(|run| usize::from(run.iter().fold(0u8, |n, &b| n + u8::from(is(b)))))
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every byte counted, however long the text (the sums are bytes: a run longer than 255
    /// would wrap).
    #[test]
    fn byte_counts_are_exact_past_a_run() {
        for len in [0, 1, 254, 255, 256, 511, 1000, 8192] {
            let zeros = vec![0u8; len];
            assert_eq!(count_bytes(&zeros, |b| b == 0), len);
            let mixed: Vec<u8> = (0..len).map(|i| (i % 7) as u8).collect();
            let want = mixed.iter().filter(|&&b| b < 3).count();
            assert_eq!(count_bytes(&mixed, |b| b < 3), want, "{len}");
        }
    }

    #[test]
    fn utf8_passes_through() {
        let d = decode("Peña Nieto £5".as_bytes(), None);
        assert_eq!(d.text, "Peña Nieto £5");
        assert_eq!(d.encoding, "UTF-8");
    }

    #[test]
    fn latin1_falls_back_to_windows_1252() {
        let d = decode(b"costs \xa35 at the caf\xe9", None);
        assert_eq!(d.text, "costs £5 at the café");
        assert_eq!(d.encoding, "windows-1252");
    }

    #[test]
    fn bom_wins() {
        let mut bytes = vec![0xEF, 0xBB, 0xBF];
        bytes.extend_from_slice("héllo".as_bytes());
        assert_eq!(decode(&bytes, Some("latin1")).text, "héllo");
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("Señor".encode_utf16().flat_map(|u| u.to_le_bytes()))
            .collect();
        assert_eq!(decode(&utf16, None).text, "Señor");
    }

    #[test]
    fn utf16_without_bom_is_detected() {
        let be: Vec<u8> = "Border troops arrive"
            .encode_utf16()
            .flat_map(|u| u.to_be_bytes())
            .collect();
        assert_eq!(decode(&be, None).text, "Border troops arrive");
        assert!(!looks_binary(&be));
    }

    #[test]
    fn utf8_with_a_damaged_byte_stays_utf8() {
        let d = decode(
            b"Pe\xc3\xb1a Nieto in Bogot\xc3\xa1 \xff and Mu\xc3\xb1oz",
            None,
        );
        assert_eq!(d.text, "Peña Nieto in Bogotá \u{FFFD} and Muñoz");
        assert_eq!(d.encoding, "UTF-8");
        // Legacy text with no valid multi-byte sequence is still read as Windows-1252.
        assert_eq!(decode(b"caf\xe9 \xa35", None).text, "café £5");
    }

    #[test]
    fn central_european_names_in_english_text() {
        let enc = |e: &'static Encoding, s: &str| e.encode(s).0.into_owned();
        // Under 1% of the bytes are not ASCII in the long one.
        let long = format!(
            "{} Lech Wałęsa and Antonín Dvořák were named.",
            "The union met the government again on Tuesday to talk about wages and hours. "
                .repeat(8)
        );
        for text in [
            "The former president Lech Wałęsa said on Tuesday that the union would meet again.",
            "The orchestra played Dvořák and Smetana at the festival on Saturday evening.",
            "Mr Wałęsa spoke.",
            &long,
        ] {
            for e in [ISO_8859_2, WINDOWS_1250] {
                assert_eq!(decode(&enc(e, text), None).text, text, "{}", e.name());
            }
            assert_eq!(decode(text.as_bytes(), None).text, text);
        }
        // Western text with a few high bytes stays Western.
        for text in [
            "Tickets cost £5 at the door.",
            "Señor Muñoz said the naïve plan would fail at the café.",
            "Prices rose 5° and the €10 note “won’t” change — he said.",
        ] {
            assert_eq!(decode(&enc(WINDOWS_1252, text), None).text, text);
        }
    }

    #[test]
    fn declared_charset_is_used_for_non_utf8() {
        // 0xE9 is 'é' in Latin-1 but 'щ' in KOI8-R... use ISO-8859-2 where 0xB9 is 'š'.
        let d = decode(b"Ko\xb9ice", Some("iso-8859-2"));
        assert_eq!(d.text, "Košice");
    }

    #[test]
    fn declared_charsets_are_found() {
        assert_eq!(
            declared_charset(b"<html><head><meta charset=\"ISO-8859-1\"><title>x</title>")
                .as_deref(),
            Some("iso-8859-1")
        );
        assert_eq!(
            declared_charset(
                b"<html><meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1251\">"
            )
            .as_deref(),
            Some("windows-1251")
        );
        assert_eq!(
            declared_charset(b"<?xml version=\"1.0\" encoding='ISO-8859-15'?><rss/>").as_deref(),
            Some("iso-8859-15")
        );
        assert_eq!(declared_charset(b"<html><body>none</body></html>"), None);
        assert_eq!(
            charset_from_content_type("text/html; charset=\"Shift_JIS\"").as_deref(),
            Some("shift_jis")
        );
    }

    #[test]
    fn undeclared_legacy_text_is_detected() {
        // Cyrillic in windows-1251 without any declaration.
        let (bytes, _, _) = encoding_rs::WINDOWS_1251
            .encode("Москва сообщила о новых мерах поддержки экономики и граждан");
        assert_eq!(
            decode(&bytes, None).text,
            "Москва сообщила о новых мерах поддержки экономики и граждан"
        );
    }

    #[test]
    fn binary_is_recognised() {
        assert!(looks_binary(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"));
        assert!(!looks_binary(b"plain text"));
    }
}
