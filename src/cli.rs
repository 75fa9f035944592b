//! The command line (clap derive). Every flag also reads an `AITBC_CONFORMANCE_*` variable.

use std::path::PathBuf;
use std::time::Duration;

use crate::units::{parse_duration, parse_size};
use clap::{Args, Parser, Subcommand};
use cucumber::gherkin::tagexpr::TagOperation;

/// Conformance harness for the AITBC coordinator and blockchain node.
///
/// Runs Gherkin scenarios (features/) against an embedded, stateful double of the
/// coordinator and node (the default) or a live target, and reports, per `aitbc` CLI command,
/// how many scenarios pass, with the headline "N/M commands working" (and, with --cli, a second
/// one: how many work end to end through the user's own CLI).
///
/// Exit codes: 0 every scenario passed; 1 some scenario failed (with a gate flag: the gate
/// failed); 2 usage or input error (the message names the file and line or the flag); 3 a live
/// target is unreachable; 4 the harness could not finish (e.g. reports could not be written, or
/// a secret reached one); 130 interrupted.
#[derive(Debug, Parser)]
#[command(name = "aitbc-conformance", version, propagate_version = true)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Run the scenarios and write reports (summary.json, junit.xml, summary.md, index.html,
    /// exchanges/*.har of failures) and append the run to history.jsonl.
    Run(Box<RunArgs>),
    /// Print each era's command catalog: its commands by group, their endpoints and how many
    /// scenarios cover them.
    List(ListArgs),
    /// Serve the double standalone on 127.0.0.1 until interrupted, for any client (curl, the
    /// real `aitbc` CLI, `run --coordinator-url`). One shared state for its whole life.
    Double(DoubleArgs),
    /// Compare two summary.json files: per command fixed / regressed / unchanged / new /
    /// removed, and the scenarios that changed. Exit 1 on any regression.
    Compare(CompareArgs),
    /// The recorded runs: one line each (time, revision, headline, trend) and the commands
    /// whose verdict flipped between consecutive runs.
    History(HistoryArgs),
    /// Before a deploy: does every command still have the endpoints it needs? Judged from the
    /// services' OpenAPI documents (declared / missing / covered by fallback), or by one harmless
    /// probe per endpoint where a service publishes none. Exit 0 every command keeps what it
    /// needs, 1 one loses an endpoint, 2 bad input, 3 a service is unreachable.
    Check(Box<CheckArgs>),
    /// Re-render every report from a summary.json (`--from`), or merge the summaries of
    /// `run --shard` slices into one (`report merge`), without running anything.
    Report(Box<ReportCommandArgs>),
}

/// Where the reports and the run history are.
#[derive(Debug, Clone, Args)]
pub(crate) struct ReportPlace {
    /// Where the report files go: summary.json, junit.xml, summary.md, index.html,
    /// exchanges/*.har (and history.jsonl, unless --history says otherwise).
    #[arg(
        long,
        env = "AITBC_CONFORMANCE_REPORT_DIR",
        default_value = "reports",
        value_name = "DIR"
    )]
    pub(crate) report_dir: PathBuf,

    /// The run history: appended to by each run, charted in index.html (default:
    /// history.jsonl in the report directory).
    #[arg(long, env = "AITBC_CONFORMANCE_HISTORY", value_name = "FILE")]
    pub(crate) history: Option<PathBuf>,
}

impl ReportPlace {
    /// `--history`, or `history.jsonl` in the report directory.
    pub(crate) fn history_path(&self) -> PathBuf {
        self.history
            .clone()
            .unwrap_or_else(|| self.report_dir.join("history.jsonl"))
    }
}

/// Where the reports go and which are written.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Reports")]
pub(crate) struct ReportArgs {
    #[command(flatten)]
    pub(crate) place: ReportPlace,

    /// Which report files to write, comma-separated: json, junit, md, html, har.
    #[arg(
        long,
        env = "AITBC_CONFORMANCE_FORMAT",
        value_enum,
        value_delimiter = ',',
        default_value = "json,junit,md,html,har",
        value_name = "LIST"
    )]
    pub(crate) format: Vec<crate::report::render::Format>,
}

#[derive(Debug, Clone, Args)]
pub(crate) struct HistoryArgs {
    #[command(flatten)]
    pub(crate) place: ReportPlace,

