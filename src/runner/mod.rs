//! Executes a loaded suite with cucumber: pre-parsed features in, one `Outcome` per scenario out.

use std::sync::Arc;

use cucumber::gherkin;
use cucumber::runner::basic::ScenarioType;
use cucumber::{cli, parser, runner};
use futures::FutureExt as _;

pub(crate) mod collector;
pub(crate) mod outcome;
mod patterns;
pub(crate) mod steps;
pub(crate) mod workers;

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
    /// Threads that run scenarios, each a share of them with a cucumber runner of its own.
    pub(crate) workers: usize,
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

/// Whether a scenario (or its feature or rule) is tagged `@live-serial`.
fn is_serial(
    feature: &gherkin::Feature,
    rule: Option<&gherkin::Rule>,
    scenario: &gherkin::Scenario,
) -> bool {
    let tags = feature.tags.iter().chain(rule.iter().flat_map(|r| &r.tags));
    tags.chain(&scenario.tags).any(|t| t == LIVE_SERIAL_TAG)
}

/// Runs the features concurrently, dealt to `options.workers` threads (this one among them);
/// the outcomes of all of them.
pub(crate) async fn execute(
    features: Vec<gherkin::Feature>,
    expected: usize,
    ctx: Arc<RunContext>,
    options: &ExecOptions,
    finished: Finished,
    steps: steps::Compiling,
) -> Executed {
    let steps = steps.for_features(&features);
    // Each cucumber runner silences the process's panic hook while it runs and restores what it
    // found: runners that overlap would restore each other's silence for good. Silenced once for
    // them all here, and restored when all are done.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let share = Share {
        expected,
        ctx,
        options: options.clone(),
        finished,
        steps,
    };
    let executed = execute_shares(features, share).await;
    std::panic::set_hook(hook);
    executed
}

/// The shares of `features` on their threads, this one's here; all their outcomes.
async fn execute_shares(features: Vec<gherkin::Feature>, mut share: Share) -> Executed {
    let mut shares = workers::deal(features, share.options.workers).into_iter();
    let own = shares.next().unwrap_or_default();
    // `--concurrency` is the whole run's: each worker runs its part of it.
    let workers = shares.len() + 1;
    share.options.concurrency = share.options.concurrency.div_ceil(workers).max(1);
    let helpers: Vec<_> = shares
        .map(|features| {
            let share = share.clone();
            let (tx, rx) = futures::channel::oneshot::channel();
            std::thread::spawn(move || {
                let ran = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(runtime) => Ok(runtime.block_on(share.run(features))),
                    // A worker without a runtime hands its share back to run here.
                    Err(_) => Err(features),
                };
                let _ = tx.send(ran);
            });
            rx
        })
        .collect();
    let mut executed = share.clone().run(own).await;
    let mut json: Vec<_> = executed.cucumber_json.take().into_iter().collect();
    for helper in helpers {
        let theirs = match helper.await {
            Ok(Ok(theirs)) => theirs,
            Ok(Err(features)) => share.clone().run(features).await,
            // The worker's thread ended without an answer: its scenarios have no outcome.
            Err(_) => Executed::default(),
        };
        executed.outcomes.extend(theirs.outcomes);
        executed.parse_errors.extend(theirs.parse_errors);
        json.extend(theirs.cucumber_json);
    }
    executed.cucumber_json = workers::merge_cucumber_json(json);
    executed
}

/// What every share of a run runs with.
#[derive(Clone)]
struct Share {
    expected: usize,
    ctx: Arc<RunContext>,
    options: ExecOptions,
    finished: Finished,
    steps: cucumber::step::Collection<ConformanceWorld>,
}

impl Share {
    /// Runs `features` on this thread's runtime; each scenario gets a fresh World attached to
    /// the run's context.
    async fn run(self, features: Vec<gherkin::Feature>) -> Executed {
        let Self {
            expected,
            ctx,
            options,
            finished,
            steps,
        } = self;
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
        let collector =
            cucumber::Cucumber::<ConformanceWorld, _, std::path::PathBuf, _, _, _>::new()
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
}
