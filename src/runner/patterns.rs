//! The step patterns as written in `src/steps`, read from the sources compiled in: a run
//! compiles only the definitions whose literal text some step of its suite holds, in order
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
    /// `("…")`: this whole text (as written: `\"` and `\\` escaped), which cucumber matches
    /// as `^text$`.
    Text(&'static str),
}

impl Written {
    /// Whether a step with one of these texts could match: false only when none certainly can.
    /// The pattern is read once for all of them.
    pub(crate) fn could_match_any<'t>(self, mut texts: impl Iterator<Item = &'t str>) -> bool {
        match self {
            Written::Regex(pattern) => match Required::of(pattern) {
                Some(required) => texts.any(|text| required.found_in(text)),
                None => texts.next().is_some(),
            },
            Written::Text(written) => texts.any(|text| unescaped(written).eq(text.chars())),
        }
    }
}

/// The pattern of the definition whose attribute starts at `loc`, when it is written as a raw
/// string (`regex = r"…"`, `r#"…"#`) or as text with no escape but `\"` and `\\` (`("…")`);
/// `None` otherwise, and the definition is then always compiled.
pub(crate) fn written_at(loc: &Location) -> Option<Written> {
    let (_, source) = SOURCES.iter().find(|(path, _)| *path == loc.path)?;
    let start = usize::try_from(loc.line).ok()?.checked_sub(1)?;
    let mut lines = source.lines().skip(start).take(ATTRIBUTE_LINES);
    lines.find_map(|line| match line.split_once("regex = ") {
        Some((_, rest)) => raw_string(rest).map(Written::Regex),
        None => plain_text(line).map(Written::Text),
    })
}

/// The text of `#[kind("…")]` on `line` as written, when its only escapes are `\"` and `\\`.
fn plain_text(line: &str) -> Option<&str> {
    let (_, rest) = line.split_once("(\"")?;
    let mut chars = rest.char_indices();
    while let Some((at, c)) = chars.next() {
        match c {
            '"' => return Some(&rest[..at]),
            '\\' if !matches!(chars.next(), Some((_, '"' | '\\'))) => return None,
            _ => {}
        }
    }
    None
}

/// The characters a string literal written as `source` holds (`\"` and `\\` undone).
pub(crate) fn unescaped(source: &str) -> impl Iterator<Item = char> + '_ {
    let mut chars = source.chars();
    std::iter::from_fn(move || match chars.next()? {
        '\\' => chars.next(),
        c => Some(c),
    })
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

/// The literal runs every match of a pattern holds, in this order (outside groups and classes,
/// without the character a `?`, `*` or `{` makes optional); the first at the match's start
/// when the pattern begins with `^` and a literal.
#[derive(Debug, PartialEq)]
pub(crate) struct Required<'p> {
    runs: Vec<&'p str>,
    first_starts: bool,
}

impl<'p> Required<'p> {
    /// `None` when nothing is certainly required: an alternative at the top level (`a|b`) or
    /// flags (`(?i)`, `(?x)`) that change what a literal matches.
    pub(crate) fn of(pattern: &'p str) -> Option<Self> {
        let flags = pattern
            .match_indices("(?")
            .any(|(at, _)| !matches!(pattern[at + 2..].chars().next(), Some(':' | 'P' | '<')));
        if flags {
            return None;
        }
        let mut scan = Scan::default();
        let mut runs = Vec::new();
        for (at, c) in pattern.char_indices() {
            if scan.is_literal(c) {
                scan.run.get_or_insert(at);
                continue;
            }
            if let Some(start) = scan.run.take() {
                let end = match matches!(c, '?' | '*' | '{') && scan.is_plain() {
                    true => pattern[..at]
                        .char_indices()
                        .last()
                        .map_or(start, |(i, _)| i),
                    false => at,
                };
                runs.push((start, &pattern[start..end]));
            }
            if !scan.step(c) {
                return None;
            }
        }
        if let Some(start) = scan.run {
            runs.push((start, &pattern[start..]));
        }
        runs.retain(|(_, run)| !run.is_empty());
        let first_starts = pattern.starts_with('^') && runs.first().is_some_and(|(s, _)| *s == 1);
        Some(Required {
            runs: runs.into_iter().map(|(_, run)| run).collect(),
            first_starts,
        })
    }

    /// Whether `text` holds every run, in order.
    pub(crate) fn found_in(&self, text: &str) -> bool {
        let mut rest = text;
        for (index, run) in self.runs.iter().enumerate() {
            let at = match index == 0 && self.first_starts {
                true => rest.starts_with(run).then_some(0),
                false => rest.find(run),
            };
            let Some(at) = at else {
                return false;
            };
            rest = &rest[at + run.len()..];
        }
        true
    }
}

/// Where a scan of a pattern stands: in an escape, a class or a repetition (`{2,3}`), how deep
/// in groups, in a run.
#[derive(Default)]
struct Scan {
    escaped: bool,
    in_class: bool,
    in_braces: bool,
    depth: usize,
    run: Option<usize>,
}

impl Scan {
    /// Outside every escape, class and group.
    fn is_plain(&self) -> bool {
        !self.escaped && !self.in_class && !self.in_braces && self.depth == 0
    }

