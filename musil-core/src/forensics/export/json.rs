//! A tiny JSON writer for the exports: string escaping (plain, or safe inside an HTML
//! `<script>`) and an object builder that keeps its keys in the order they are written.

use std::fmt::Write as _;

/// Where a JSON text goes: a file of its own, or inside an HTML `<script>` element.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Context {
    /// A `.jsonl` file: only what JSON requires is escaped, UTF-8 is kept as is.
    File,
    /// Inside `<script>`: also `<`, `>`, `&` and the line separators U+2028 and U+2029, so that
    /// no `</script>` (nor `<!--`) can appear in the text.
    Script,
}

/// `text` as a JSON string literal, quotes included.
pub(crate) fn string(text: &str, context: Context) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    push_string(&mut out, text, context);
    out
}

/// Appends `text` to `out` as a JSON string literal, quotes included.
pub(crate) fn push_string(out: &mut String, text: &str, context: Context) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => push_escape(out, c),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' if context == Context::Script => {
                push_escape(out, c)
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// `\uXXXX` for a character of the Basic Multilingual Plane.
fn push_escape(out: &mut String, c: char) {
    let _ = write!(out, "\\u{:04x}", c as u32);
}

/// A JSON object being written: `{"key":value,…}` with its keys in the order they are added.
#[derive(Debug)]
pub(crate) struct Object {
    text: String,
    context: Context,
}

impl Object {
    /// An empty object whose strings are escaped for `context`.
    pub(crate) fn new(context: Context) -> Self {
        Object {
            text: String::from("{"),
            context,
        }
    }

    /// Where the object's text goes.
    pub(crate) fn context(&self) -> Context {
        self.context
    }

    fn key(&mut self, key: &str) -> &mut String {
        if self.text.len() > 1 {
            self.text.push(',');
        }
        push_string(&mut self.text, key, self.context);
        self.text.push(':');
        &mut self.text
    }

    /// `"key":"value"`.
    pub(crate) fn str(mut self, key: &str, value: &str) -> Self {
        let context = self.context;
        push_string(self.key(key), value, context);
        self
    }

    /// `"key":"value"` or `"key":null`.
    pub(crate) fn opt_str(self, key: &str, value: Option<&str>) -> Self {
        match value {
            Some(value) => self.str(key, value),
            None => self.raw(key, "null"),
        }
    }

    /// `"key":n`.
    pub(crate) fn num(self, key: &str, value: u64) -> Self {
        self.raw(key, &value.to_string())
    }

    /// `"key":n` or `"key":null`.
    pub(crate) fn opt_num(self, key: &str, value: Option<u64>) -> Self {
        match value {
            Some(value) => self.num(key, value),
            None => self.raw(key, "null"),
        }
    }

    /// `"key":true` or `"key":false`.
    pub(crate) fn bool(self, key: &str, value: bool) -> Self {
        self.raw(key, if value { "true" } else { "false" })
    }

    /// `"key":["a","b",…]`.
    pub(crate) fn strs<'a>(self, key: &str, values: impl IntoIterator<Item = &'a str>) -> Self {
        let context = self.context;
        let items: Vec<String> = values.into_iter().map(|v| string(v, context)).collect();
        self.raw(key, &format!("[{}]", items.join(",")))
    }

    /// `"key":[1,2,…]`.
    pub(crate) fn nums(self, key: &str, values: impl IntoIterator<Item = u64>) -> Self {
        let items: Vec<String> = values.into_iter().map(|v| v.to_string()).collect();
        self.raw(key, &format!("[{}]", items.join(",")))
    }

    /// `"key":json`, where `json` is already JSON text (an object, an array, a literal).
    pub(crate) fn raw(mut self, key: &str, json: &str) -> Self {
        self.key(key).push_str(json);
        self
    }

    /// The object's text.
    pub(crate) fn finish(mut self) -> String {
        self.text.push('}');
        self.text
    }
}

/// `[a,b,…]` from items that are already JSON text.
pub(crate) fn array(items: &[String]) -> String {
    format!("[{}]", items.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_backslashes_and_control_characters_are_escaped() {
        assert_eq!(
            string("a\"b\\c\nd\te\u{1}\u{7f}", Context::File),
            r#""a\"b\\c\nd\te\u0001\u007f""#
        );
    }

    #[test]
    fn utf8_is_kept_as_is_in_a_file() {
        assert_eq!(string("→ ✗ 💾 é", Context::File), "\"→ ✗ 💾 é\"");
        assert_eq!(string("</script>", Context::File), "\"</script>\"");
    }

    #[test]
    fn nothing_closes_a_script_element_inside_one() {
        let text = string("</script><!-- & \u{2028}", Context::Script);
        assert_eq!(text, r#""\u003c/script\u003e\u003c!-- \u0026 \u2028""#);
        assert!(!text.contains('<'));
    }

    #[test]
    fn an_object_keeps_the_order_of_its_keys() {
        let object = Object::new(Context::File)
            .str("a", "x")
            .num("b", 3)
            .opt_num("c", None)
            .bool("d", true)
            .strs("e", ["p", "q"])
            .opt_str("f", Some("y"))
            .finish();
        assert_eq!(
            object,
            r#"{"a":"x","b":3,"c":null,"d":true,"e":["p","q"],"f":"y"}"#
        );
    }
}
