//! `report --from summary.json` (re-render) and `report merge` (join shard summaries).

use std::path::PathBuf;

use crate::cli::{MergeArgs, ReportArgs, ReportCommandArgs, ReportSubcommand};
use crate::error::{InputError, RunError};
use crate::exit;
use crate::redact::Redactor;
use crate::report::files::Output;
use crate::report::summary::{load_json, Summary};

/// `report --from FILE` or `report merge A B …`.
pub(crate) fn report(args: &ReportCommandArgs) -> Result<u8, RunError> {
    match (&args.merge, &args.from) {
        (Some(ReportSubcommand::Merge(merge)), _) => merge_shards(merge),
        (None, Some(from)) => rerender(from, &args.report),
        (None, None) => Err(InputError::Flag {
            flag: "--from",
            message: "say which summary.json to render (or `report merge A.json B.json …`)".into(),
        }
        .into()),
    }
}

/// Every chosen format again from a summary; the history is read for the charts, not appended.
fn rerender(from: &std::path::Path, report: &ReportArgs) -> Result<u8, RunError> {
    let summary: Summary = load_json(from)?;
    let history = report.place.history_path();
    let output = Output {
        dir: &report.place.report_dir,
        formats: &report.format,
        history: &history,
        record: false,
        exchanges: None,
        cucumber_json: None,
    };
    super::write_reports(&output, &summary, &Redactor::default(), false)?;
    Ok(exit::SUCCESS)
}

/// One summary from the shards', rendered and recorded; the exit code a whole run would have.
fn merge_shards(args: &MergeArgs) -> Result<u8, RunError> {
    let shards: Vec<(PathBuf, Summary)> = args
        .summaries
        .iter()
        .map(|path| load_json(path).map(|summary| (path.clone(), summary)))
        .collect::<Result<_, InputError>>()?;
    let mut summary = crate::report::merge::merge(shards)?;
    let gated = super::apply_gate(&mut summary, &args.gate)?;
    let history = args.report.place.history_path();
    let output = Output {
        dir: &args.report.place.report_dir,
        formats: &args.report.format,
        history: &history,
        record: true,
        exchanges: None,
        cucumber_json: None,
    };
    super::write_reports(&output, &summary, &Redactor::default(), false)?;
    let probe_failed = summary.probe.as_ref().is_some_and(super::probe::failed);
    Ok(if summary.interrupted {
        exit::INTERRUPTED
    } else if super::passed(&summary, gated) && !probe_failed {
        exit::SUCCESS
    } else {
        exit::SCENARIO_FAILED
    })
}