    /// Only the last N runs.
    #[arg(
        long,
        env = "AITBC_CONFORMANCE_HISTORY_LAST",
        default_value_t = 20,
        value_name = "N"
    )]
    pub(crate) last: usize,
}

#[derive(Debug, Clone, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub(crate) struct ReportCommandArgs {
    #[command(subcommand)]
    pub(crate) merge: Option<ReportSubcommand>,

    /// The summary.json to render (HAR files come only from a run: they need the exchanges).
    #[arg(
        long,
        env = "AITBC_CONFORMANCE_REPORT_FROM",
        value_name = "FILE",
        required = true
    )]
    pub(crate) from: Option<PathBuf>,

    #[command(flatten)]
    pub(crate) report: ReportArgs,
}

#[derive(Debug, Clone, Subcommand)]
pub(crate) enum ReportSubcommand {
    /// Join the summary.json files of `run --shard 1/N` … `N/N` into one summary (verdicts
    /// judged over all their scenarios, as one run would), render every report, append it to
    /// the history, and exit as that run would (the gate flags apply).
    Merge(MergeArgs),
}

#[derive(Debug, Clone, Args)]
pub(crate) struct MergeArgs {
    /// The shards' summary.json files.
    #[arg(required = true, num_args = 1.., value_name = "SUMMARY")]
    pub(crate) summaries: Vec<PathBuf>,

    #[command(flatten)]
    pub(crate) report: ReportArgs,

    #[command(flatten)]
    pub(crate) gate: GateArgs,
}

#[derive(Debug, Clone, Args)]
pub(crate) struct CompareArgs {
    /// The earlier summary.json.
    pub(crate) old: PathBuf,
    /// The later summary.json.
    pub(crate) new: PathBuf,
}

/// The CI gate: without any of these flags the exit codes are as documented for `run`.
#[derive(Debug, Clone, Args)]
pub(crate) struct GateArgs {
    /// An earlier summary.json to compare with (e.g. the main branch's last run).
    #[arg(long, env = "AITBC_CONFORMANCE_BASELINE", value_name = "FILE")]
    pub(crate) baseline: Option<PathBuf>,

    /// With --baseline: fail (exit 1) only when a command that worked in the baseline does not
    /// now, or a scenario that passed now fails; known breakages do not fail the run.
    #[arg(
        long,
        env = "AITBC_CONFORMANCE_FAIL_ON_REGRESSION",
        requires = "baseline"
    )]
    pub(crate) fail_on_regression: bool,

    /// Fail (exit 1) when fewer than R percent of the commands work (the headline's rate).
    #[arg(long, env = "AITBC_CONFORMANCE_MIN_PASS_RATE", value_name = "R",
          value_parser = parse_percent)]
    pub(crate) min_pass_rate: Option<f64>,

    /// Commands known to be broken, comma-separated in CLI spelling ("agent create,agent
    /// list"): they fail neither the gate nor hide a regression elsewhere; one that starts
    /// working is reported.
    #[arg(
        long,
        env = "AITBC_CONFORMANCE_ALLOW_FAILING",
        value_name = "LIST",
        value_delimiter = ','
    )]
    pub(crate) allow_failing: Vec<String>,

    /// The same list in a file: one command a line, `#` starts a comment.
    #[arg(
        long,
        env = "AITBC_CONFORMANCE_ALLOW_FAILING_FILE",
        value_name = "FILE"
    )]
    pub(crate) allow_failing_file: Option<PathBuf>,

    /// Fail (exit 1) when an endpoint's p95 latency is over this: `500ms` for every endpoint, or
    /// per endpoint, `"GET /rpc/head=200ms,POST /v1/jobs=1s"` (a bare duration among them is
    /// the default for the others). A request that timed out counts with its wait.
    #[arg(long, env = "AITBC_CONFORMANCE_MAX_P95", value_name = "SPEC",
          value_parser = crate::report::gate::MaxP95::parse)]
    pub(crate) max_p95: Option<crate::report::gate::MaxP95>,

    /// With --baseline: fail when an endpoint's p95 latency rose more than PCT percent over the
    /// baseline's (and by more than 10 ms: smaller moves are noise).
    #[arg(long, env = "AITBC_CONFORMANCE_P95_TOLERANCE", value_name = "PCT",
          requires = "baseline", value_parser = parse_tolerance)]
    pub(crate) p95_tolerance: Option<f64>,

    /// Count scenarios that could not run for lack of a credential (blocked, reported as
    /// untested) as failures: the run exits 1 while any is left. Off by default: with one
    /// credential per role, the scenarios that need a second one do not make the gate red.
    #[arg(long, env = "AITBC_CONFORMANCE_STRICT")]
    pub(crate) strict: bool,
}

