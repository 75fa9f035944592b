//! Scenario outlines expanded in one pass. cucumber's `expand_examples` clones each outline with
//! its whole Examples table once per row (for 100 rows, 40 000 copied strings); this makes the
//! same scenarios from one copy of the outline per row, as the tests check against cucumber's.

use cucumber::gherkin::{self, Examples, Scenario};

/// An outline uses `<name>` where its Examples have no such column.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Unresolved {
    pub(crate) pos: gherkin::LineCol,
    pub(crate) name: String,
}

/// `feature` with each outline replaced by one scenario per Examples row (rules first, then
/// the feature's own, as cucumber does, so the first error is the one cucumber would report).
pub(crate) fn expand(mut feature: gherkin::Feature) -> Result<gherkin::Feature, Unresolved> {
    for rule in &mut feature.rules {
        rule.scenarios = expand_all(std::mem::take(&mut rule.scenarios))?;
    }
    feature.scenarios = expand_all(std::mem::take(&mut feature.scenarios))?;
    Ok(feature)
}

fn expand_all(scenarios: Vec<Scenario>) -> Result<Vec<Scenario>, Unresolved> {
    let mut out = Vec::with_capacity(scenarios.len());
    for scenario in scenarios {
        if scenario.examples.is_empty() {
            out.push(scenario);
        } else {
            expand_outline(scenario, &mut out)?;
        }
    }
    Ok(out)
}

/// One scenario per row of each Examples table; each keeps its Examples block with the header
/// and its own row only, takes the block's tags, and sits at the row's line.
fn expand_outline(mut outline: Scenario, out: &mut Vec<Scenario>) -> Result<(), Unresolved> {
    let examples = std::mem::take(&mut outline.examples);
    for example in &examples {
        let Some((header, rows)) = example.table.as_ref().and_then(|t| t.rows.split_first()) else {
            continue;
        };
        let mut own = Examples {
            table: None,
            ..example.clone()
        };
        for (index, row) in rows.iter().enumerate() {
            let mut scenario = outline.clone();
            scenario.position = example.position;
            scenario.position.line += index + 2;
            scenario.tags.extend(example.tags.iter().cloned());
            let values = Values { header, row };
            scenario.name = values.fill(&scenario.name, scenario.position)?;
            for step in &mut scenario.steps {
                let position = step.position;
                let texts = std::iter::once(&mut step.value)
                    .chain(step.docstring.iter_mut())
                    .chain(
                        step.table
                            .iter_mut()
                            .flat_map(|t| t.rows.iter_mut().flatten()),
                    );
                for text in texts {
                    *text = values.fill(text, position)?;
                }
            }
            // The row as far as the header goes, as cucumber pairs them.
            let cells = row.iter().zip(header).map(|(v, _)| v.clone()).collect();
            own.table = example.table.as_ref().map(|t| gherkin::Table {
                rows: vec![header.clone(), cells],
                span: t.span,
                position: t.position,
            });
            scenario.examples = vec![own.clone()];
            out.push(scenario);
        }
    }
    Ok(())
}

/// One Examples row, by column name.
struct Values<'a> {
    header: &'a [String],
    row: &'a [String],
}

impl Values<'_> {
    /// `text` with each placeholder replaced by its column's value; a placeholder without a
    /// column is an error at `pos` (the last such one of `text`, as cucumber reports).
    fn fill(&self, text: &str, pos: gherkin::LineCol) -> Result<String, Unresolved> {
        let (mut filled, mut missing) = (String::with_capacity(text.len()), None);
        let mut rest = text;
        while let Some(open) = rest.find('<') {
            let after = &rest[open + 1..];
            let name = after.find('>').map(|close| &after[..close]);
            let Some(name) = name.filter(|n| is_placeholder(n)) else {
                filled.push_str(&rest[..=open]);
                rest = after;
                continue;
            };
            filled.push_str(&rest[..open]);
            match self.header.iter().zip(self.row).find(|(k, _)| *k == name) {
                Some((_, value)) => filled.push_str(value),
                None => {
                    let name = name.to_owned();
                    missing = Some(Unresolved { pos, name });
                }
            }
            rest = &after[name.len() + 1..];
        }
        filled.push_str(rest);
        missing.map_or(Ok(filled), Err)
    }
}

/// A placeholder's name as cucumber reads one (`<([^>\s](?:[^>\s]?|[^>\t\n\r\v\f]*[^>\s]))>`):
/// not empty, neither starting nor ending with whitespace, no tab or line break inside.
fn is_placeholder(name: &str) -> bool {
    let ends = name.chars().next().zip(name.chars().next_back());
    ends.is_some_and(|(first, last)| !first.is_whitespace() && !last.is_whitespace())
        && !name.contains(['\t', '\n', '\r', '\x0B', '\x0C'])
}

