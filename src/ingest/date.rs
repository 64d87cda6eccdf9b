//! Lenient publication-date parsing for every form news archives use.
//!
//! Accepted: ISO 8601 / RFC 3339 (`2018-10-25`, `2018-10-25T14:03:00-05:00`, `2018-10-25 14:03:00`),
//! RFC 2822 (`Thu, 25 Oct 2018 14:03:00 -0400`), written forms (`October 25, 2018`, `Oct. 25, 2018`,
//! `25 Oct 2018`, with an optional time and zone), wire dates (`26-FEB-1987 15:01:01.79`), numeric
//! `2018/10/25` and US `10/25/2018`, and epoch seconds or milliseconds. A date without a zone is
//! taken as UTC. The calendar day *as written* is kept as the article's local day.
//!
//! `03/04/2018` could be 4 March or 3 April: such a date follows the [`DateOrder`] the file is
//! read with ([`with_date_order`]; `newsdex index --date-order mdy|dmy`), month first when none
//! was given, and those read month first by default are counted so the run can warn once.

use std::cell::Cell;
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
    /// Only a year (`2018`), or a year and month (`201810`, `October 2018`): no day to give
    /// the article. It is left undated rather than given a day it does not have.
    Imprecise { text: String, precision: Precision },
}

/// How much of a date a string gives when it gives no day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Precision {
    Year,
    Month,
}

/// Which number comes first in an all-numeric date whose first two numbers could each be the
/// month (`03/04/2018`). A date whose first number is above 12 (`25/10/2018`) is day-first and
/// one whose second is (`10/25/2018`) month-first, whatever the order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DateOrder {
    /// Month, day, year (US).
    #[default]
    Mdy,
    /// Day, month, year (most of the world).
    Dmy,
}

thread_local! {
    /// The order of the file being parsed on this thread; `None`: month first, counted.
    static ORDER: Cell<Option<DateOrder>> = const { Cell::new(None) };
    /// Ambiguous dates read month first because no order was given.
    static AMBIGUOUS: Cell<u64> = const { Cell::new(0) };
}

/// Runs `f` (the parsing of one file on this thread) with ambiguous numeric dates read in
/// `order` (month first when `None`). Returns `f`'s result and how many ambiguous dates were read
/// month first because no order was given. The thread's previous state is restored even if `f`
/// panics.
pub fn with_date_order<R>(order: Option<DateOrder>, f: impl FnOnce() -> R) -> (R, u64) {
    struct Restore(Option<DateOrder>, u64);
    impl Drop for Restore {
        fn drop(&mut self) {
            ORDER.set(self.0);
            AMBIGUOUS.set(self.1);
        }
    }
    let _restore = Restore(ORDER.replace(order), AMBIGUOUS.replace(0));
    let r = f();
    (r, AMBIGUOUS.get())
}

/// Year, month, day of `a/b/y`, following the thread's [`DateOrder`] when both could be a month.
fn numeric_order(a: i64, b: i64, y: i64) -> (i64, i64, i64) {
    if a > 12 {
        return (y, b, a);
    }
    if b > 12 || a == b {
        return (y, a, b);
    }
    match ORDER.get() {
        Some(DateOrder::Dmy) => (y, b, a),
        Some(DateOrder::Mdy) => (y, a, b),
        None => {
            AMBIGUOUS.set(AMBIGUOUS.get() + 1);
            (y, a, b)
        }
    }
}

impl fmt::Display for DateProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DateProblem::Unparseable(s) => write!(f, "unrecognised date {s:?}"),
            DateProblem::Implausible(s) => {
                write!(f, "implausible date {s:?} (before 1800 or in the future)")
            }
            DateProblem::Imprecise { text, precision } => {
                let what = match precision {
                    Precision::Year => "a year",
                    Precision::Month => "a month",
                };
                write!(
                    f,
                    "date {text:?} gives only {what}, no day: the article is left undated \
                     (a date in its URL or path is used if it has one); `--map date=FIELD` can \
                     name a fuller date field"
                )
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
    let pd = match parse_standard(s) {
        Some(pd) => pd,
        None => match parse_inner(s) {
            Parsed::Day(pd) => pd,
            Parsed::Partial { year, precision } => {
                return Err(
                    if (1800..=OffsetDateTime::now_utc().year() as i64).contains(&year) {
                        DateProblem::Imprecise {
                            text: truncate(s),
                            precision,
                        }
                    } else {
                        DateProblem::Implausible(truncate(s))
                    },
                );
            }
            Parsed::Nothing => return Err(unparseable()),
        },
    };
    if !plausible(pd.utc) {
        return Err(DateProblem::Implausible(truncate(s)));
    }
    Ok(pd)
}