/// A tolerance in percent, 0 or more (`50`, `50%`, `200`).
fn parse_tolerance(text: &str) -> Result<f64, String> {
    let value: f64 = text
        .trim()
        .trim_end_matches('%')
        .parse()
        .map_err(|_| format!("{text:?} is not a percentage; e.g. 50"))?;
    if value >= 0.0 {
        Ok(value)
    } else {
        Err(format!("{text:?}: a tolerance is 0 % or more"))
    }
}

fn parse_percent(text: &str) -> Result<f64, String> {
    let value: f64 = text
        .trim()
        .trim_end_matches('%')
        .parse()
        .map_err(|_| format!("{text:?} is not a percentage; e.g. 80 or 47.4"))?;
    if (0.0..=100.0).contains(&value) {
        Ok(value)
    } else {
        Err(format!("{text:?}: a percentage is between 0 and 100"))
    }
}

/// Where the suite and its data live.
#[derive(Debug, Clone, Args)]
pub(crate) struct SuiteArgs {
    /// Folder of .feature files (searched recursively), or one .feature file.
    #[arg(
        long,
        env = "AITBC_CONFORMANCE_FEATURES",
        default_value = "features",
        value_name = "DIR"
    )]
    pub(crate) features: PathBuf,

    /// Folder holding commands.yaml and commands-jwt.yaml (each era's command catalog; the first
    /// alone judges both eras) and double.yaml (the double's seed).
    #[arg(
        long,
        env = "AITBC_CONFORMANCE_FIXTURES",
        default_value = "fixtures",
        value_name = "DIR"
    )]
    pub(crate) fixtures: PathBuf,
}

#[derive(Debug, Clone, Args)]
pub(crate) struct RunArgs {
    #[command(flatten)]
    pub(crate) suite: SuiteArgs,

    /// Only scenarios matching this cucumber tag expression, e.g. "@command:client-submit or @blocks".
    #[arg(long, env = "AITBC_CONFORMANCE_TAGS", value_name = "EXPR", value_parser = parse_tags)]
    pub(crate) tags: Option<TagOperation>,

    /// How many scenarios run at once.
    #[arg(long, env = "AITBC_CONFORMANCE_CONCURRENCY", default_value_t = 32, value_name = "N",
          value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub(crate) concurrency: u16,

    /// Stop starting new scenarios after the first failure.
    #[arg(long, env = "AITBC_CONFORMANCE_FAIL_FAST")]
    pub(crate) fail_fast: bool,

