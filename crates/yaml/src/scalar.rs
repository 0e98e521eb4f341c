//! Resolution of plain (unquoted, untagged) scalars as js-yaml 4's default schema does it
//! (checked against js-yaml 4.1: no `_` digit separators, `0755` is decimal 755):
//! YAML 1.2 core null/bool/int/float plus timestamps (which `JSON.stringify` turns into ISO
//! strings). `yes`/`on`/`no`/`off` stay strings.

/// What a plain scalar stands for.
#[derive(Debug, Clone, PartialEq)]
pub enum Resolved {
    Null,
    Bool(bool),
    Number(f64),
    /// A date or date-time, as `Date.prototype.toISOString` prints it.
    Timestamp(String),
    String,
}

pub fn resolve_plain_scalar(text: &str) -> Resolved {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Resolved::Null,
        "true" | "True" | "TRUE" => return Resolved::Bool(true),
        "false" | "False" | "FALSE" => return Resolved::Bool(false),
        _ => {}
    }
    if let Some(n) = resolve_int(text) {
        return Resolved::Number(n);
    }
    if let Some(n) = resolve_float(text) {
        return Resolved::Number(n);
    }
    if let Some(iso) = resolve_timestamp(text) {
        return Resolved::Timestamp(iso);
    }
    Resolved::String
}

fn resolve_int(text: &str) -> Option<f64> {
    let (negative, body) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    if body.is_empty() {
        return None;
    }
    let (radix, digits) = if let Some(rest) = body.strip_prefix("0b") {
        (2, rest)
    } else if let Some(rest) = body.strip_prefix("0x") {
        (16, rest)
    } else if let Some(rest) = body.strip_prefix("0o") {
        (8, rest)
    } else {
        (10, body)
    };
    if digits.is_empty() {
        return None;
    }
    let mut value = 0f64;
    for c in digits.chars() {
        let d = c.to_digit(radix)?;
        value = value * f64::from(radix) + f64::from(d);
    }
    Some(if negative { -value } else { value })
}

fn resolve_float(text: &str) -> Option<f64> {
    match text {
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => return Some(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => return Some(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Some(f64::NAN),
        _ => {}
    }
    let bytes = text.as_bytes();
    let mut i = 0;
    let signed = matches!(bytes.first(), Some(b'-' | b'+'));
    if signed {
        i += 1;
    }
    let int_start = i;
    if bytes.get(i).is_some_and(u8::is_ascii_digit) {
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        if i < bytes.len() && bytes[i] == b'.' {
            i += 1;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
        }
    } else if bytes.get(i) == Some(&b'.') && !signed {
        i += 1;
        let frac_start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        if i == frac_start {
            return None;
        }
    } else {
        return None;
    }
    if i == int_start {
        return None;
    }
    if i < bytes.len() && (bytes[i] == b'e' || bytes[i] == b'E') {
        i += 1;
        if i < bytes.len() && (bytes[i] == b'-' || bytes[i] == b'+') {
            i += 1;
        }
        let exp_start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        if i == exp_start {
            return None;
        }
    }
    if i != bytes.len() {
        return None;
    }
    text.parse::<f64>().ok()
}

/// `YYYY-MM-DD`, or a date-time with optional fraction and zone, as an ISO-8601 UTC string.
fn resolve_timestamp(text: &str) -> Option<String> {
    let b = text.as_bytes();
    let digits = |s: &[u8]| s.iter().all(u8::is_ascii_digit);
    if b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && digits(&b[..4])
        && digits(&b[5..7])
        && digits(&b[8..])
    {
        let (y, m, d) = (num(&text[..4]), num(&text[5..7]), num(&text[8..]));
        return iso(y, m, d, 0, 0, 0, 0, 0);
    }
    // Full form: YYYY-M(M)-D(D)(T|t|spaces)H(H):MM:SS(.frac)?(spaces)?(Z|±H(H)(:?MM)?)?
    let mut p = Cursor { b, i: 0 };
    let year = p.digits(4, 4)?;
    p.expect(b'-')?;
    let month = p.digits(1, 2)?;
    p.expect(b'-')?;
    let day = p.digits(1, 2)?;
    if p.peek() == Some(b'T') || p.peek() == Some(b't') {
        p.i += 1;
    } else {
        let start = p.i;
        while matches!(p.peek(), Some(b' ' | b'\t')) {
            p.i += 1;
        }
        if p.i == start {
            return None;
        }
    }
    let hour = p.digits(1, 2)?;
    p.expect(b':')?;
    let minute = p.digits(2, 2)?;
    p.expect(b':')?;
    let second = p.digits(2, 2)?;
    let mut millis = 0;
    if p.peek() == Some(b'.') {
        p.i += 1;
        let start = p.i;
        while p.peek().is_some_and(|c| c.is_ascii_digit()) {
            p.i += 1;
        }
        let frac = &text[start..p.i];
        let mut padded: String = frac.chars().take(3).collect();
        while padded.len() < 3 {
            padded.push('0');
        }
        millis = num(&padded);
    }
    while matches!(p.peek(), Some(b' ' | b'\t')) {
        p.i += 1;
    }
    let mut offset_minutes = 0i64;
    match p.peek() {
        None => {}
        Some(b'Z') => p.i += 1,
        Some(sign @ (b'+' | b'-')) => {
            p.i += 1;
            let h = p.digits(1, 2)?;
            let mut m = 0;
            if p.peek() == Some(b':') {
                p.i += 1;
                m = p.digits(2, 2)?;
            } else if p.peek().is_some_and(|c| c.is_ascii_digit()) {
                m = p.digits(2, 2)?;
            }
            offset_minutes = h * 60 + m;
            if sign == b'-' {
                offset_minutes = -offset_minutes;
            }
        }
        Some(_) => return None,
    }
    if p.i != b.len() {
        return None;
    }
    iso(
        year,
        month,
        day,
        hour,
        minute,
        second,
        millis,
        offset_minutes,
    )
}

struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }
    fn expect(&mut self, c: u8) -> Option<()> {
        (self.peek() == Some(c)).then(|| self.i += 1)
    }
    fn digits(&mut self, min: usize, max: usize) -> Option<i64> {
        let start = self.i;
        while self.i - start < max && self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.i += 1;
        }
        if self.i - start < min {
            return None;
        }
        std::str::from_utf8(&self.b[start..self.i])
            .ok()?
            .parse()
            .ok()
    }
}

