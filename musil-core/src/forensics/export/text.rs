//! Text for the HTML page: escaping for HTML and XML (text and attribute values alike),
//! truncation to a number of characters, and a trace line without its time and step columns.

/// `text` with `&`, `<`, `>`, `"` and `'` escaped, safe in HTML or SVG text and in a quoted
/// attribute value.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control characters are not allowed in XML 1.0: shown as a replacement character.
            c if (c as u32) < 0x20 && c != '\n' && c != '\t' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// `text` cut to at most `max` characters, with `…` standing for what was cut.
pub(crate) fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let kept: String = text.chars().take(max.saturating_sub(1)).collect();
    format!("{kept}…")
}

/// A trace line (`t=3    #2    client ← service  Answer(42)`) without its time and step: what
/// happened.
pub(crate) fn body_of(line: &str) -> &str {
    let rest = line.trim_start();
    let rest = strip_token(rest, "t=");
    strip_token(rest, "#").trim()
}

/// `text` without a leading `lead` followed by digits (and the spaces after them), if it has one.
fn strip_token<'a>(text: &'a str, lead: &str) -> &'a str {
    let Some(after) = text.strip_prefix(lead) else {
        return text;
    };
    let digits = after.len() - after.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    if digits == 0 {
        return text;
    }
    after[digits..].trim_start()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_characters_are_escaped() {
        assert_eq!(
            escape(r#"<a href="x">Tom & 'Jerry'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;"
        );
        assert_eq!(escape("a\u{1}b → ✗"), "a\u{fffd}b → ✗");
    }

    #[test]
    fn long_text_is_cut_with_an_ellipsis() {
        assert_eq!(truncate("abcdef", 6), "abcdef");
        assert_eq!(truncate("abcdefg", 6), "abcde…");
        assert_eq!(truncate("→→→→", 3), "→→…");
    }

    #[test]
    fn the_body_of_a_line_has_no_time_or_step() {
        assert_eq!(
            body_of("t=3    #2    client ← service  Answer(42)"),
            "client ← service  Answer(42)"
        );
        assert_eq!(body_of("t=12345678 nemesis: stopped"), "nemesis: stopped");
        assert_eq!(body_of("t=0          client started"), "client started");
        assert_eq!(body_of("#x"), "#x");
    }
}