    /// Threads that run scenarios, each a share of them with its own connections and a
    /// cucumber runner of its own (one is busy at a whole core on a fast target) [default: the
    /// machine's cores, at most 4]. One with --fail-fast, and on a live target when a selected
    /// scenario is @live-serial (it must run alone).
    #[arg(long, env = "AITBC_CONFORMANCE_WORKERS", value_name = "N",
          value_parser = clap::value_parser!(u16).range(1..=64))]
    pub(crate) workers: Option<u16>,

    #[command(flatten)]
    pub(crate) report: ReportArgs,

    #[command(flatten)]
    pub(crate) judge: JudgeArgs,

    /// Run only the K-th of N deterministic slices of the selected scenarios (e.g. 2/4), for a
    /// CI matrix; `report merge` joins the shards' summary.json files into one verdict. A
    /// scenario's slice is fixed by a hash of its file and name, so adding scenarios elsewhere
    /// moves no other.
    #[arg(long, env = "AITBC_CONFORMANCE_SHARD", value_name = "K/N",
          value_parser = crate::suite::Shard::parse)]
    pub(crate) shard: Option<crate::suite::Shard>,

    /// The largest answer body read (e.g. 2MB, 512KB, 1048576): beyond it reading stops and the
    /// exchange fails with class too_large, so memory stays bounded whatever a target sends.
    #[arg(long, env = "AITBC_CONFORMANCE_MAX_BODY", default_value = "2MB", value_name = "SIZE",
          value_parser = parse_size)]
    pub(crate) max_body: usize,

    /// Print only the headline, not the table.
    #[arg(long, short, env = "AITBC_CONFORMANCE_QUIET")]
    pub(crate) quiet: bool,

    /// Retry a request after a transport error, 503 or 429 up to N times: backoff from 25 ms,
    /// honouring Retry-After up to 60 s. A scenario that passes only thanks to a retry after a
    /// transport error or 503 is reported `flaky`, never `passed` (a 429 retry is pacing).
    /// Default: 2 against a live target, 0 against the double.
    #[arg(long, env = "AITBC_CONFORMANCE_RETRIES", value_name = "N",
          value_parser = clap::value_parser!(u32).range(0..=10))]
    pub(crate) retries: Option<u32>,

    /// Client-side rate limits, so a live run meets no 429 of its own making: `contract` (the
    /// default on a live target: POST /v1/jobs 100/min, register 30/min, heartbeat 60/min,
    /// admin stats 20/min, node 200/min, login routes 20/min), `off` (the default on the
    /// double), or overrides such as `node=100/60s,submit=50/1m`.
    #[arg(long, env = "AITBC_CONFORMANCE_RATE_LIMITS", value_name = "SPEC",
          value_parser = crate::pacing::RateLimits::parse)]
    pub(crate) rate_limits: Option<crate::pacing::RateLimits>,

    /// Response snapshots: check (default; a mismatch fails and, outside CI, leaves a
    /// .snap.new for `cargo insta review`), update (write them), off.
    #[arg(
        long,
        env = "AITBC_CONFORMANCE_SNAPSHOTS",
        value_enum,
        default_value = "check"
    )]
    pub(crate) snapshots: crate::snapshot::Mode,

    /// Where the snapshots live (one folder per feature file).
    #[arg(
        long,
        env = "AITBC_CONFORMANCE_SNAPSHOTS_DIR",
        default_value = "snapshots",
        value_name = "DIR"
    )]
    pub(crate) snapshots_dir: PathBuf,

    /// After a full run, fail (exit 1) when a snapshot file was referenced by no scenario.
    #[arg(long, env = "AITBC_CONFORMANCE_REJECT_UNREFERENCED")]
    pub(crate) reject_unreferenced: bool,

    #[command(flatten)]
    pub(crate) live: LiveArgs,

    #[command(flatten)]
    pub(crate) openapi: OpenApiArgs,

    /// The user's aitbc CLI, to run the @cli scenarios with: `aitbc`, `python3 -m aitbc_cli`, or
    /// a path (split on whitespace); the released one for the api-key era, today's for --era
    /// jwt. Without it those scenarios are skipped, not failed. Its `--version` names the
    /// headline's CLI.
    #[arg(long, env = "AITBC_CONFORMANCE_CLI", value_name = "COMMAND")]
    pub(crate) cli: Option<String>,

    /// The --cli's version, when its `--version` does not say (e.g. 0.10.18): the headline
    /// reads "N/M commands of aitbc VERSION".
    #[arg(long, env = "AITBC_CONFORMANCE_CLI_VERSION", value_name = "VERSION")]
    pub(crate) cli_version: Option<String>,

    /// How long one CLI invocation may take before it is killed (`miner mine` on an empty
    /// queue never returns; today's CLI takes about 5 s to start).
    #[arg(long, env = "AITBC_CONFORMANCE_CLI_TIMEOUT", default_value = "30s", value_name = "DURATION",
          value_parser = parse_duration)]
    pub(crate) cli_timeout: Duration,

    /// Production-safe: run only the scenarios tagged @read-only, which change nothing on the
    /// target (no POST, PUT, PATCH or DELETE: no submit, register, cancel or login), and refuse
    /// to start if a selected step would send one. The preflight then sends only GETs; give
    /// tokens, not wallet keys, in the JWT era. Commands no read-only scenario covers are
    /// untested, not broken.
    #[arg(long, env = "AITBC_CONFORMANCE_READ_ONLY", conflicts_with_all = ["probe", "probe_only", "cli"])]
    pub(crate) read_only: bool,

    /// Run again every DURATION (e.g. 5m) until SIGTERM or Ctrl-C, each run a fresh one that
    /// appends to the history and rewrites the reports and the --metrics file; with --repeat,
    /// that many runs at most.
    #[arg(long, env = "AITBC_CONFORMANCE_EVERY", value_name = "DURATION", value_parser = parse_duration)]
    pub(crate) every: Option<Duration>,

    /// With --every: stop after N runs.
    #[arg(
        long,
        env = "AITBC_CONFORMANCE_REPEAT",
        value_name = "N",
        requires = "every"
    )]
    pub(crate) repeat: Option<u64>,

    /// Do not validate answers against the services' OpenAPI documents.
    #[arg(long, env = "AITBC_CONFORMANCE_NO_SCHEMA")]
    pub(crate) no_schema: bool,

    #[command(flatten)]
    pub(crate) gate: GateArgs,

    #[command(flatten)]
    pub(crate) probe: ProbeArgs,

    #[command(flatten)]
    pub(crate) metrics: MetricsArgs,

    /// The revision the run is filed under in the reports and history (default: GITHUB_SHA,
    /// else the working directory's git commit, if any).
    #[arg(long, env = "AITBC_CONFORMANCE_REVISION", value_name = "REV")]
    pub(crate) revision: Option<String>,
}

