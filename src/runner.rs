//! Executes a loaded suite with cucumber: pre-parsed features in, one `Outcome` per scenario out.

use std::sync::Arc;

use cucumber::gherkin::{self, tagexpr::TagOperation};
use cucumber::{cli, parser, runner, World as _};
use futures::FutureExt as _;

use crate::report::collector::{Collector, Outcome};
use crate::target::RunContext;
use crate::world::ConformanceWorld;

/// How to execute.
#[derive(Debug, Clone)]
pub struct ExecOptions {
    pub tags: Option<TagOperation>,
    pub concurrency: usize,
    pub fail_fast: bool,
    /// How many scenarios the tag filter selects (for the progress line).
    pub expected: usize,
}

/// Hands cucumber the features `Suite::load` already parsed and checked.
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
pub async fn execute(
    features: Vec<gherkin::Feature>,
    ctx: Arc<RunContext>,
    options: &ExecOptions,
) -> (Vec<Outcome>, Vec<String>) {
    // The binary owns argv: cucumber gets its options from us, never from the process.
    let runner_cli = runner::basic::Cli {
        concurrency: Some(options.concurrency.max(1)),
        fail_fast: options.fail_fast,
        ..Default::default()
    };
    let opts = cli::Opts::<cli::Empty, runner::basic::Cli, cli::Empty, cli::Empty> {
        tags_filter: options.tags.clone(),
        runner: runner_cli,
        ..Default::default()
    };
    let collector = Collector::new(options.expected);
    let collector = ConformanceWorld::cucumber::<std::path::PathBuf>()
        .with_parser(Preparsed)
        .with_writer(collector)
        .before(move |_, _, _, world| {
            let ctx = Arc::clone(&ctx);
            async move { world.attach(ctx).await }.boxed_local()
        })
        .with_cli(opts)
        .run(features)
        .await;
    collector.clear_progress();
    (collector.outcomes, collector.parse_errors)
}