#[cfg(test)]
mod tests {
    use cucumber::feature::Ext as _;
    use cucumber::gherkin::GherkinEnv;

    use super::*;

    fn both(
        text: &str,
    ) -> (
        Result<gherkin::Feature, Unresolved>,
        Result<gherkin::Feature, Unresolved>,
    ) {
        let feature = gherkin::Feature::parse(text, GherkinEnv::default()).unwrap();
        let theirs = feature.clone().expand_examples().map_err(|e| Unresolved {
            pos: e.pos,
            name: e.name,
        });
        (expand(feature), theirs)
    }

    #[test]
    fn every_feature_of_the_suite_and_the_peer_workload_expands_as_cucumber_expands_it() {
        fn walk(dir: &std::path::Path, into: &mut Vec<std::path::PathBuf>) {
            for entry in std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()) {
                if entry.is_dir() {
                    walk(&entry, into);
                } else if entry.extension().is_some_and(|e| e == "feature") {
                    into.push(entry);
                }
            }
        }
        let mut files = Vec::new();
        walk(std::path::Path::new("features"), &mut files);
        assert!(files.len() > 20, "the suite's feature files: {files:?}");
        // The peer workload's 100-row outline, where it is checked out beside this repository.
        files.push("../shared/bench/peer-workload/jobs.feature".into());
        let mut outlines = 0;
        for path in files.iter().filter(|p| p.exists()) {
            let text = std::fs::read_to_string(path).unwrap();
            outlines += text.matches("Examples:").count();
            let (ours, theirs) = both(&text);
            assert_eq!(ours.unwrap(), theirs.unwrap(), "{}", path.display());
        }
        assert!(outlines > 0, "the suite holds outlines to compare");
    }

    #[test]
    fn tags_docstrings_tables_rules_and_several_blocks_expand_alike() {
        let text = r#"Feature: f
  Scenario Outline: <name> and < spaced name >
    When I send POST /x with body:
      """
      {"v": "<value>", "w": "<value>"}
      """
    Then the table holds:
      | <name> | fixed |
    @first
    Examples: one
      | name | value | spaced name |
      | a    | 1     | s           |
      | b    | 2     | t           |
    @second @more
    Examples: two
      | name | value | spaced name |
      | c    | 3     | u           |
    Examples: none
  Scenario: plain
    Given nothing <here>
  Rule: r
    Scenario Outline: in a rule <a>
      Given I send GET /<a>
      Examples:
        | a |
        | 1 |
        | 2 |
"#;
        let (ours, theirs) = both(text);
        let ours = ours.unwrap();
        assert_eq!(ours, theirs.unwrap());
        assert_eq!(ours.scenarios.len(), 4);
        assert_eq!(ours.rules[0].scenarios.len(), 2);
    }

    #[test]
    fn a_missing_column_is_the_error_cucumber_reports() {
        let text = "Feature: f\n  Scenario Outline: s\n    Given <a> and <b> and <c>\n    Examples:\n      | a |\n      | 1 |\n";
        let (ours, theirs) = both(text);
        let ours = ours.unwrap_err();
        assert_eq!(ours, theirs.unwrap_err());
        assert_eq!(ours.name, "c");
    }

    #[test]
    fn odd_placeholders_are_read_as_cucumber_reads_them() {
        // Spaces, tabs, nested and unclosed brackets, an empty name, non-ASCII names and
        // whitespace: each either a placeholder or text, as cucumber's pattern decides.
        let docstring = "<a>\t<\ta> <a\t> <a\tb> <\u{a0}a> <a\u{a0}b> <> <<a> <a<b> <a\n>b>";
        let text = format!(
            "Feature: f\n  Scenario Outline: <a> <a b> < a> <a > <é> <a\u{2003}>\n    Given x <a>> <<a>> <a <a> <\n      \"\"\"\n      {docstring}\n      \"\"\"\n    Examples:\n      | a | a b | é | <a | a<b | \u{a0}a | a\u{a0}b | a <a |\n      | 1 | 2   | 3 | 4  | 5   | 6      | 7      | 8    |\n"
        );
        let (ours, theirs) = both(&text);
        let ours = ours.unwrap();
        assert_eq!(ours, theirs.unwrap());
        assert_eq!(ours.scenarios[0].name, "1 2 < a> <a > 3 <a\u{2003}>");
    }
}