/// The run as Prometheus metrics.
#[derive(Debug, Clone, Args)]
pub(crate) struct MetricsArgs {
    /// Write the run's metrics (Prometheus text format 0.0.4) to FILE, atomically: put it in the
    /// folder node_exporter's textfile collector reads (`*.prom`).
    #[arg(long, env = "AITBC_CONFORMANCE_METRICS", value_name = "FILE")]
    pub(crate) metrics: Option<PathBuf>,

    /// Push the run's metrics to this Pushgateway (e.g. http://127.0.0.1:9091), grouped by job,
    /// era and target; a push that fails is a warning, never a lost run.
    #[arg(long, env = "AITBC_CONFORMANCE_PUSHGATEWAY", value_name = "URL")]
    pub(crate) pushgateway: Option<String>,

    /// The job the Pushgateway files the run's metrics under.
    #[arg(
        long,
        env = "AITBC_CONFORMANCE_PUSHGATEWAY_JOB",
        default_value = "aitbc_conformance",
        value_name = "NAME"
    )]
    pub(crate) pushgateway_job: String,
}

/// Negative and boundary probing of each command's routes (`run --probe`).
#[derive(Debug, Clone, Args)]
pub(crate) struct ProbeArgs {
    /// After the scenarios, probe every route of the contract the target's OpenAPI document
    /// declares (the contract's own where the target's cannot be had): boundary, wrong-type,
    /// missing and malformed inputs, live objects of other states and owners, the wrong roles.
    /// Findings (5xx, schema-invalid input accepted, schema-valid input answered 422, 2xx
    /// bodies off their schema or not JSON, a route answering without its role) fail the run
    /// and go in every report. It sends writes: never against production.
    #[arg(long, env = "AITBC_CONFORMANCE_PROBE")]
    pub(crate) probe: bool,

    /// Probe only: no scenario runs (the headline's commands are then untested).
    #[arg(long, env = "AITBC_CONFORMANCE_PROBE_ONLY")]
    pub(crate) probe_only: bool,

    /// The longest the probe may take; it stops there and says so.
    #[arg(long, env = "AITBC_CONFORMANCE_PROBE_BUDGET", default_value = "60s", value_name = "DURATION",
          value_parser = parse_duration)]
    pub(crate) probe_budget: Duration,

    /// The seed of the random phase: the same seed, target and state give the same requests.
    #[arg(
        long,
        env = "AITBC_CONFORMANCE_PROBE_SEED",
        default_value_t = 42,
        value_name = "N"
    )]
    pub(crate) probe_seed: u64,

    /// Random requests after the deterministic ones (combinations of one to three varied
    /// inputs, with random text and numbers).
    #[arg(
        long,
        env = "AITBC_CONFORMANCE_PROBE_RANDOM",
        default_value_t = 300,
        value_name = "N"
    )]
    pub(crate) probe_random: usize,

    /// Requests per route per minute at most, against a live target: the current coordinator
    /// limits most routes on its own (10 a minute the least), so the default draws no 429.
    #[arg(
        long,
        env = "AITBC_CONFORMANCE_PROBE_ROUTE_RATE",
        default_value_t = 9,
        value_name = "N"
    )]
    pub(crate) probe_route_rate: u32,

    /// With --baseline: only probe findings the baseline's summary.json does not have fail
    /// the run (same route, check and error signature), so a backend with known findings can
    /// adopt the probe.
    #[arg(
        long,
        env = "AITBC_CONFORMANCE_FAIL_ON_NEW_FINDINGS",
        requires = "baseline"
    )]
    pub(crate) fail_on_new_findings: bool,
}

