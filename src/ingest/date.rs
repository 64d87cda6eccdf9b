//! Lenient publication-date parsing for every form news archives use.
//!
//! Accepted: ISO 8601 / RFC 3339 (`2018-10-25`, `2018-10-25T14:03:00-05:00`, `2018-10-25 14:03:00`),
//! RFC 2822 (`Thu, 25 Oct 2018 14:03:00 -0400`), written forms (`October 25, 2018`, `Oct. 25, 2018`,
//! `25 Oct 2018`, with an optional time and zone), wire dates (`26-FEB-1987 15:01:01.79`), numeric
//! `2018/10/25` and US `10/25/2018`, and epoch seconds or milliseconds. A date without a zone is
//! taken as UTC. The calendar day *as written* is kept as the article's local day.

use std::fmt;

use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

use crate::ingest::article::PubDate;

/// Why a date string was not used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DateProblem {
    /// Nothing in the text looks like a date.
    Unparseable(String),
    /// It parsed, but lies before 1800 or in the future.
    Implausible(String),
}

impl fmt::Display for DateProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DateProblem::Unparseable(s) => write!(f, "unrecognised date {s:?}"),
            DateProblem::Implausible(s) => {
                write!(f, "implausible date {s:?} (before 1800 or in the future)")
            }
        }
    }
}

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

fn month_from_word(w: &str) -> Option<u8> {
    if w.len() < 3 {
        return None;
    }
    let w = if w == "sept" { "sep" } else { w };
    MONTHS
        .iter()
        .position(|m| m.starts_with(w))
        .map(|i| i as u8 + 1)
}

/// Offset in minutes east of UTC for the zone names newsrooms write.
fn zone_from_word(w: &str) -> Option<i32> {
    Some(match w {
        "z" | "utc" | "gmt" | "ut" => 0,
        "est" => -300,
        "edt" => -240,
        "et" => -300,
        "cst" => -360,
        "cdt" => -300,
        "ct" => -360,
        "mst" => -420,
        "mdt" => -360,
        "mt" => -420,
        "pst" => -480,
        "pdt" => -420,
        "pt" => -480,
        "bst" => 60,
        "cet" => 60,
        "cest" => 120,
        "ist" => 330,
        "jst" => 540,
        _ => return None,
    })
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Tok<'a> {
    Num { v: i64, len: usize },
    Word(&'a str),
    Sep(char),
}

fn tokenize(s: &str) -> Vec<Tok<'_>> {
    let mut out = Vec::new();
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < s.len() {
        let c = s[i..].chars().next().expect("in bounds");
        if c.is_ascii_digit() {
            let start = i;
            while i < s.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            let digits = &s[start..i];
            // Clamp absurdly long digit runs rather than overflow.
            let v = digits
                .get(..digits.len().min(15))
                .and_then(|d| d.parse().ok())
                .unwrap_or(i64::MAX);
            out.push(Tok::Num {
                v,
                len: digits.len(),
            });
        } else if c.is_alphabetic() {
            let start = i;
            while i < s.len() {
                let ch = s[i..].chars().next().expect("in bounds");
                if !ch.is_alphabetic() {
                    break;
                }
                i += ch.len_utf8();
            }
            out.push(Tok::Word(&s[start..i]));
        } else {
            if !c.is_whitespace() {
                out.push(Tok::Sep(c));
            } else if !matches!(out.last(), Some(Tok::Sep(' '))) {
                out.push(Tok::Sep(' '));
            }
            i += c.len_utf8();
        }
    }
    out
}

/// Parses a date string. See the module documentation for the accepted forms.
pub fn parse_date(input: &str) -> Result<PubDate, DateProblem> {
    let s = input.trim();
    let unparseable = || DateProblem::Unparseable(truncate(s));
    if s.is_empty() {
        return Err(unparseable());
    }
    let pd = parse_inner(s).ok_or_else(unparseable)?;
    if !plausible(pd.utc) {
        return Err(DateProblem::Implausible(truncate(s)));
    }
    Ok(pd)
}

