//! The renderings of a summary a run leaves in `--report-dir`, chosen with `--format`.

pub mod har;
pub mod html;
pub mod junit;
pub mod markdown;

/// One kind of report file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum)]
pub enum Format {
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
}

impl Format {
    pub const ALL: [Format; 5] = [
        Format::Json,
        Format::Junit,
        Format::Md,
        Format::Html,
        Format::Har,
    ];
}
