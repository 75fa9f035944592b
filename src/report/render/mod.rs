//! The renderings of a summary a run leaves in `--report-dir`, chosen with `--format`.

pub(crate) mod har;
pub(crate) mod html;
pub(crate) mod junit;
pub(crate) mod markdown;

/// One kind of report file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum)]
pub(crate) enum Format {
    /// `summary.json`: everything, for machines (the baseline of a later gate).
    Json,
    /// `junit.xml`: for CI test panels.
    Junit,
    /// `summary.md`: for a pull-request comment (and GitHub's step summary).
    Md,
    /// `index.html`: one self-contained page with the tables, failures and trend charts.
    Html,
    /// `exchanges/<scenario>.har`: the HTTP exchanges of each failed scenario.
    Har,
    /// `cucumber.json`: the Cucumber JSON report of cucumber-rs' own writer (Allure, Jenkins'
    /// cucumber-reports, Xray, ReportPortal read it); a run only, not a re-render.
    CucumberJson,
}
