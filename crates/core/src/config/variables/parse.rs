//! The `${…}` syntax as the reference's parser reads it, re-derived as a recursive-descent
//! parser: `${source:address}`, `${source(param, …):address}`, fallbacks separated by commas
//! (`${opt:stage, 'dev'}`, `${env:A, env:B, null}`), variables nested in addresses and params,
//! and `\${` escapes. Text such as `${AWS::Region}`, `${Foo.Arn}` or `${ self:x }` is not a
//! variable (the source name must follow `${` directly and start with a lower-case letter).

/// The sources a `${name.x}` lookalike warning is given for.
const KNOWN_SOURCES: &[&str] = &[
    "self",
    "opt",
    "env",
    "sls",
    "file",
    "param",
    "aws",
    "ssm",
    "cf",
    "s3",
    "strToBool",
];

/// Deepest nesting of `${…}` inside addresses and params.
pub const MAX_NESTING: usize = 32;

/// A string split into literal text and variables.
#[derive(Debug, Clone, PartialEq)]
pub enum Piece {
    Text(String),
    Var(Variable),
}

/// One `${…}`.
#[derive(Debug, Clone, PartialEq)]
pub struct Variable {
    /// Byte range of the whole `${…}` in the parsed string.
    pub start: usize,
    pub end: usize,
    /// The sources in fallback order.
    pub sources: Vec<Source>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    String(String),
    Number(f64),
    Bool(bool),
    Null,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// A fallback value written in place.
    Literal(Literal),
    /// `kind(params):address`.
    Reference {
        kind: String,
        params: Vec<Template>,
        address: Option<Template>,
        /// The source text as written (`ssm:/path/x`), the key `--var` matches.
        raw: String,
    },
}

/// A param or address, which may itself contain variables.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    pub pieces: Vec<Piece>,
}

impl Template {
    /// The text when it holds no variables.
    pub fn as_literal(&self) -> Option<String> {
        let mut out = String::new();
        for piece in &self.pieces {
            match piece {
                Piece::Text(t) => out.push_str(t),
                Piece::Var(_) => return None,
            }
        }
        Some(out)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ParseError {
    /// Byte offset in the parsed string.
    pub offset: usize,
    pub message: String,
}

/// Text that looks like a variable but is not one (`${env.TOPIC}`): kept, with a warning.
#[derive(Debug, Clone, PartialEq)]
pub struct Lookalike {
    pub offset: usize,
    pub text: String,
}

/// The result of parsing one string.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Parsed {
    pub pieces: Vec<Piece>,
    pub lookalikes: Vec<Lookalike>,
}

impl Parsed {
    pub fn has_variables(&self) -> bool {
        self.pieces.iter().any(|p| matches!(p, Piece::Var(_)))
    }

    /// The single variable when the string is exactly one `${…}` and nothing else.
    pub fn sole_variable(&self) -> Option<&Variable> {
        match self.pieces.as_slice() {
            [Piece::Var(v)] => Some(v),
            _ => None,
        }
    }
}

/// Parses a string; `Ok` with no variables when it holds none.
pub fn parse(text: &str) -> Result<Parsed, ParseError> {
    if !text.contains("${") {
        return Ok(Parsed {
            pieces: vec![Piece::Text(text.to_string())],
            lookalikes: Vec::new(),
        });
    }
    let mut parser = Parser {
        s: text.as_bytes(),
        text,
        i: 0,
        lookalikes: Vec::new(),
    };
    let pieces = parser.pieces(0, None)?;
    Ok(Parsed {
        pieces,
        lookalikes: parser.lookalikes,
    })
}

/// What a `${` opens.
#[derive(Debug, PartialEq)]
enum Opened {
    Variable(Variable),
    /// Text such as `${Foo.Arn}`: inside it up to its `}`, backslashes escape nothing.
    Foreign,
    /// Text that ends at this offset, its `}` included (`${}`, `${env.TOPIC}`): that `}`
    /// closes nothing else.
    Text(usize),
}

struct Parser<'a> {
    s: &'a [u8],
    text: &'a str,
    i: usize,
    lookalikes: Vec<Lookalike>,
}

