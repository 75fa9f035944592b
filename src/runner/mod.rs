//! Executes a loaded suite with cucumber: pre-parsed features in, one `Outcome` per scenario out.

use std::sync::Arc;

use cucumber::gherkin;
use cucumber::runner::basic::ScenarioType;
use cucumber::{cli, parser, runner};
use futures::FutureExt as _;

pub(crate) mod collector;
pub(crate) mod outcome;
pub(crate) mod steps;

use self::collector::Collector;
use self::outcome::{Finished, Outcome};
use crate::target::RunContext;
use crate::world::ConformanceWorld;

/// Scenarios with this tag run alone on a live target (they share one miner identity).
pub(crate) const LIVE_SERIAL_TAG: &str = "live-serial";

/// How to execute.
#[derive(Debug, Clone)]
pub(crate) struct ExecOptions {
    pub(crate) concurrency: usize,
    pub(crate) fail_fast: bool,
    /// Honour `@live-serial`: true against a live target.
    pub(crate) live: bool,
    /// Also write cucumber-rs' Cucumber JSON.
    pub(crate) cucumber_json: bool,
}

/// What an execution gives back.
#[derive(Debug, Default)]
pub(crate) struct Executed {
    pub(crate) outcomes: Vec<Outcome>,
    /// Feature files cucumber itself could not parse.
    pub(crate) parse_errors: Vec<String>,
    /// With `cucumber_json`: the report, when the run finished.
    pub(crate) cucumber_json: Option<Vec<u8>>,
}

/// Hands cucumber the features `Suite::load` already parsed, checked and filtered.
struct Preparsed;

impl cucumber::Parser<Vec<gherkin::Feature>> for Preparsed {
    type Cli = cli::Empty;
    type Output = futures::stream::Iter<std::vec::IntoIter<parser::Result<gherkin::Feature>>>;

    fn parse(self, input: Vec<gherkin::Feature>, _: Self::Cli) -> Self::Output {
        let items: Vec<parser::Result<gherkin::Feature>> = input.into_iter().map(Ok).collect();
        futures::stream::iter(items)
    }
}

/// Runs the features concurrently; each scenario gets a fresh World attached to `ctx`.
/// Whether a scenario (or its feature or rule) is tagged `@live-serial`.
fn is_serial(
    feature: &gherkin::Feature,
    rule: Option<&gherkin::Rule>,
    scenario: &gherkin::Scenario,
) -> bool {
    let tags = feature.tags.iter().chain(rule.iter().flat_map(|r| &r.tags));
    tags.chain(&scenario.tags).any(|t| t == LIVE_SERIAL_TAG)
}

pub(crate) async fn execute(
    features: Vec<gherkin::Feature>,
    expected: usize,
    ctx: Arc<RunContext>,
    options: &ExecOptions,
    finished: Finished,
    steps: steps::Compiling,
) -> Executed {
    // The binary owns argv: cucumber gets its options from us, never from the process.
    let runner_cli = runner::basic::Cli {
        concurrency: Some(options.concurrency.max(1)),
        fail_fast: options.fail_fast,
        ..Default::default()
    };
    let opts = cli::Opts::<cli::Empty, runner::basic::Cli, cli::Empty, cli::Empty> {
        runner: runner_cli,
        ..Default::default()
    };
    let live = options.live;
    let mut writer = Collector::new(expected, finished);
    if options.cucumber_json {
        writer = writer.with_cucumber_json();
    }
    let steps = steps.for_features(&features);
    let collector = cucumber::Cucumber::<ConformanceWorld, _, std::path::PathBuf, _, _, _>::new()
        .steps(steps)
        .with_parser(Preparsed)
        .with_writer(writer)
        .which_scenario(move |feature, rule, scenario| {
            if live && is_serial(feature, rule, scenario) {
                ScenarioType::Serial
            } else {
                ScenarioType::Concurrent
            }
        })
        .before(move |feature, rule, scenario, world| {
            let ctx = Arc::clone(&ctx);
            let key = (
                feature.path.clone().unwrap_or_default(),
                scenario.position.line,
            );
            let serial = live && is_serial(feature, rule, scenario);
            async move { world.attach(ctx, key, serial).await }.boxed_local()
        })
        .after(|_, _, _, _, world| {
            // The serial turn ends with the scenario, not when cucumber drops its World.
            if let Some(world) = world {
                world.serial_turn = None;
            }
            async {}.boxed_local()
        })
        .with_cli(opts)
        .run(features)
        .await;
    collector.clear_progress();
    Executed {
        cucumber_json: collector.cucumber_json(),
        outcomes: collector.outcomes,
        parse_errors: collector.parse_errors,
    }
}