fn truncate(s: &str) -> String {
    s.chars().take(60).collect()
}

/// True for instants from 1800 up to a day from now.
pub fn plausible(t: OffsetDateTime) -> bool {
    t.year() >= 1800 && t <= OffsetDateTime::now_utc() + time::Duration::days(1)
}

/// ISO 8601 basic form (`20181025T140300-0400`, NITF's `norm`) rewritten in extended form.
fn expand_basic_iso(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|x| x.iter().all(u8::is_ascii_digit));
    if !(digits(0..8) && matches!(b.get(8), Some(b'T' | b't')) && digits(9..13)) {
        return None;
    }
    let (time_end, secs) = if digits(13..15) {
        (15, &s[13..15])
    } else {
        (13, "00")
    };
    let mut zone = s[time_end..].to_string();
    // -0400 → -04:00
    if zone.len() == 5
        && zone.starts_with(['+', '-'])
        && zone[1..].bytes().all(|c| c.is_ascii_digit())
    {
        zone.insert(3, ':');
    }
    Some(format!(
        "{}-{}-{}T{}:{}:{}{}",
        &s[0..4],
        &s[4..6],
        &s[6..8],
        &s[9..11],
        &s[11..13],
        secs,
        zone
    ))
}

fn parse_inner(s: &str) -> Option<PubDate> {
    if let Some(extended) = expand_basic_iso(s) {
        return parse_inner(&extended);
    }
    // Epoch seconds or milliseconds, or a compact yyyymmdd.
    if let Some(digits) = s.strip_prefix('-').or(Some(s))
        && !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
    {
        return parse_all_digits(s);
    }

    let toks = tokenize(s);
    let mut used = vec![false; toks.len()];

    // Time of day: h:mm[:ss[.frac]] [am|pm]
    let mut tod: Option<(u8, u8, u8)> = None;
    let mut time_end = None;
    for i in 0..toks.len() {
        if let (Tok::Num { v: h, len: hl }, Some(Tok::Sep(':')), Some(Tok::Num { v: m, len: 2 })) =
            (toks[i], toks.get(i + 1), toks.get(i + 2).copied())
        {
            if hl > 2 || h > 24 || m > 59 {
                continue;
            }
            let mut end = i + 3;
            let mut sec = 0;
            if let (Some(Tok::Sep(':')), Some(Tok::Num { v, len: 2 })) =
                (toks.get(end), toks.get(end + 1))
            {
                sec = (*v).min(59);
                end += 2;
                if let (Some(Tok::Sep('.' | ',')), Some(Tok::Num { .. })) =
                    (toks.get(end), toks.get(end + 1))
                {
                    end += 2;
                }
            }
            let mut hour = h;
            let mut j = end;
            if matches!(toks.get(j), Some(Tok::Sep(' '))) {
                j += 1;
            }
            if let Some(Tok::Word(w)) = toks.get(j) {
                let w = w.to_ascii_lowercase();
                let ampm = w.trim_end_matches('.');
                if ampm == "am" || ampm == "a" || ampm == "pm" || ampm == "p" {
                    if ampm.starts_with('p') && hour < 12 {
                        hour += 12;
                    } else if ampm.starts_with('a') && hour == 12 {
                        hour = 0;
                    }
                    end = j + 1;
                }
            }
            for u in used.iter_mut().take(end).skip(i) {
                *u = true;
            }
            tod = Some((hour.min(23) as u8, m as u8, sec as u8));
            time_end = Some(end);
            break;
        }
    }

    // Zone: only after the time (so date hyphens are never read as offsets).
    let mut offset_min: Option<i32> = None;
    if let Some(start) = time_end {
        let mut i = start;
        while i < toks.len() && offset_min.is_none() {
            match toks[i] {
                Tok::Sep(sign @ ('+' | '-')) => {
                    let sign = if sign == '-' { -1 } else { 1 };
                    match (toks.get(i + 1), toks.get(i + 2), toks.get(i + 3)) {
                        (Some(Tok::Num { v, len: 4 }), _, _) => {
                            offset_min = Some(sign * ((*v as i32 / 100) * 60 + *v as i32 % 100));
                            used[i] = true;
                            used[i + 1] = true;
                        }
                        (
                            Some(Tok::Num { v: h, len: 1 | 2 }),
                            Some(Tok::Sep(':')),
                            Some(Tok::Num { v: m, len: 2 }),
                        ) => {
                            offset_min = Some(sign * (*h as i32 * 60 + *m as i32));
                            for u in used.iter_mut().skip(i).take(4) {
                                *u = true;
                            }
                        }
                        (Some(Tok::Num { v: h, len: 1 | 2 }), _, _) => {
                            offset_min = Some(sign * (*h as i32 * 60));
                            used[i] = true;
                            used[i + 1] = true;
                        }
                        _ => {}
                    }
                }
                Tok::Word(w) => {
                    if let Some(z) = zone_from_word(&w.to_ascii_lowercase()) {
                        offset_min = Some(z);
                        used[i] = true;
                    }
                }
                _ => {}
            }
            i += 1;
        }
    }

    // The date itself, from the tokens not used by time or zone.
    let mut nums: Vec<(i64, usize)> = Vec::new();
    let mut month_word: Option<u8> = None;
    let mut month_word_pos = None;
    for (i, t) in toks.iter().enumerate() {
        if used[i] {
            continue;
        }
        match *t {
            Tok::Num { v, len } => nums.push((v, len)),
            Tok::Word(w) => {
                let lw = w.to_ascii_lowercase();
                // "T" between date and time, weekday names and stray words are ignored.
                if month_word.is_none()
                    && let Some(m) = month_from_word(&lw)
                {
                    month_word = Some(m);
                    month_word_pos = Some(nums.len());
                }
            }
            Tok::Sep(_) => {}
        }
        if nums.len() >= 3 && month_word.is_none() {
            break;
        }
    }

    let (year, month, day) = if let Some(m) = month_word {
        // Written forms: `October 25, 2018`, `25 Oct 2018`, `26-FEB-1987`.
        let year_idx = nums.iter().position(|&(v, len)| len == 4 && v >= 1000)?;
        let (y, _) = nums[year_idx];
        let before = month_word_pos.unwrap_or(0);
        // Prefer the number right after the month name (US order), else the one before it.
        let day = nums
            .iter()
            .enumerate()
            .filter(|&(i, &(v, len))| i != year_idx && len <= 2 && (1..=31).contains(&v))
            .min_by_key(|&(i, _)| {
                if i >= before {
                    i - before
                } else {
                    100 + before - i
                }
            })
            .map(|(_, &(v, _))| v)?;
        (y, m as i64, day)
    } else {
        match nums.as_slice() {
            [(y, 4), (m, 1 | 2), (d, 1 | 2), ..] => (*y, *m, *d),
            [(a, 1 | 2), (b, 1 | 2), (y, 4), ..] => {
                // Day-first only when the first number cannot be a month.
                if *a > 12 { (*y, *b, *a) } else { (*y, *a, *b) }
            }
            [(v, 8), ..] => (v / 10000, v / 100 % 100, v % 100),
            _ => return None,
        }
    };

    let month = Month::try_from(u8::try_from(month).ok()?).ok()?;
    let date =
        Date::from_calendar_date(i32::try_from(year).ok()?, month, u8::try_from(day).ok()?).ok()?;
    let (h, mi, se) = tod.unwrap_or((0, 0, 0));
    let t = Time::from_hms(h, mi, se).ok()?;
    let offset = UtcOffset::from_whole_seconds(offset_min.unwrap_or(0) * 60).ok()?;
    let local = PrimitiveDateTime::new(date, t).assume_offset(offset);
    Some(PubDate {
        utc: local.to_offset(UtcOffset::UTC),
        local_day: date,
    })
}

