//! Words as the indexer's analyzers see them: maximal runs of alphanumeric characters (what
//! tantivy's `SimpleTokenizer` splits a text into), found byte by byte where the text is ASCII.

/// Hands `f` the start and end (byte offsets) of each run of alphanumeric characters in `text`,
/// in order, and whether the run is all ASCII. Equal to splitting at every character that is not
/// [`char::is_alphanumeric`] and skipping the empty pieces, without decoding ASCII bytes.
#[inline]
pub fn each_run(text: &str, mut f: impl FnMut(usize, usize, bool)) {
    let bytes = text.as_bytes();
    // Whether the character at `i` is alphanumeric, and its length in bytes.
    let at = |i: usize| -> (bool, usize) {
        let b = bytes[i];
        if b < 0x80 {
            return (b.is_ascii_alphanumeric(), 1);
        }
        text[i..]
            .chars()
            .next()
            .map_or((false, 1), |c| (c.is_alphanumeric(), c.len_utf8()))
    };
    let mut i = 0;
    while i < bytes.len() {
        let (is_word, len) = at(i);
        if !is_word {
            i += len;
            continue;
        }
        let start = i;
        let mut ascii = true;
        while i < bytes.len() {
            let (is_word, len) = at(i);
            if !is_word {
                break;
            }
            ascii &= len == 1;
            i += len;
        }
        f(start, i, ascii);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn runs(text: &str) -> Vec<(&str, bool)> {
        let mut out = Vec::new();
        each_run(text, |a, b, ascii| out.push((&text[a..b], ascii)));
        out
    }

    #[test]
    fn runs_are_the_alphanumeric_pieces() {
        let text = "Oil PRICES rose 3.5% -- İstanbul ΟΔΟΣ, Straße; ǅemal's e\u{301}tude naïve \
                    東京 ٣٤ x²y ½ Ⅻ 1987\t\u{a0}end";
        let want: Vec<&str> = text
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect();
        let got = runs(text);
        assert_eq!(got.iter().map(|r| r.0).collect::<Vec<_>>(), want);
        assert_eq!(got[0], ("Oil", true));
        assert!(got.contains(&("Straße", false)));
        assert!(runs("").is_empty() && runs(" ... ").is_empty());
    }
}