impl ProbeArgs {
    /// Whether the probe runs.
    pub(crate) fn wanted(&self) -> bool {
        self.probe || self.probe_only
    }
}

/// What is judged and how patiently, shared by `run` and `check`.
#[derive(Debug, Clone, Args)]
pub(crate) struct JudgeArgs {
    /// Without a live URL: degrade the embedded double with a profile name from
    /// <fixtures>/profiles/ (healthy, keys-unset, routes-missing, no-by-hash, server-errors,
    /// flaky, slow, drift, tokens-only, aitbc-35a546ee0, aitbc-c27c6545b) or a YAML file.
    #[arg(
        long,
        env = "AITBC_CONFORMANCE_PROFILE",
        default_value = "healthy",
        value_name = "NAME"
    )]
    pub(crate) profile: String,

    /// Which generation of the coordinator to judge: api-key (contract §2), jwt (§12), or auto
    /// (a live target is told by its own answers; ready tokens or wallet keys for clients or
    /// admins mean jwt). A given era is judged even where the target's answers disagree (a
    /// warning says so, with the evidence); it also picks the default ports of a URL not given.
    /// The embedded double is api-key unless --era jwt.
    #[arg(
        long,
        env = "AITBC_CONFORMANCE_ERA",
        value_enum,
        default_value = "auto"
    )]
    pub(crate) era: crate::auth::EraChoice,

    /// Per-request timeout covering the whole body, e.g. 5s, 800ms, 2m.
    #[arg(long, env = "AITBC_CONFORMANCE_TIMEOUT", default_value = "5s", value_name = "DURATION",
          value_parser = parse_duration)]
    pub(crate) timeout: Duration,
}

#[derive(Debug, Clone, Args)]
pub(crate) struct CheckArgs {
    #[command(flatten)]
    pub(crate) suite: SuiteArgs,

    #[command(flatten)]
    pub(crate) live: LiveArgs,

    #[command(flatten)]
    pub(crate) openapi: OpenApiArgs,

    #[command(flatten)]
    pub(crate) judge: JudgeArgs,

    /// Where check.json and check.md go.
    #[arg(
        long,
        env = "AITBC_CONFORMANCE_REPORT_DIR",
        default_value = "reports",
        value_name = "DIR"
    )]
    pub(crate) report_dir: PathBuf,
}

/// Where the services' OpenAPI documents come from.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "OpenAPI documents")]
pub(crate) struct OpenApiArgs {
    /// The coordinator's document: a file (JSON or YAML) or a URL (default: its /openapi.json;
    /// the embedded double's is the contract's own).
    #[arg(
        long,
        env = "AITBC_CONFORMANCE_OPENAPI_COORDINATOR",
        value_name = "FILE|URL"
    )]
    pub(crate) openapi_coordinator: Option<String>,

    /// The node's document: a file or a URL (default: its /openapi.json).
    #[arg(long, env = "AITBC_CONFORMANCE_OPENAPI_NODE", value_name = "FILE|URL")]
    pub(crate) openapi_node: Option<String>,
}

impl OpenApiArgs {
    /// Where a service's document is: the flag, else `<base URL>/openapi.json`.
    pub(crate) fn source(
        &self,
        service: crate::openapi::Service,
        base: &str,
    ) -> crate::openapi::load::Source {
        let given = match service {
            crate::openapi::Service::Coordinator => &self.openapi_coordinator,
            crate::openapi::Service::Node => &self.openapi_node,
        };
        given.as_deref().map_or_else(
            || {
                crate::openapi::load::Source::Url(format!(
                    "{}/openapi.json",
                    base.trim_end_matches('/')
                ))
            },
            crate::openapi::load::Source::parse,
        )
    }
}

/// A live coordinator and node. Given either URL the run is live; given none it uses the double.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Live target")]
pub(crate) struct LiveArgs {
    /// Coordinator base URL, e.g. http://127.0.0.1:8000 (also read from AITBC_URL, the CLI's own).
    #[arg(long, env = "AITBC_COORDINATOR_URL", value_name = "URL")]
    pub(crate) coordinator_url: Option<String>,

