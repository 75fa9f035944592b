//! The step patterns as written in `src/steps`, read from the sources compiled in: a run
//! compiles only the definitions whose leading literal text begins some step of its suite
//! (compiling all of them took ~12 ms of CPU per run, mostly regex's UTF-8 automata).

use cucumber::step::Location;

/// Every file with step definitions, by the path `file!()` gives its definitions.
const SOURCES: [(&str, &str); 8] = [
    ("src/steps/admin.rs", include_str!("../steps/admin.rs")),
    ("src/steps/agents.rs", include_str!("../steps/agents.rs")),
    ("src/steps/aitbc.rs", include_str!("../steps/aitbc.rs")),
    ("src/steps/blocks.rs", include_str!("../steps/blocks.rs")),
    ("src/steps/http.rs", include_str!("../steps/http.rs")),
    ("src/steps/jobs.rs", include_str!("../steps/jobs.rs")),
    ("src/steps/login.rs", include_str!("../steps/login.rs")),
    (
        "src/steps/snapshots.rs",
        include_str!("../steps/snapshots.rs"),
    ),
];

/// How far below its attribute's first line a definition's `regex = ` may stand.
const ATTRIBUTE_LINES: usize = 4;

/// A definition's pattern as its attribute writes it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Written {
    /// `regex = r"…"`: the pattern itself.
    Regex(&'static str),
    /// `("…")`: this whole text, which cucumber matches as `^text$`.
    Text(&'static str),
}

impl Written {
    /// The text every step this definition matches starts with.
    pub(crate) fn prefix(self) -> &'static str {
        match self {
            Written::Regex(pattern) => literal_prefix(pattern),
            Written::Text(text) => text,
        }
    }
}

/// The pattern of the definition whose attribute starts at `loc`, when it is written as a raw
/// string (`regex = r"…"`, `r#"…"#`) or as text without escapes (`("…")`); `None` otherwise,
/// and the definition is then always compiled.
pub(crate) fn written_at(loc: &Location) -> Option<Written> {
    let (_, source) = SOURCES.iter().find(|(path, _)| *path == loc.path)?;
    let start = usize::try_from(loc.line).ok()?.checked_sub(1)?;
    let mut lines = source.lines().skip(start).take(ATTRIBUTE_LINES);
    lines.find_map(|line| match line.split_once("regex = ") {
        Some((_, rest)) => raw_string(rest).map(Written::Regex),
        None => plain_text(line).map(Written::Text),
    })
}

/// The text of `#[kind("…")]` on `line`, when it has no escape.
fn plain_text(line: &str) -> Option<&str> {
    let (_, rest) = line.split_once("(\"")?;
    let text = &rest[..rest.find('"')?];
    (!text.contains('\\')).then_some(text)
}

/// The contents of the raw string literal `text` starts with (on one line).
fn raw_string(text: &str) -> Option<&str> {
    let rest = text.strip_prefix('r')?;
    let hashes = rest.len() - rest.trim_start_matches('#').len();
    let body = rest[hashes..].strip_prefix('"')?;
    let closing = format!("\"{}", "#".repeat(hashes));
    let end = body.find(&closing)?;
    Some(&body[..end])
}

/// The text every match of `pattern` starts with: the literal after a leading `^`, up to the
/// first metacharacter (without the character a `?`, `*` or `{` makes optional); empty when
/// the pattern is not anchored or has an alternative at its top level.
pub(crate) fn literal_prefix(pattern: &str) -> &str {
    let Some(body) = pattern.strip_prefix('^') else {
        return "";
    };
    if has_top_level_alternative(body) {
        return "";
    }
    let end = body.find(is_meta).unwrap_or(body.len());
    let prefix = &body[..end];
    match body[end..].chars().next() {
        Some('?' | '*' | '{') => prefix
            .char_indices()
            .last()
            .map_or("", |(last, _)| &prefix[..last]),
        _ => prefix,
    }
}

fn is_meta(c: char) -> bool {
    "\\.+*?()|[]{}^$".contains(c)
}

/// A `|` outside every group and class: `^a|b` matches `b` anywhere.
fn has_top_level_alternative(pattern: &str) -> bool {
    let (mut depth, mut in_class, mut escaped) = (0usize, false, false);
    for c in pattern.chars() {
        match (escaped, in_class, c) {
            (true, _, _) => escaped = false,
            (false, _, '\\') => escaped = true,
            (false, true, ']') => in_class = false,
            (false, true, _) => {}
            (false, false, '[') => in_class = true,
            (false, false, '(') => depth += 1,
            (false, false, ')') => depth = depth.saturating_sub(1),
            (false, false, '|') if depth == 0 => return true,
            _ => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_prefix_is_the_literal_text_every_match_starts_with() {
        let cases = [
            (r#"^I authenticate as "([^"]*)"$"#, r#"I authenticate as ""#),
            (r"^I send (GET|POST) (\S+)$", "I send "),
            (r#"^"([^"]*)" is (-?[0-9]+) seconds"#, r#"""#),
            (
                r"^the lookup made (-?[0-9]+) request(?:s)?$",
                "the lookup made ",
            ),
            (r"^ab?c", "a"),
            (r"^abc*", "ab"),
            (r"^ab{2}", "a"),
            (r"^a+", "a"),
            (r"^x\.y", "x"),
            (r"^([0-9]+) seconds?", ""),
            (r"^done$", "done"),
            (r"^a|b", ""),
            (r"^a[|]b|c", ""),
            (r"^a[|]b", "a"),
            (r"^a\|b", "a"),
            (r"no anchor", ""),
            (r"^(?i)case", ""),
            (r"^é?x", ""),
        ];
        for (pattern, prefix) in cases {
            assert_eq!(literal_prefix(pattern), prefix, "{pattern}");
        }
    }

    #[test]
    fn texts_are_read_unless_they_have_escapes() {
        assert_eq!(plain_text(r#"#[given("I note it")]"#), Some("I note it"));
        assert_eq!(plain_text(r#"#[then("reports \"x\"")]"#), None);
        assert_eq!(plain_text("#[then("), None);
    }

    #[test]
    fn raw_strings_are_read_whatever_their_hashes_and_other_literals_are_not() {
        let read = raw_string;
        assert_eq!(read(r##"r#"a "b" c"#)]"##), Some(r#"a "b" c"#));
        assert_eq!(read(r#"r"^x$")]"#), Some("^x$"));
        assert_eq!(read(r#""^x$")]"#), None);
        assert_eq!(read(r##"r#"unterminated"##), None);
    }
}