/// RFC 3339 and RFC 2822 dates, read by `time`'s strict parsers (most feed and API dates are
/// one of the two). Anything else goes to the lenient reader.
fn parse_standard(s: &str) -> Option<PubDate> {
    use time::format_description::well_known::{Rfc2822, Rfc3339};
    let t = OffsetDateTime::parse(s, &Rfc3339)
        .or_else(|_| OffsetDateTime::parse(s, &Rfc2822))
        .ok()?;
    Some(PubDate {
        utc: t.to_offset(UtcOffset::UTC),
        local_day: t.date(),
    })
}

/// What the lenient reader made of a string.
#[derive(Debug, PartialEq)]
enum Parsed {
    Day(PubDate),
    /// A year, or a year and month, with no day.
    Partial {
        year: i64,
        precision: Precision,
    },
    Nothing,
}

impl From<Option<PubDate>> for Parsed {
    fn from(d: Option<PubDate>) -> Parsed {
        d.map_or(Parsed::Nothing, Parsed::Day)
    }
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

fn parse_inner(s: &str) -> Parsed {
    if let Some(extended) = expand_basic_iso(s) {
        return parse_inner(&extended);
    }
    // Epoch seconds or milliseconds, a compact yyyymmdd, or a bare year.
    if let Some(digits) = s.strip_prefix('-').or(Some(s))
        && !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
    {
        return parse_all_digits(s);
    }

    let toks = tokenize(s);
    let mut used = vec![false; toks.len()];
    let tod = time_of_day(&toks, &mut used);
    // Zone: only after the time (so date hyphens are never read as offsets).
    let offset_min = tod.as_ref().and_then(|t| zone(&toks, t.end, &mut used));
    let (year, month, day) = match calendar_date(&toks, &used) {
        Ok(ymd) => ymd,
        Err(partial) => return partial,
    };
    let build = || -> Option<PubDate> {
        let month = Month::try_from(u8::try_from(month).ok()?).ok()?;
        let mut date =
            Date::from_calendar_date(i32::try_from(year).ok()?, month, u8::try_from(day).ok()?)
                .ok()?;
        let (mut h, mut mi, mut se) = (0, 0, 0);
        if let Some(t) = &tod {
            (h, mi, se) = (t.hour, t.minute, t.second);
            if t.end_of_day {
                // `24:00` is the midnight that ends the day: 00:00 of the next one.
                date = date.next_day()?;
            }
        }
        let t = Time::from_hms(h, mi, se).ok()?;
        let offset = UtcOffset::from_whole_seconds(offset_min.unwrap_or(0) * 60).ok()?;
        let local = PrimitiveDateTime::new(date, t).assume_offset(offset);
        Some(PubDate {
            utc: local.to_offset(UtcOffset::UTC),
            local_day: date,
        })
    };
    build().into()
}

/// A time of day found among the tokens, and the index of the token after it.
struct TimeOfDay {
    hour: u8,
    minute: u8,
    second: u8,
    /// `24:00`: the end of the day written.
    end_of_day: bool,
    end: usize,
}

/// Time of day: `h:mm[:ss[.frac]] [am|pm]`. Marks its tokens used.
fn time_of_day(toks: &[Tok<'_>], used: &mut [bool]) -> Option<TimeOfDay> {
    for i in 0..toks.len() {
        let (Tok::Num { v: h, len: hl }, Some(Tok::Sep(':')), Some(Tok::Num { v: m, len: 2 })) =
            (toks[i], toks.get(i + 1), toks.get(i + 2).copied())
        else {
            continue;
        };
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
        if h == 24 && (m > 0 || sec > 0) {
            continue; // 24:00 is the only time in hour 24
        }
        let mut hour = h;
        if let Some((ampm_pm, after)) = am_pm(toks, end) {
            if ampm_pm && hour < 12 {
                hour += 12;
            } else if !ampm_pm && hour == 12 {
                hour = 0;
            }
            end = after;
        }
        for u in used.iter_mut().take(end).skip(i) {
            *u = true;
        }
        let end_of_day = hour == 24;
        return Some(TimeOfDay {
            hour: if end_of_day { 0 } else { hour.min(23) as u8 },
            minute: m as u8,
            second: sec as u8,
            end_of_day,
            end,
        });
    }
    None
}

/// `am`/`pm` (or `a.m.`, `p`) at `at` or after one space: (is it pm, index after it).
fn am_pm(toks: &[Tok<'_>], at: usize) -> Option<(bool, usize)> {
    let j = if matches!(toks.get(at), Some(Tok::Sep(' '))) {
        at + 1
    } else {
        at
    };
    let Some(Tok::Word(w)) = toks.get(j) else {
        return None;
    };
    let w = w.to_ascii_lowercase();
    match w.trim_end_matches('.') {
        "am" | "a" => Some((false, j + 1)),
        "pm" | "p" => Some((true, j + 1)),
        _ => None,
    }
}

/// The zone after the time (`+0400`, `-05:00`, `+3`, `EDT`), in minutes east of UTC.
fn zone(toks: &[Tok<'_>], start: usize, used: &mut [bool]) -> Option<i32> {
    for i in start..toks.len() {
        match toks[i] {
            Tok::Sep(sign @ ('+' | '-')) => {
                let sign = if sign == '-' { -1 } else { 1 };
                match (toks.get(i + 1), toks.get(i + 2), toks.get(i + 3)) {
                    (Some(Tok::Num { v, len: 4 }), _, _) => {
                        used[i] = true;
                        used[i + 1] = true;
                        return Some(sign * ((*v as i32 / 100) * 60 + *v as i32 % 100));
                    }
                    (
                        Some(Tok::Num { v: h, len: 1 | 2 }),
                        Some(Tok::Sep(':')),
                        Some(Tok::Num { v: m, len: 2 }),
                    ) => {
                        for u in used.iter_mut().skip(i).take(4) {
                            *u = true;
                        }
                        return Some(sign * (*h as i32 * 60 + *m as i32));
                    }
                    (Some(Tok::Num { v: h, len: 1 | 2 }), _, _) => {
                        used[i] = true;
                        used[i + 1] = true;
                        return Some(sign * (*h as i32 * 60));
                    }
                    _ => {}
                }
            }
            Tok::Word(w) => {
                if let Some(z) = zone_from_word(&w.to_ascii_lowercase()) {
                    used[i] = true;
                    return Some(z);
                }
            }
            _ => {}
        }
    }
    None
}

/// Year, month and day from the tokens the time and zone did not use; a year alone, or a
/// year and a month, is `Err(Parsed::Partial)`, never a day.
fn calendar_date(toks: &[Tok<'_>], used: &[bool]) -> Result<(i64, i64, i64), Parsed> {
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

    let Some(m) = month_word else {
        return match nums.as_slice() {
            [(y, 4), (m, 1 | 2), (d, 1 | 2), ..] => Ok((*y, *m, *d)),
            [(a, 1 | 2), (b, 1 | 2), (y, 4), ..] => Ok(numeric_order(*a, *b, *y)),
            [(v, 8), ..] => Ok((v / 10000, v / 100 % 100, v % 100)),
            // `2018-10`, `10/2018`: a month.
            [(y, 4), (m, 1 | 2)] | [(m, 1 | 2), (y, 4)] if (1..=12).contains(m) => {
                Err(Parsed::Partial {
                    year: *y,
                    precision: Precision::Month,
                })
            }
            // `Spring 2018`, `(2018)`: a year.
            [(y, 4)] => Err(Parsed::Partial {
                year: *y,
                precision: Precision::Year,
            }),
            _ => Err(Parsed::Nothing),
        };
    };
    // Written forms: `October 25, 2018`, `25 Oct 2018`, `26-FEB-1987`.
    let year_idx = nums
        .iter()
        .position(|&(v, len)| len == 4 && v >= 1000)
        .ok_or(Parsed::Nothing)?;
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
        .map(|(_, &(v, _))| v);
    match day {
        Some(d) => Ok((y, m as i64, d)),
        // `October 2018`: a month.
        None if nums.len() == 1 => Err(Parsed::Partial {
            year: y,
            precision: Precision::Month,
        }),
        None => Err(Parsed::Nothing),
    }
}

/// A string of digits: `yyyymmdd` (8), a bare year (4) or year and month (6), epoch seconds
/// (9 or 10 digits: 1973 to 2286) or milliseconds (12 or 13). Other lengths are no date: a
/// 3-digit or 7-digit number read as seconds would put the article in January 1970.
fn parse_all_digits(s: &str) -> Parsed {
    if s.starts_with('-') {
        // Negative epochs are artefacts of broken exports, never real publication dates.
        return Parsed::Nothing;
    }
    let Ok(v) = s.get(..s.len().min(15)).unwrap_or(s).parse::<i64>() else {
        return Parsed::Nothing;
    };
    match s.len() {
        4 => Parsed::Partial {
            year: v,
            precision: Precision::Year,
        },
        6 if (1..=12).contains(&(v % 100)) => Parsed::Partial {
            year: v / 100,
            precision: Precision::Month,
        },
        8 => {
            let date = Month::try_from((v / 100 % 100) as u8).ok().and_then(|m| {
                Date::from_calendar_date((v / 10000) as i32, m, (v % 100) as u8).ok()
            });
            date.map(|date| PubDate {
                utc: date.midnight().assume_utc(),
                local_day: date,
            })
            .into()
        }
        9 | 10 | 12 | 13 => {
            // 12+ digits are milliseconds; fewer are seconds.
            let secs = if s.len() >= 12 { v / 1000 } else { v };
            OffsetDateTime::from_unix_timestamp(secs)
                .ok()
                .map(|utc| PubDate {
                    utc,
                    local_day: utc.date(),
                })
                .into()
        }
        _ => Parsed::Nothing,
    }
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
    fn ambiguous_numeric_dates_follow_the_order_and_are_counted_without_one() {
        let (d, n) = with_date_order(None, || {
            [day("03/04/2018"), day("25/10/2018"), day("04/04/2018")]
        });
        assert_eq!(d, ["2018-03-04", "2018-10-25", "2018-04-04"]);
        assert_eq!(n, 1, "only 03/04 could be either");
        let (d, n) = with_date_order(Some(DateOrder::Dmy), || {
            [day("03/04/2018"), day("10/25/2018")]
        });
        assert_eq!(d, ["2018-04-03", "2018-10-25"]);
        assert_eq!(n, 0);
        let (d, n) = with_date_order(Some(DateOrder::Mdy), || day("03/04/2018"));
        assert_eq!((d.as_str(), n), ("2018-03-04", 0));
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
    fn a_bare_year_or_month_is_never_a_day_in_1970() {
        let imprecise = |s: &str| match parse_date(s) {
            Err(DateProblem::Imprecise { precision, .. }) => Some(precision),
            other => panic!("{s:?}: {other:?}"),
        };
        assert_eq!(imprecise("2018"), Some(Precision::Year));
        assert_eq!(imprecise(" 1987 "), Some(Precision::Year));
        assert_eq!(imprecise("Spring 2018"), Some(Precision::Year));
        assert_eq!(imprecise("201810"), Some(Precision::Month));
        assert_eq!(imprecise("2018-10"), Some(Precision::Month));
        assert_eq!(imprecise("10/2018"), Some(Precision::Month));
        assert_eq!(imprecise("October 2018"), Some(Precision::Month));
        let msg = parse_date("2018").unwrap_err().to_string();
        assert!(
            msg.contains("only a year") && msg.contains("undated"),
            "{msg}"
        );
        // Short digit strings are not epoch seconds.
        for s in [
            "7",
            "42",
            "123",
            "12345",
            "1234567",
            "12345678901",
            "201813",
        ] {
            assert!(
                matches!(parse_date(s), Err(DateProblem::Unparseable(_))),
                "{s}: {:?}",
                parse_date(s)
            );
        }
        assert!(matches!(
            parse_date("1700"),
            Err(DateProblem::Implausible(_))
        ));
        assert!(matches!(
            parse_date("9999"),
            Err(DateProblem::Implausible(_))
        ));
    }

    #[test]
    fn twenty_four_hundred_is_the_next_midnight() {
        assert_eq!(utc("2018-10-25 24:00"), "2018-10-26T00:00:00Z");
        assert_eq!(utc("2018-10-25T24:00:00Z"), "2018-10-26T00:00:00Z");
        assert_eq!(day("Oct 31, 2018 24:00"), "2018-11-01");
        assert_eq!(utc("2018-12-31 24:00 -0500"), "2019-01-01T05:00:00Z");
        // 24:30 is no time: the date stays, the bogus time is not read as 23:30 or 00:30.
        assert_eq!(utc("2018-10-25 24:30"), "2018-10-25T00:00:00Z");
    }

    #[test]
    fn standard_forms_go_through_the_strict_parsers() {
        assert!(parse_standard("2018-10-25T14:03:00-04:00").is_some());
        assert!(parse_standard("Thu, 25 Oct 2018 14:03:00 -0400").is_some());
        assert_eq!(
            parse_standard("2018-10-25T22:00:00-04:00")
                .unwrap()
                .local_day
                .to_string(),
            "2018-10-25"
        );
        assert!(parse_standard("2018").is_none());
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