    /// Node RPC base URL, e.g. http://127.0.0.1:8082.
    #[arg(long, env = "AITBC_NODE_URL", value_name = "URL")]
    pub(crate) node_url: Option<String>,

    /// A PEM file of the CA that signed an https target's certificate (a private CA), trusted
    /// besides the system's roots.
    #[arg(long, env = "AITBC_CONFORMANCE_CACERT", value_name = "FILE")]
    pub(crate) cacert: Option<std::path::PathBuf>,

    /// Do not verify an https target's certificate (a self-signed staging server). Said loudly
    /// in the output and recorded in summary.json.
    #[arg(long, env = "AITBC_CONFORMANCE_INSECURE")]
    pub(crate) insecure: bool,

    /// The coordinator's .env: CLIENT_API_KEYS, MINER_API_KEYS, ADMIN_API_KEYS (JSON arrays)
    /// supply any key not given by a flag (first = the role's key, second = the "other" one).
    #[arg(long, env = "AITBC_ENV_FILE", value_name = "PATH")]
    pub(crate) env_file: Option<std::path::PathBuf>,

    /// Client API key.
    #[arg(
        long,
        env = "AITBC_CLIENT_KEY",
        value_name = "KEY",
        hide_env_values = true
    )]
    pub(crate) client_key: Option<String>,

    /// A second client key, for the isolation scenarios.
    #[arg(
        long,
        env = "AITBC_OTHER_CLIENT_KEY",
        value_name = "KEY",
        hide_env_values = true
    )]
    pub(crate) other_client_key: Option<String>,

    /// Miner API key (the key is the miner's id).
    #[arg(
        long,
        env = "AITBC_MINER_KEY",
        value_name = "KEY",
        hide_env_values = true
    )]
    pub(crate) miner_key: Option<String>,

    /// Admin API key.
    #[arg(
        long,
        env = "AITBC_ADMIN_KEY",
        value_name = "KEY",
        hide_env_values = true
    )]
    pub(crate) admin_key: Option<String>,

    /// A second admin key, for the workflow ownership scenarios.
    #[arg(
        long,
        env = "AITBC_OTHER_ADMIN_KEY",
        value_name = "KEY",
        hide_env_values = true
    )]
    pub(crate) other_admin_key: Option<String>,

    /// JWT era: a client session token, used as it is (instead of a wallet login).
    #[arg(
        long,
        env = "AITBC_CLIENT_TOKEN",
        value_name = "TOKEN",
        hide_env_values = true
    )]
    pub(crate) client_token: Option<String>,

    /// JWT era: a second client's session token.
    #[arg(
        long,
        env = "AITBC_OTHER_CLIENT_TOKEN",
        value_name = "TOKEN",
        hide_env_values = true
    )]
    pub(crate) other_client_token: Option<String>,

    /// JWT era: an admin session token.
    #[arg(
        long,
        env = "AITBC_ADMIN_TOKEN",
        value_name = "TOKEN",
        hide_env_values = true
    )]
    pub(crate) admin_token: Option<String>,

    /// JWT era: a second admin's session token.
    #[arg(
        long,
        env = "AITBC_OTHER_ADMIN_TOKEN",
        value_name = "TOKEN",
        hide_env_values = true
    )]
    pub(crate) other_admin_token: Option<String>,

    /// JWT era: the client's wallet private key; the harness logs in with it (without one it logs in a fresh random wallet: any wallet is a client).
    #[arg(
        long,
        env = "AITBC_CLIENT_WALLET_KEY",
        value_name = "HEX",
        hide_env_values = true
    )]
    pub(crate) client_wallet_key: Option<String>,

    /// JWT era: a second client's wallet private key (default: another fresh wallet).
    #[arg(
        long,
        env = "AITBC_OTHER_CLIENT_WALLET_KEY",
        value_name = "HEX",
        hide_env_values = true
    )]
    pub(crate) other_client_wallet_key: Option<String>,

    /// JWT era: the private key of a wallet the coordinator lists as admin.
    #[arg(
        long,
        env = "AITBC_ADMIN_WALLET_KEY",
        value_name = "HEX",
        hide_env_values = true
    )]
    pub(crate) admin_wallet_key: Option<String>,

    /// JWT era: a second admin wallet's private key.
    #[arg(
        long,
        env = "AITBC_OTHER_ADMIN_WALLET_KEY",
        value_name = "HEX",
        hide_env_values = true
    )]
    pub(crate) other_admin_wallet_key: Option<String>,
}