fn num(s: &str) -> i64 {
    s.parse().unwrap_or(0)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Builds the ISO string as JavaScript's `Date.UTC` + `toISOString` would: out-of-range fields
/// roll over (month 13 is January of the next year), as they do in JavaScript.
#[allow(clippy::too_many_arguments)]
fn iso(
    year: i64,
    month: i64,
    day: i64,
    hour: i64,
    minute: i64,
    second: i64,
    millis: i64,
    offset_minutes: i64,
) -> Option<String> {
    let month0 = month - 1;
    let y = year + month0.div_euclid(12);
    let m = month0.rem_euclid(12) + 1;
    let days = days_from_civil(y, m, 1) + day - 1;
    let total_ms =
        ((days * 24 + hour) * 60 + minute - offset_minutes) * 60_000 + second * 1000 + millis;
    let day_count = total_ms.div_euclid(86_400_000);
    let ms_of_day = total_ms.rem_euclid(86_400_000);
    let (y, m, d) = civil_from_days(day_count);
    if !(0..=9999).contains(&y) {
        return None;
    }
    Some(format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        ms_of_day / 3_600_000,
        ms_of_day / 60_000 % 60,
        ms_of_day / 1000 % 60,
        ms_of_day % 1000
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, expected: Resolved) {
        assert_eq!(resolve_plain_scalar(text), expected, "scalar {text:?}");
    }

    #[test]
    fn js_yaml_core_table() {
        use Resolved::*;
        check("", Null);
        check("~", Null);
        check("NULL", Null);
        check("true", Bool(true));
        check("False", Bool(false));
        check("yes", String);
        check("on", String);
        check("no", String);
        check("0755", Number(755.0));
        check("0o17", Number(15.0));
        check("0x1F", Number(31.0));
        check("0b101", Number(5.0));
        check("-42", Number(-42.0));
        check("+12", Number(12.0));
        check("1_000", String);
        check("-1_0.5_0", String);
        check("0x_1F", String);
        check("-0", Number(-0.0));
        check("1e", String);
        check("1.5", Number(1.5));
        check("1e3", Number(1000.0));
        check("-.5", String);
        check(".5", Number(0.5));
        check("1.", Number(1.0));
        check("abc", String);
        check("0x", String);
        check("1_", String);
        check("12:30", String);
        check("2024-01-15", Timestamp("2024-01-15T00:00:00.000Z".into()));
        check(
            "2024-01-15T10:20:30.123",
            Timestamp("2024-01-15T10:20:30.123Z".into()),
        );
        check(
            "2001-12-14t21:59:43.10-05:00",
            Timestamp("2001-12-15T02:59:43.100Z".into()),
        );
        check(
            "2001-12-14 21:59:43.10 -5",
            Timestamp("2001-12-15T02:59:43.100Z".into()),
        );
        check("2024-1-5", String);
    }

    #[test]
    fn infinities_and_nan() {
        assert_eq!(
            resolve_plain_scalar(".inf"),
            Resolved::Number(f64::INFINITY)
        );
        assert!(matches!(resolve_plain_scalar(".NaN"), Resolved::Number(n) if n.is_nan()));
    }
}
