//! A small JSON validator for tests that read what musil writes as JSON (the benchmark's lines,
//! the trace exports): is a text exactly one JSON value?

/// Checks that `text` is one JSON value (objects, arrays, strings, numbers, literals).
pub fn assert_valid_json(text: &str) {
    let bytes = text.trim().as_bytes();
    let end = value(bytes, 0).unwrap_or_else(|| panic!("not JSON: {text}"));
    assert_eq!(
        end,
        bytes.len(),
        "trailing characters after the JSON value: {text}"
    );
}

fn skip_space(bytes: &[u8], mut at: usize) -> usize {
    while bytes.get(at).is_some_and(u8::is_ascii_whitespace) {
        at += 1;
    }
    at
}

/// Parses one value starting at `at`; returns the index after it.
fn value(bytes: &[u8], at: usize) -> Option<usize> {
    let at = skip_space(bytes, at);
    match *bytes.get(at)? {
        b'{' => sequence(bytes, at + 1, b'}', |bytes, at| {
            let at = string(bytes, skip_space(bytes, at))?;
            let at = skip_space(bytes, at);
            (bytes.get(at) == Some(&b':')).then_some(())?;
            value(bytes, at + 1)
        }),
        b'[' => sequence(bytes, at + 1, b']', value),
        b'"' => string(bytes, at),
        b't' => bytes[at..].starts_with(b"true").then_some(at + 4),
        b'f' => bytes[at..].starts_with(b"false").then_some(at + 5),
        b'n' => bytes[at..].starts_with(b"null").then_some(at + 4),
        _ => number(bytes, at),
    }
}

fn sequence(
    bytes: &[u8],
    at: usize,
    close: u8,
    item: fn(&[u8], usize) -> Option<usize>,
) -> Option<usize> {
    let mut at = skip_space(bytes, at);
    if bytes.get(at) == Some(&close) {
        return Some(at + 1);
    }
    loop {
        at = skip_space(bytes, item(bytes, at)?);
        match *bytes.get(at)? {
            b',' => at += 1,
            c if c == close => return Some(at + 1),
            _ => return None,
        }
    }
}

fn string(bytes: &[u8], at: usize) -> Option<usize> {
    (bytes.get(at) == Some(&b'"')).then_some(())?;
    let mut at = at + 1;
    loop {
        match *bytes.get(at)? {
            b'\\' => at += 2,
            b'"' => return Some(at + 1),
            _ => at += 1,
        }
    }
}

fn number(bytes: &[u8], at: usize) -> Option<usize> {
    let length = bytes[at..]
        .iter()
        .take_while(|b| b.is_ascii_digit() || b"+-.eE".contains(b))
        .count();
    let text = std::str::from_utf8(&bytes[at..at + length]).ok()?;
    text.parse::<f64>().ok().map(|_| at + length)
}