    fn is_literal(&self, c: char) -> bool {
        self.is_plain() && !"\\.+*?()|[]{}^$".contains(c)
    }

    /// Moves past `c`; false at an alternative of the top level.
    fn step(&mut self, c: char) -> bool {
        match (self.escaped, self.in_class, c) {
            (true, _, _) => self.escaped = false,
            (false, _, '\\') => self.escaped = true,
            (false, true, ']') => self.in_class = false,
            (false, true, _) => {}
            (false, false, '}') => self.in_braces = false,
            (false, false, _) if self.in_braces => {}
            (false, false, '{') => self.in_braces = true,
            (false, false, '[') => self.in_class = true,
            (false, false, '(') => self.depth += 1,
            (false, false, ')') => self.depth = self.depth.saturating_sub(1),
            (false, false, '|') if self.depth == 0 => return false,
            _ => {}
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn runs(pattern: &str) -> Option<(Vec<&str>, bool)> {
        Required::of(pattern).map(|r| (r.runs, r.first_starts))
    }

    #[test]
    fn the_required_runs_are_the_literal_text_every_match_holds() {
        let cases = [
            (
                r#"^I authenticate as "([^"]*)"$"#,
                Some((vec![r#"I authenticate as ""#, r#"""#], true)),
            ),
            (
                r"^I send (GET|POST) (\S+)$",
                Some((vec!["I send ", " "], true)),
            ),
            (
                r"^the lookup made (-?[0-9]+) request(?:s)?$",
                Some((vec!["the lookup made ", " request"], true)),
            ),
            (
                r"^([0-9]+(?:\.[0-9]+)?) seconds? (?:have|has) passed$",
                Some((vec![" second", " ", " passed"], false)),
            ),
            (r"^ab?c", Some((vec!["a", "c"], true))),
            (r"^abc*d", Some((vec!["ab", "d"], true))),
            (r"^ab{2}", Some((vec!["a"], true))),
            (r"^ab{2,3}c", Some((vec!["a", "c"], true))),
            (r"^a+b", Some((vec!["a", "b"], true))),
            (r"^x\.y", Some((vec!["x", "y"], true))),
            (r"^a[|]b", Some((vec!["a", "b"], true))),
            (r"^a\|b", Some((vec!["a", "b"], true))),
            (r"no anchor", Some((vec!["no anchor"], false))),
            (r"^é?x", Some((vec!["x"], false))),
            (r"^a|b", None),
            (r"^a[|]b|c", None),
            (r"^(?i)case", None),
            (r"^(?x) a b", None),
            (r"^(?P<n>a)b", Some((vec!["b"], false))),
        ];
        for (pattern, want) in cases {
            assert_eq!(runs(pattern), want, "{pattern}");
        }
    }

    #[test]
    fn a_text_could_match_only_when_it_holds_every_run_in_order() {
        let could = |pattern, text| Written::Regex(pattern).could_match_any([text].into_iter());
        let field = r#"^the response field "([^"]*)" holds at most (-?[0-9]+) item(?:s)?$"#;
        assert!(could(
            field,
            r#"the response field "x" holds at most 3 items"#
        ));
        assert!(!could(
            field,
            r#"the response field "x" holds a whole number"#
        ));
        assert!(!could(
            field,
            r#"and the response field "x" holds at most 3 items"#
        ));
        assert!(could(r"^ab?c", "ac") && could(r"^ab?c", "abc") && !could(r"^ab?c", "ca"));
        assert!(!could(r"^a.b.c", "cba") && could(r"^a.b.c", "a-b-c"));
        assert!(could(r"^(?i)case", "CASE") && could(r"^é?x", "éx") && could(r"^é?x", "x"));
        let one = |written: Written, text| written.could_match_any([text].into_iter());
        assert!(one(
            Written::Text("the miner is registered"),
            "the miner is registered"
        ));
        assert!(!one(
            Written::Text("the miner is registered"),
            "the miner is registered with body:"
        ));
        // Several texts: whether any could; none at all: none could.
        let field = Written::Regex(field);
        let texts = [
            r#"the response status is 200"#,
            r#"the response field "x" holds at most 3 items"#,
        ];
        assert!(field.could_match_any(texts.into_iter()));
        assert!(!field.could_match_any(texts[..1].iter().copied()));
        assert!(!Written::Regex(r"^a|b").could_match_any(std::iter::empty()));
        assert!(Written::Regex(r"^a|b").could_match_any(["x"].into_iter()));
    }

    #[test]
    fn texts_are_read_with_their_quotes_and_backslashes_only() {
        assert_eq!(plain_text(r#"#[given("I note it")]"#), Some("I note it"));
        assert_eq!(
            plain_text(r#"#[then("reports \"x\"")]"#),
            Some(r#"reports \"x\""#)
        );
        assert_eq!(plain_text(r#"#[then("a \\ b")]"#), Some(r#"a \\ b"#));
        assert_eq!(plain_text(r#"#[then("a \n b")]"#), None);
        let quoted = Written::Text(r#"reports \"x\" \\"#);
        assert!(quoted.could_match_any([r#"reports "x" \"#].into_iter()));
        assert!(!quoted.could_match_any([r#"reports \"x\" \\"#].into_iter()));
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