fn err<T>(offset: usize, message: impl Into<String>) -> Result<T, ParseError> {
    Err(ParseError {
        offset,
        message: message.into(),
    })
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn skip_spaces(&mut self) {
        while self.peek() == Some(b' ') {
            self.i += 1;
        }
    }

    /// Reads pieces until the end (top level) or, inside a variable, until one of `stops` at
    /// the current nesting level.
    ///
    /// The rules for `$` and `\\` next to a variable, as the reference's parser applies them:
    /// - A run of `$` right before `{` opens one variable that starts at the run's first `$`:
    ///   `q$${self:service}` is `q` and the variable (all the `$` go).
    /// - A `$` run followed by any other character keeps both as text, and that character has
    ///   no meaning of its own: `$}` closes nothing, `$\\${…}` escapes nothing.
    /// - Only at the top level (not inside an address, a param or text like `${Foo}`) does a
    ///   backslash escape: an odd run of `k` backslashes before a single `${` keeps `(k-1)/2`
    ///   backslashes and `${` as text; an even run before a single `$` and `{` keeps `k/2`
    ///   backslashes and opens the variable (even when what follows is not one, `\\\\${Foo}`);
    ///   before two or more `$` the backslashes stay as written (an odd run also keeps its
    ///   first `$`).
    fn pieces(&mut self, depth: usize, stops: Option<&[u8]>) -> Result<Vec<Piece>, ParseError> {
        let top = stops.is_none();
        let mut pieces = Vec::new();
        let mut text = String::new();
        // Open `${` of text that is not a variable (`${Foo.Arn}`), at the top level.
        let mut foreign = 0usize;
        while let Some(c) = self.peek() {
            if let Some(stops) = stops {
                if stops.contains(&c) {
                    break;
                }
            }
            // A run of bytes that mean nothing here is text, copied whole (every byte that
            // means something is ASCII, so the run ends on a character boundary).
            let run = self.s[self.i..]
                .iter()
                .position(|b| {
                    matches!(b, b'\\' | b'$' | b'}') || stops.is_some_and(|stops| stops.contains(b))
                })
                .unwrap_or(self.s.len() - self.i);
            if run > 0 {
                text.push_str(&self.text[self.i..self.i + run]);
                self.i += run;
                continue;
            }
            if c == b'\\' && top && foreign == 0 {
                let run_start = self.i;
                while self.peek() == Some(b'\\') {
                    self.i += 1;
                }
                let run = self.i - run_start;
                let dollars = self.s[self.i..].iter().take_while(|&&b| b == b'$').count();
                let opens = dollars == 1 && self.s.get(self.i + 1) == Some(&b'{');
                if run % 2 == 1 && opens {
                    text.push_str(&"\\".repeat(run / 2));
                    text.push_str("${");
                    self.i += 2;
                } else if run % 2 == 1 && dollars > 0 {
                    // `\\$` is text; a `$` run after it starts afresh.
                    text.push_str(&self.text[run_start..=self.i]);
                    self.i += 1;
                } else if opens {
                    text.push_str(&"\\".repeat(run / 2));
                } else {
                    text.push_str(&self.text[run_start..self.i]);
                }
                continue;
            }
            if c == b'$' {
                let first = self.i;
                let dollars = self.s[first..].iter().take_while(|&&b| b == b'$').count();
                let open = first + dollars - 1;
                if self.s.get(open + 1) != Some(&b'{') {
                    // The run and the character after it are text.
                    let mut end = first + dollars;
                    if let Some(ch) = self.text[end..].chars().next() {
                        end += ch.len_utf8();
                    }
                    text.push_str(&self.text[first..end]);
                    self.i = end;
                    continue;
                }
                self.i = open;
                match self.variable(depth, first)? {
                    Opened::Variable(var) => {
                        if !text.is_empty() {
                            pieces.push(Piece::Text(std::mem::take(&mut text)));
                        }
                        pieces.push(Piece::Var(var));
                    }
                    Opened::Text(end) => {
                        text.push_str(&self.text[first..end]);
                        self.i = end;
                    }
                    Opened::Foreign => {
                        // Not a variable: the text stays; scanning goes on after `${` so that
                        // variables inside (`${Foo${self:x}}`) are still found.
                        foreign += 1;
                        text.push_str(&self.text[first..open + 2]);
                        self.i = open + 2;
                    }
                }
                continue;
            }
            if c == b'}' && foreign > 0 {
                foreign -= 1;
            }
            let ch = self.text[self.i..].chars().next().unwrap_or('\u{fffd}');
            text.push(ch);
            self.i += ch.len_utf8().max(1);
        }
        if !text.is_empty() || pieces.is_empty() {
            pieces.push(Piece::Text(text));
        }
        Ok(pieces)
    }

    /// At the `$` of `${`: parses a variable (starting at `first_dollar`, the first of the
    /// `$` run before `{`), or tells what kind of text it is (position unchanged).
    fn variable(&mut self, depth: usize, first_dollar: usize) -> Result<Opened, ParseError> {
        let start = self.i;
        if depth >= MAX_NESTING {
            return err(
                start,
                format!("variables nest deeper than {MAX_NESTING} levels"),
            );
        }
        let first = self.s.get(start + 2).copied();
        if !first.is_some_and(|c| c.is_ascii_lowercase()) {
            if depth > 0 {
                return err(
                    start + 2,
                    "invalid variable type: a source name must start with a lower-case letter",
                );
            }
            return Ok(if first == Some(b'}') {
                Opened::Text(start + 3)
            } else {
                Opened::Foreign
            });
        }
        // Read the type as the reference does: letters, digits, `.` and `-`.
        let mut j = start + 2;
        while j < self.s.len()
            && (self.s[j].is_ascii_alphanumeric() || self.s[j] == b'.' || self.s[j] == b'-')
        {
            j += 1;
        }
        match self.s.get(j) {
            Some(b':') | Some(b'(') => {}
            Some(_) if depth > 0 => {
                return err(start + 2, "invalid variable type");
            }
            Some(b'}') => {
                self.note_lookalike(start);
                return Ok(Opened::Text(j + 1));
            }
            Some(_) => {
                self.note_lookalike(start);
                return Ok(Opened::Foreign);
            }
            None => return Ok(Opened::Text(j)),
        }
        // `${aws::x}`: a second `:` right after the type's (spaces between allowed) is
        // CloudFormation-like text, not a variable.
        if self.s.get(j) == Some(&b':') {
            let k = j + 1 + self.s[j + 1..].iter().take_while(|&&c| c == b' ').count();
            if self.s.get(k) == Some(&b':') {
                if depth > 0 {
                    return err(k, "invalid variable address");
                }
                return Ok(Opened::Foreign);
            }
        }
        self.i = start + 2;
        let mut sources = Vec::new();
        loop {
            self.skip_spaces();
            let source = self.source(depth, sources.is_empty())?;
            sources.push(source);
            self.skip_spaces();
            match self.peek() {
                Some(b',') => {
                    self.i += 1;
                }
                Some(b'}') => {
                    self.i += 1;
                    break;
                }
                Some(_) => return err(self.i, "invalid variable: expected `,` or `}`"),
                None => return err(start, "missing variable closing bracket `}`"),
            }
        }
        Ok(Opened::Variable(Variable {
            start: first_dollar,
            end: self.i,
            sources,
        }))
    }

    /// `${env.TOPIC}` or `${env.ORDERS_TOPIC}` at `start`: a known source followed by `.`
    /// instead of `:`, kept as text with a warning.
    fn note_lookalike(&mut self, start: usize) {
        let word_len = self.s[start + 2..]
            .iter()
            .take_while(|&&c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-' | b'_'))
            .count();
        let end = start + 2 + word_len;
        let word = &self.text[start + 2..end];
        let source = word.split('.').next().unwrap_or("");
        if self.s.get(end) == Some(&b'}') && word.contains('.') && KNOWN_SOURCES.contains(&source) {
            self.lookalikes.push(Lookalike {
                offset: start,
                text: self.text[start..=end].to_string(),
            });
        }
    }

    fn source(&mut self, depth: usize, first: bool) -> Result<Source, ParseError> {
        let source_start = self.i;
        match self.peek() {
            Some(q @ (b'\'' | b'"')) => {
                let value = self.quoted(q)?;
                // A literal fallback ends the variable.
                self.skip_spaces();
                if self.peek() != Some(b'}') {
                    return err(source_start, "a quoted fallback must be the last source");
                }
                return Ok(Source::Literal(Literal::String(value)));
            }
            None => return err(source_start, "missing variable closing bracket `}`"),
            _ => {}
        }
        let mut j = self.i;
        while j < self.s.len()
            && (self.s[j].is_ascii_alphanumeric() || self.s[j] == b'.' || self.s[j] == b'-')
        {
            j += 1;
        }
        if j == self.i {
            return err(self.i, "invalid variable source");
        }
        let word = &self.text[self.i..j];
        // The first source's type may hold `.` and `-` (`${type.dot(param)}`); a fallback
        // source's type is letters and digits only, as in the reference.
        let is_type = word.as_bytes()[0].is_ascii_lowercase()
            && (first || word.bytes().all(|c| c.is_ascii_alphanumeric()));
        match self.s.get(j) {
            Some(b':') | Some(b'(') if is_type => {}
            Some(b':') | Some(b'(') => {
                return err(source_start, format!("invalid variable source `{word}`"))
            }
            _ if first => return err(source_start, format!("invalid variable source `{word}`")),
            _ => {
                // A literal fallback: a number, true, false or null; a bare word must be quoted.
                self.i = j;
                self.skip_spaces();
                if self.peek() != Some(b'}') {
                    return err(source_start, format!("invalid variable source `{word}`"));
                }
                return match word {
                    "true" => Ok(Source::Literal(Literal::Bool(true))),
                    "false" => Ok(Source::Literal(Literal::Bool(false))),
                    "null" => Ok(Source::Literal(Literal::Null)),
                    _ => match js_number(word) {
                        Some(n) => Ok(Source::Literal(Literal::Number(n))),
                        None => err(
                            source_start,
                            format!("invalid literal fallback `{word}`: a text fallback must be quoted ('{word}')"),
                        ),
                    },
                };
            }
        }
        let kind = word.to_string();
        self.i = j;
        let params = self.params(depth)?;
        let address = self.address(depth)?;
        let raw = self.text[source_start..self.i].trim().to_string();
        Ok(Source::Reference {
            kind,
            params,
            address,
            raw,
        })
    }

    /// `(param, …)` after a source's type, if there is one.
    fn params(&mut self, depth: usize) -> Result<Vec<Template>, ParseError> {
        let mut params = Vec::new();
        if self.peek() == Some(b'(') {
            self.i += 1;
            loop {
                self.skip_spaces();
                match self.peek() {
                    Some(b')') => {
                        self.i += 1;
                        break;
                    }
                    Some(q @ (b'\'' | b'"')) => {
                        let value = self.quoted(q)?;
                        params.push(Template {
                            pieces: vec![Piece::Text(value)],
                        });
                    }
                    Some(b'}') | None => return err(self.i, "invalid variable param: missing `)`"),
                    Some(_) => {
                        let pieces = trim_pieces(self.pieces(depth + 1, Some(b",)}"))?);
                        params.push(unquoted_param(pieces));
                    }
                }
                self.skip_spaces();
                match self.peek() {
                    Some(b',') => self.i += 1,
                    Some(b')') => {
                        self.i += 1;
                        break;
                    }
                    _ => return err(self.i, "invalid variable param: missing `)`"),
                }
            }
        }
        Ok(params)
    }

    /// `:address` after a source's type and params; none before `}` or `,`.
    fn address(&mut self, depth: usize) -> Result<Option<Template>, ParseError> {
        let mut address = None;
        self.skip_spaces();
        if self.peek() == Some(b':') {
            self.i += 1;
            self.skip_spaces();
            match self.peek() {
                Some(q @ (b'\'' | b'"')) => {
                    let value = self.quoted(q)?;
                    address = Some(Template {
                        pieces: vec![Piece::Text(value)],
                    });
                }
                Some(b':') => return err(self.i, "invalid variable address"),
                Some(b'}') | Some(b',') => {}
                _ => {
                    let pieces = self.pieces(depth + 1, Some(b",}"))?;
                    address = Some(Template {
                        pieces: trim_pieces(pieces),
                    });
                }
            }
        } else if !matches!(self.peek(), Some(b'}') | Some(b',')) {
            return err(self.i, "invalid variable address");
        }
        Ok(address)
    }

    fn quoted(&mut self, quote: u8) -> Result<String, ParseError> {
        let start = self.i;
        self.i += 1;
        let mut out = String::new();
        loop {
            match self.peek() {
                None => return err(start, "unterminated string literal"),
                Some(c) if c == quote => {
                    self.i += 1;
                    return Ok(out);
                }
                Some(b'\\') if quote == b'"' => {
                    self.i += 1;
                    match self.peek() {
                        Some(b'n') => out.push('\n'),
                        Some(b't') => out.push('\t'),
                        Some(b'r') => out.push('\r'),
                        Some(c @ (b'"' | b'\\' | b'/')) => out.push(c as char),
                        Some(b'b') => out.push('\u{8}'),
                        Some(b'f') => out.push('\u{c}'),
                        Some(b'u') => {
                            let hex = self.text.get(self.i + 1..self.i + 5).unwrap_or("");
                            let code = u32::from_str_radix(hex, 16).ok().filter(|_| hex.len() == 4);
                            match code.and_then(char::from_u32) {
                                Some(ch) => out.push(ch),
                                None => return err(self.i, "invalid \\u escape in string literal"),
                            }
                            self.i += 4;
                        }
                        _ => return err(self.i, "invalid escape in string literal"),
                    }
                    self.i += 1;
                }
                Some(_) => {
                    let ch = self.text[self.i..].chars().next().unwrap_or('\u{fffd}');
                    out.push(ch);
                    self.i += ch.len_utf8();
                }
            }
        }
    }
}

/// Trims surrounding spaces of an address or param, as the reference does.
fn trim_pieces(mut pieces: Vec<Piece>) -> Vec<Piece> {
    if let Some(Piece::Text(t)) = pieces.first_mut() {
        *t = t.trim_start().to_string();
    }
    if let Some(Piece::Text(t)) = pieces.last_mut() {
        *t = t.trim_end().to_string();
    }
    pieces.retain(|p| !matches!(p, Piece::Text(t) if t.is_empty()));
    pieces
}

/// An unquoted param without variables is a literal, as the reference reads it: `true`, a
/// number (as JavaScript prints it: `1.0` is `1`) or the word itself; `false`, `null` and zero
/// are no value at all (the reference keeps only truthy literals), an empty param.
fn unquoted_param(pieces: Vec<Piece>) -> Template {
    let [Piece::Text(word)] = pieces.as_slice() else {
        return Template { pieces };
    };
    let text = match word.as_str() {
        "true" => Some(word.clone()),
        "false" | "null" => None,
        _ => match js_number(word) {
            Some(n) if n == 0.0 || n.is_nan() => None,
            Some(n) => Some(streaming_events_yaml::format_js_number(n)),
            None => Some(word.clone()),
        },
    };
    Template {
        pieces: text.map(Piece::Text).into_iter().collect(),
    }
}

/// `Number(word)` for the words JavaScript reads as numbers (decimal, hex, exponent forms).
fn js_number(word: &str) -> Option<f64> {
    if let Some(hex) = word.strip_prefix("0x").or_else(|| word.strip_prefix("0X")) {
        return u64::from_str_radix(hex, 16).ok().map(|n| n as f64);
    }
    if word
        .chars()
        .any(|c| c.is_ascii_alphabetic() && c != 'e' && c != 'E')
    {
        return None;
    }
    word.parse::<f64>().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference(kind: &str, address: Option<&str>) -> Source {
        Source::Reference {
            kind: kind.to_string(),
            params: Vec::new(),
            address: address.map(|a| Template {
                pieces: vec![Piece::Text(a.to_string())],
            }),
            raw: match address {
                Some(a) => format!("{kind}:{a}"),
                None => format!("{kind}:"),
            },
        }
    }

    fn sole(text: &str) -> Variable {
        parse(text).unwrap().sole_variable().cloned().unwrap()
    }

    #[test]
    fn text_around_variables_is_kept_as_written() {
        // Runs of plain text (multi-byte characters included) are copied whole; `$`, `}` and
        // foreign `${…}` in them stay text.
        let parsed = parse("ünï ${self:a}-ß}$x ${Foo.Arn} \\${self:b} ✓").unwrap();
        let texts: Vec<&str> = parsed
            .pieces
            .iter()
            .filter_map(|p| match p {
                Piece::Text(t) => Some(t.as_str()),
                Piece::Var(_) => None,
            })
            .collect();
        assert_eq!(texts, ["ünï ", "-ß}$x ${Foo.Arn} ${self:b} ✓"]);
        let fallback = parse("${self:a, 'dé,fault'}x").unwrap();
        assert_eq!(fallback.pieces.len(), 2);
        assert_eq!(fallback.pieces[1], Piece::Text("x".to_string()));
    }

    #[test]
    fn plain_text_has_no_variables() {
        for text in [
            "abc",
            "${AWS::Region}",
            "${Foo.Arn}",
            "${ self:x }",
            "$x",
            "${}",
            "arn:${AWS::Partition}:s3",
        ] {
            assert!(!parse(text).unwrap().has_variables(), "{text}");
        }
    }

    #[test]
    fn simple_and_fallbacks() {
        assert_eq!(
            sole("${self:custom.a}").sources,
            vec![reference("self", Some("custom.a"))]
        );
        assert_eq!(
            sole("${opt:stage, 'dev'}").sources,
            vec![
                reference("opt", Some("stage")),
                Source::Literal(Literal::String("dev".into()))
            ]
        );
        assert_eq!(
            sole("${env:A, env:B, null}").sources,
            vec![
                reference("env", Some("A")),
                reference("env", Some("B")),
                Source::Literal(Literal::Null)
            ]
        );
        assert_eq!(
            sole("${env:A, 5}").sources[1],
            Source::Literal(Literal::Number(5.0))
        );
        assert_eq!(sole("${self:}").sources, vec![reference("self", None)]);
    }

    #[test]
    fn unquoted_word_fallback_is_an_error() {
        assert!(parse("${opt:stage, dev}").is_err());
    }

    #[test]
    fn nested_and_interpolated() {
        let parsed = parse("a-${self:custom.${opt:stage}.arn}-b").unwrap();
        assert_eq!(parsed.pieces.len(), 3);
        let Piece::Var(var) = &parsed.pieces[1] else {
            panic!("expected a variable")
        };
        let Source::Reference {
            address: Some(address),
            ..
        } = &var.sources[0]
        else {
            panic!("expected an address")
        };
        assert_eq!(address.pieces.len(), 3);
    }

    #[test]
    fn params() {
        let var = sole("${file(./config.yml):kafka}");
        let Source::Reference {
            kind,
            params,
            address,
            ..
        } = &var.sources[0]
        else {
            panic!()
        };
        assert_eq!(kind, "file");
        assert_eq!(params[0].as_literal().as_deref(), Some("./config.yml"));
        assert_eq!(
            address.as_ref().and_then(Template::as_literal).as_deref(),
            Some("kafka")
        );
        let var = sole("${strToBool(${env:FLAG})}");
        let Source::Reference { params, .. } = &var.sources[0] else {
            panic!()
        };
        assert!(params[0].as_literal().is_none());
    }

    #[test]
    fn escapes() {
        let parsed = parse("\\${self:x}").unwrap();
        assert_eq!(parsed.pieces, vec![Piece::Text("${self:x}".into())]);
    }

    #[test]
    fn unterminated_is_an_error() {
        assert!(parse("${self:custom").is_err());
        assert!(parse("${self:custom.${opt:stage}").is_err());
    }

    #[test]
    fn lookalike_is_reported() {
        for text in [
            "${env.TOPIC}",
            "${env.ORDERS_TOPIC}",
            "x-${self.custom.a_b}-y",
        ] {
            let parsed = parse(text).unwrap();
            assert!(!parsed.has_variables(), "{text}");
            assert_eq!(parsed.lookalikes.len(), 1, "{text}");
        }
        for text in ["${Env.TOPIC}", "${env.TOPIC", "${env.A B}", "${foo.BAR}"] {
            assert!(parse(text).unwrap().lookalikes.is_empty(), "{text}");
        }
    }

    proptest::proptest! {
        /// Strings made of the characters that matter around variables (and a multi-byte one)
        /// parse or fail; they never panic.
        #[test]
        fn any_mix_of_dollars_braces_and_backslashes_parses_or_fails(
            text in "[$\\\\{}:,'\"() a-cséF.]{0,40}"
        ) {
            let _ = parse(&text);
        }
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let text = "${self:".repeat(1000) + &"}".repeat(1000);
        assert!(parse(&text).is_err());
    }
}
