//! `junit.xml` for CI test panels, written with quick-junit (as nextest does): one testsuite per
//! command, `<failure>` for a broken expectation, `<error>` for a transport or harness error,
//! `<flakyFailure>` for a pass that needed a retry, `<skipped>` for what did not run.

use std::time::Duration;

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestRerun, TestSuite};

use crate::failure::FailureClass;
use crate::report::summary::{ScenarioReport, Status, Summary};

/// Whether a failure of this class is the target breaking an expectation (`failure`) or the
/// exchange never completing, or the scenario itself being wrong (`error`).
pub(crate) fn is_error(class: FailureClass) -> bool {
    matches!(
        class,
        FailureClass::Timeout
            | FailureClass::Unreachable
            | FailureClass::Transport
            | FailureClass::TooLarge
            | FailureClass::Harness
    )
}

/// The whole report as XML.
pub(crate) fn render(summary: &Summary) -> String {
    let mut report = Report::new(format!("aitbc-conformance ({} era)", summary.target.era));
    report.set_time(millis(summary.duration_ms));
    for command in summary.commands.iter().filter(|c| c.scenarios_total > 0) {
        let mut suite = TestSuite::new(command.command.as_str());
        suite.add_test_cases(
            summary
                .scenarios
                .iter()
                .filter(|s| s.command == command.command && s.status != Status::Skipped)
                .map(test_case),
        );
        report.add_test_suite(suite);
    }
    if let Some(probe) = &summary.probe {
        report.add_test_suite(probe_suite(probe));
    }
    report
        .to_string()
        .unwrap_or_else(|e| format!("<!-- junit.xml could not be written: {e} -->\n"))
}

/// The probe as one suite: a test case per probed operation and check, failed where a finding
/// is, skipped where the operation could not be reached.
fn probe_suite(probe: &crate::probe::finding::ProbeReport) -> TestSuite {
    use crate::probe::finding::Check;
    let mut suite = TestSuite::new("probe");
    for route in &probe.routes {
        let untested = probe
            .untested
            .iter()
            .find(|u| format!("{} {}", u.method, u.route) == *route);
        for check in Check::ALL {
            let found = probe
                .findings
                .iter()
                .find(|f| f.check == check && f.operation() == *route);
            let status = match (found, untested) {
                (Some(f), _) => {
                    let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
                    status.set_message(format!("{} {}: {}", f.status, f.input, f.curl));
                    status.set_type(check.name());
                    status.set_description(f.answer.as_str());
                    status
                }
                (None, Some(u)) => {
                    let mut status = TestCaseStatus::skipped();
                    status.set_message(u.reason.as_str());
                    status
                }
                (None, None) => TestCaseStatus::success(),
            };
            suite.add_test_case(TestCase::new(format!("{route} {}", check.name()), status));
        }
    }
    suite
}

fn test_case(s: &ScenarioReport) -> TestCase {
    let failure = s.failure.as_ref();
    let status = match (s.status, failure) {
        (Status::Passed, _) => TestCaseStatus::success(),
        (Status::Flaky, _) => {
            let mut status = TestCaseStatus::success();
            let mut rerun = TestRerun::new(NonSuccessKind::Failure);
            rerun.set_message(
                "failed before a retry passed (a timeout, a refused connection or a 503)",
            );
            status.add_rerun(rerun);
            status
        }
        (Status::Failed, Some(f)) => {
            let kind = if is_error(f.class) {
                NonSuccessKind::Error
            } else {
                NonSuccessKind::Failure
            };
            let mut status = TestCaseStatus::non_success(kind);
            status
                .set_type(f.class.as_str())
                .set_message(f.message.as_str())
                .set_description(f.step.as_str());
            status
        }
        (Status::Failed, None) => TestCaseStatus::non_success(NonSuccessKind::Error),
        (Status::Blocked | Status::Skipped | Status::NotRun, _) => {
            let mut status = TestCaseStatus::skipped();
            let why = failure.map_or("not run", |f| f.message.as_str());
            status.set_message(why);
            status
        }
    };
    let mut case = TestCase::new(s.name.as_str(), status);
    case.set_classname(s.command.as_str())
        .set_time(millis(s.duration_ms));
    case.extra.insert("file".into(), s.file.as_str().into());
    case.extra.insert("line".into(), s.line.to_string().into());
    case
}

fn millis(ms: f64) -> Duration {
    Duration::from_secs_f64((ms / 1000.0).max(0.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::summary::{CommandSpec, FailureReport, RunFacts};

    fn scenario(line: usize, status: Status, class: Option<FailureClass>) -> ScenarioReport {
        ScenarioReport {
            feature: "F".into(),
            file: "f.feature".into(),
            line,
            name: format!("s{line}"),
            command: "cmd a".into(),
            status,
            duration_ms: 1.0,
            failure: class.map(|class| FailureReport {
                step: "Then x".into(),
                class,
                message: format!("why {line}"),
            }),
            direct: false,
            cli: false,
        }
    }

    #[test]
    fn each_status_has_its_junit_element() {
        let scenarios = vec![
            scenario(1, Status::Passed, None),
            scenario(2, Status::Flaky, None),
            scenario(3, Status::Failed, Some(FailureClass::Contract)),
            scenario(4, Status::Failed, Some(FailureClass::Timeout)),
            scenario(5, Status::Blocked, Some(FailureClass::Auth)),
            scenario(6, Status::NotRun, None),
            scenario(7, Status::Skipped, Some(FailureClass::NotApplicable)),
        ];
        let endpoints = vec!["GET /a".to_string()];
        let spec = CommandSpec {
            cli: "cmd a",
            id: "a",
            endpoints: &endpoints,
            no_cli: None,
            group: crate::catalog::Group::Cli,
        };
        let summary = Summary::assemble([spec], scenarios, RunFacts::default());
        let xml = render(&summary);
        assert_eq!(
            xml.matches("<testcase ").count(),
            6,
            "a skipped scenario is not counted"
        );
        assert_eq!(xml.matches("<flakyFailure").count(), 1);
        assert_eq!(xml.matches("<failure ").count(), 1);
        assert_eq!(xml.matches("<error ").count(), 1);
        assert_eq!(xml.matches("<skipped").count(), 2);
        assert!(xml.contains("message=\"why 3\" type=\"contract\""), "{xml}");
        assert!(xml.contains("type=\"timeout\""), "{xml}");
    }
}