#[derive(Debug, Clone, Args)]
pub(crate) struct DoubleArgs {
    /// Folder holding double.yaml and profiles/.
    #[arg(
        long,
        env = "AITBC_CONFORMANCE_FIXTURES",
        default_value = "fixtures",
        value_name = "DIR"
    )]
    pub(crate) fixtures: PathBuf,

    /// Coordinator port on 127.0.0.1 (0 picks a free one).
    #[arg(long, env = "AITBC_CONFORMANCE_PORT", default_value_t = 8000)]
    pub(crate) port: u16,

    /// Node port on 127.0.0.1 (0 picks a free one).
    #[arg(long, env = "AITBC_CONFORMANCE_NODE_PORT", default_value_t = 8082)]
    pub(crate) node_port: u16,

    /// A profile name from <fixtures>/profiles/ or a YAML file.
    #[arg(
        long,
        env = "AITBC_CONFORMANCE_PROFILE",
        default_value = "healthy",
        value_name = "NAME"
    )]
    pub(crate) profile: String,

    /// Instead of the double, serve a hostile target on both ports: every request answered with
    /// a 60 MB body (huge-body), not HTTP (garbage), a TCP reset (reset), a cut answer
    /// (truncated) or a body that drips for ever (slow-drip).
    #[arg(
        long,
        env = "AITBC_CONFORMANCE_HOSTILE",
        value_enum,
        value_name = "MODE"
    )]
    pub(crate) hostile: Option<crate::double::hostile::Hostile>,

    /// The era the double plays: api-key (contract §2) or jwt (§12).
    #[arg(
        long,
        env = "AITBC_CONFORMANCE_ERA",
        value_enum,
        default_value = "api-key"
    )]
    pub(crate) era: crate::auth::EraChoice,

    /// Serve both services over HTTPS, with a CA and certificate generated at start (for
    /// 127.0.0.1 and localhost); the CA's PEM file is printed (`ca PATH`) for `--cacert`.
    #[arg(long, env = "AITBC_CONFORMANCE_DOUBLE_TLS", conflicts_with = "hostile")]
    pub(crate) tls: bool,

    /// When the double stops, write every request it received to FILE, one `METHOD /path`
    /// a line (what a read-only run sent, say).
    #[arg(long, env = "AITBC_CONFORMANCE_REQUEST_LOG", value_name = "FILE")]
    pub(crate) request_log: Option<PathBuf>,
}

#[derive(Debug, Clone, Args)]
pub(crate) struct ListArgs {
    #[command(flatten)]
    pub(crate) suite: SuiteArgs,

    /// Whose commands: the API-key era's (the CLI released with it), the JWT era's (today's
    /// CLI), or auto for both.
    #[arg(
        long,
        env = "AITBC_CONFORMANCE_ERA",
        value_enum,
        default_value = "auto"
    )]
    pub(crate) era: crate::auth::EraChoice,
}

fn parse_tags(text: &str) -> Result<TagOperation, String> {
    text.parse::<TagOperation>().map_err(|e| {
        format!("not a tag expression ({e}); e.g. \"@command:client-submit and not @slow\"")
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    /// Every flag of every subcommand, but `--help` and `--version`, also reads an environment
    /// variable (the README promises it: CI sets them without editing scripts).
    #[test]
    fn every_flag_reads_an_environment_variable() {
        fn flags_without_env(command: &clap::Command, path: &str, out: &mut Vec<String>) {
            for arg in command.get_arguments() {
                let builtin = matches!(arg.get_id().as_str(), "help" | "version");
                if arg.get_long().is_some() && !builtin && arg.get_env().is_none() {
                    out.push(format!("{path} --{}", arg.get_long().unwrap_or_default()));
                }
            }
            for sub in command.get_subcommands() {
                flags_without_env(sub, &format!("{path} {}", sub.get_name()), out);
            }
        }
        let mut missing = Vec::new();
        flags_without_env(&Cli::command(), "aitbc-conformance", &mut missing);
        assert!(missing.is_empty(), "flags without an env var: {missing:?}");
    }

    #[test]
    fn a_bad_tag_expression_is_refused() {
        assert!(parse_tags("@a and").is_err());
        assert!(parse_tags("@a and not @b").is_ok());
    }
}
