//! Numbers printed as JavaScript's `String(n)` / `JSON.stringify(n)` print them.

/// `1` not `1.0`, `1e+21`, `1.5e-7`, `NaN`/`Infinity` as JavaScript writes them.
pub fn format_js_number(n: f64) -> String {
    if n.is_nan() {
        return "NaN".to_string();
    }
    if n.is_infinite() {
        return if n > 0.0 { "Infinity" } else { "-Infinity" }.to_string();
    }
    let mut buffer = ryu_js::Buffer::new();
    buffer.format_finite(n).to_string()
}

#[cfg(test)]
mod tests {
    use super::format_js_number;

    #[test]
    fn prints_like_javascript() {
        for (n, text) in [
            (1.0, "1"),
            (-0.0, "0"),
            (1.5, "1.5"),
            (1e21, "1e+21"),
            (1e20, "100000000000000000000"),
            (1.5e-7, "1.5e-7"),
            (0.1 + 0.2, "0.30000000000000004"),
            (f64::NAN, "NaN"),
        ] {
            assert_eq!(format_js_number(n), text);
        }
    }
}
