//! clap value parsers for numeric options: a number that would make no sense (NaN, infinity, a
//! negative weight) is refused while the command line is read, with a message saying what is
//! expected, instead of panicking later or turning every score into NaN.

fn number(s: &str) -> Result<f64, String> {
    let v: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("{s:?} is not a number"))?;
    if !v.is_finite() {
        return Err(format!("{s:?} is not a finite number"));
    }
    Ok(v)
}

/// Seconds between commits: a finite number above zero.
pub fn seconds(s: &str) -> Result<f64, String> {
    let v = number(s)?;
    if v <= 0.0 {
        return Err(format!("{s} is not a positive number of seconds (try 30)"));
    }
    Ok(v)
}

/// A weight: a finite number, zero or more (0 turns the feature off).
pub fn weight(s: &str) -> Result<f32, String> {
    let v = number(s)?;
    if v < 0.0 || v > f32::MAX as f64 {
        return Err(format!("{s} is not a weight of 0 or more (0 turns it off)"));
    }
    Ok(v as f32)
}

/// A number of days: a finite number above zero.
pub fn days(s: &str) -> Result<f32, String> {
    let v = number(s)?;
    if v <= 0.0 || v > f32::MAX as f64 {
        return Err(format!("{s} is not a positive number of days (try 365)"));
    }
    Ok(v as f32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nan_infinity_and_negatives_are_refused() {
        for bad in ["NaN", "nan", "inf", "-inf", "infinity", "x", ""] {
            assert!(seconds(bad).is_err(), "{bad}");
            assert!(weight(bad).is_err(), "{bad}");
            assert!(days(bad).is_err(), "{bad}");
        }
        assert!(seconds("0").is_err());
        assert!(seconds("-1").is_err());
        assert!(weight("-0.5").is_err());
        assert!(days("0").is_err());
        assert!(days("1e300").is_err());
        assert_eq!(seconds("0.5"), Ok(0.5));
        assert_eq!(weight("0"), Ok(0.0));
        assert_eq!(weight("1.5"), Ok(1.5));
        assert_eq!(days("365"), Ok(365.0));
    }
}