fn parse_all_digits(s: &str) -> Option<PubDate> {
    if s.starts_with('-') {
        // Negative epochs are artefacts of broken exports, never real publication dates.
        return None;
    }
    let digits = s;
    if digits.len() == 8 {
        let v: i64 = digits.parse().ok()?;
        let date = Date::from_calendar_date(
            (v / 10000) as i32,
            Month::try_from((v / 100 % 100) as u8).ok()?,
            (v % 100) as u8,
        )
        .ok()?;
        return Some(PubDate {
            utc: date.midnight().assume_utc(),
            local_day: date,
        });
    }
    if digits.len() > 15 {
        return None;
    }
    let v: i64 = s.parse().ok()?;
    // 12+ digits are milliseconds (1973 onwards); fewer are seconds.
    let secs = if digits.len() >= 12 { v / 1000 } else { v };
    let utc = OffsetDateTime::from_unix_timestamp(secs).ok()?;
    Some(PubDate {
        utc,
        local_day: utc.date(),
    })
}

/// Finds a `/YYYY/MM/DD/` segment (or a `YYYY-MM-DD` file-name prefix) in a path or URL.
pub fn date_in_path(path: &str) -> Option<PubDate> {
    let parts: Vec<&str> = path.split(['/', '\\']).filter(|p| !p.is_empty()).collect();
    let num = |p: &str, len: usize| -> Option<u32> {
        (p.len() == len && p.bytes().all(|b| b.is_ascii_digit()))
            .then(|| p.parse().ok())
            .flatten()
    };
    let make = |y: u32, m: u32, d: u32| -> Option<PubDate> {
        let date =
            Date::from_calendar_date(y as i32, Month::try_from(m as u8).ok()?, d as u8).ok()?;
        let utc = date.midnight().assume_utc();
        plausible(utc).then_some(PubDate {
            utc,
            local_day: date,
        })
    };
    for w in parts.windows(3) {
        if let (Some(y), Some(m), Some(d)) = (
            num(w[0], 4),
            num(w[1], 2).or(num(w[1], 1)),
            num(w[2], 2).or(num(w[2], 1)),
        ) && let Some(pd) = make(y, m, d)
        {
            return Some(pd);
        }
    }
    // `2018-10-25-slug.txt` or `2018-10-25.html`
    let last = parts.last()?;
    let b = last.as_bytes();
    if b.len() >= 10
        && b[4] == b'-'
        && b[7] == b'-'
        && let (Some(y), Some(m), Some(d)) = (
            // `get`, not indexing: byte 10 may fall inside a character of a non-date name.
            last.get(0..4).and_then(|x| num(x, 4)),
            last.get(5..7).and_then(|x| num(x, 2)),
            last.get(8..10).and_then(|x| num(x, 2)),
        )
    {
        return make(y, m, d);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_that_almost_starts_with_a_date_never_panics() {
        // Found by fuzzing: byte 10 inside a multi-byte character.
        for name in [
            "2020-01-\u{feff}headline",
            "2020-01-2ððð5",
            "4038-01-\u{feff}x",
        ] {
            let _ = date_in_path(name);
        }
    }

    fn utc(s: &str) -> String {
        parse_date(s)
            .map(|p| p.to_rfc3339())
            .unwrap_or_else(|e| format!("ERR {e}"))
    }

    fn day(s: &str) -> String {
        parse_date(s).unwrap().local_day.to_string()
    }

    #[test]
    fn iso_and_rfc3339() {
        assert_eq!(utc("2018-10-25"), "2018-10-25T00:00:00Z");
        assert_eq!(utc("2018-10-25T14:03:00Z"), "2018-10-25T14:03:00Z");
        assert_eq!(utc("2018-10-26T09:30:00-05:00"), "2018-10-26T14:30:00Z");
        assert_eq!(utc("2018-10-25 14:03:00"), "2018-10-25T14:03:00Z");
        assert_eq!(utc("2018-10-25T14:03:00.123+0000"), "2018-10-25T14:03:00Z");
    }

    #[test]
    fn local_day_is_the_day_as_written() {
        // 22:00 in New York is the next day in UTC, but the article's day is the 25th.
        let p = parse_date("2018-10-25T22:00:00-04:00").unwrap();
        assert_eq!(p.to_rfc3339(), "2018-10-26T02:00:00Z");
        assert_eq!(p.local_day.to_string(), "2018-10-25");
    }

    #[test]
    fn rfc2822() {
        assert_eq!(
            utc("Thu, 25 Oct 2018 14:03:00 -0400"),
            "2018-10-25T18:03:00Z"
        );
        assert_eq!(utc("Thu, 25 Oct 2018 14:03:00 GMT"), "2018-10-25T14:03:00Z");
        assert_eq!(utc("25 Oct 2018 14:03 EDT"), "2018-10-25T18:03:00Z");
    }

    #[test]
    fn written_forms() {
        assert_eq!(day("October 25, 2018"), "2018-10-25");
        assert_eq!(day("Oct. 25, 2018"), "2018-10-25");
        assert_eq!(day("25 Oct 2018"), "2018-10-25");
        assert_eq!(day("Thursday, October 25, 2018"), "2018-10-25");
        assert_eq!(day("Sept. 3, 2019"), "2019-09-03");
        assert_eq!(utc("October 25, 2018 2:15 PM ET"), "2018-10-25T19:15:00Z");
    }

    #[test]
    fn wire_dates_with_garbage() {
        assert_eq!(utc("26-FEB-1987 15:01:01.79"), "1987-02-26T15:01:01Z");
        assert_eq!(utc(" 3-MAR-1987  09:14:22.33"), "1987-03-03T09:14:22Z");
        assert_eq!(utc("27-MAR-1987 00:02:59.13RM"), "1987-03-27T00:02:59Z");
    }

    #[test]
    fn numeric_forms() {
        assert_eq!(day("2018/10/25"), "2018-10-25");
        assert_eq!(day("10/25/2018"), "2018-10-25");
        assert_eq!(day("25/10/2018"), "2018-10-25");
        assert_eq!(day("20181025"), "2018-10-25");
    }

    #[test]
    fn iso_basic_form() {
        assert_eq!(utc("20181025T140300-0400"), "2018-10-25T18:03:00Z");
        assert_eq!(utc("20190612T0900Z"), "2019-06-12T09:00:00Z");
    }

    #[test]
    fn epochs() {
        assert_eq!(utc("1540476180"), "2018-10-25T14:03:00Z");
        assert_eq!(utc("1540476180000"), "2018-10-25T14:03:00Z");
    }

    #[test]
    fn rejects_nonsense_and_implausible() {
        assert!(matches!(
            parse_date("soon"),
            Err(DateProblem::Unparseable(_))
        ));
        assert!(matches!(parse_date(""), Err(DateProblem::Unparseable(_))));
        assert!(matches!(
            parse_date("2018-13-45"),
            Err(DateProblem::Unparseable(_))
        ));
        assert!(parse_date("0000-01-01").is_err());
        assert!(matches!(
            parse_date("1700-01-01"),
            Err(DateProblem::Implausible(_))
        ));
        assert!(matches!(
            parse_date("9999-01-01"),
            Err(DateProblem::Implausible(_))
        ));
        assert!(parse_date("-86400").is_err());
        assert!(parse_date("99999999999999999999999").is_err());
    }

    #[test]
    fn dates_in_paths_and_urls() {
        let d = |p: &str| date_in_path(p).map(|d| d.local_day.to_string());
        assert_eq!(
            d("wire/2018/10/25/story.txt").as_deref(),
            Some("2018-10-25")
        );
        assert_eq!(
            d("https://x.example/2018/10/25/troops-border").as_deref(),
            Some("2018-10-25")
        );
        assert_eq!(
            d("notes/2018-10-25-troops.md").as_deref(),
            Some("2018-10-25")
        );
        assert_eq!(d("outlet/2018/10/story.txt"), None);
        assert_eq!(d("bbc/sport/199.txt"), None);
    }
}
