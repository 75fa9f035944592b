//! `run`: load the suite, check the target, execute, report, exit code.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use super::interruption::Interruption;
use super::{load_inputs, say, tell};
use crate::auth::Era;
use crate::catalog::{Catalog, Catalogs};
use crate::cli::RunArgs;
use crate::error::{InputError, RunError};
use crate::http::Client;
use crate::report::summary::{Disposition, Planned, RunFacts, Summary};
use crate::suite::ScenarioMeta;
use crate::target::RunContext;
use crate::{config, double, exit, preflight, redact, report, runner, snapshot, suite};

/// `run`: once, or with `--every` again and again until a signal or `--repeat` runs.
pub(crate) fn run(args: &RunArgs) -> Result<u8, RunError> {
    let Some(every) = args.every else {
        return run_once(args);
    };
    // Listened for across the runs: a signal between two runs, or during one (which that run
    // also sees, and ends interrupted), stops the watch.
    let (runtime, mut stop) = runtime_listening()?;
    let mut runs = 0u64;
    loop {
        // Each run is whole and fresh: its own context, connections and doubles, dropped at
        // its end, so nothing accumulates across runs.
        let code = run_once(args)?;
        runs += 1;
        if code == exit::INTERRUPTED || args.repeat.is_some_and(|n| runs >= n) {
            return Ok(code);
        }
        let stopped = runtime.block_on(async {
            tokio::select! {
                () = tokio::time::sleep(every) => false,
                () = stop.next() => true,
            }
        });
        if stopped {
            say(&format!("stopped between runs after {runs} run(s)\n"));
            return Ok(exit::SUCCESS);
        }
    }
}

/// The runtime a run works on, and its listener for SIGINT and SIGTERM. One thread is enough
/// for the harness side (it mostly waits; each double serves on threads of its own) and halves
/// the CPU per request: no cross-thread wake-ups (scripts/bench.py).
fn runtime_listening() -> Result<(tokio::runtime::Runtime, Interruption), RunError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(RunError::Runtime)?;
    let stop = runtime
        .block_on(async { Interruption::listen() })
        .map_err(RunError::Runtime)?;
    Ok((runtime, stop))
}

/// One run: load, check the target, execute, report. Exit 0 only when every scenario passed.
fn run_once(args: &RunArgs) -> Result<u8, RunError> {
    let started = Instant::now();
    // Compiled beside the loading and the preflight, off the run's thread.
    let (catalogs, all) = load_inputs(&args.suite)?;
    let steps = runner::steps::Compiling::start(&all.features);
    let target = config::target(args)?;
    // Bad --tags fail before the target is asked anything.
    select(&all, args, None)?;
    let redactor = redact::Redactor::new(target.secrets());
    let (live, description) = (target.is_live(), target.describe());
    let mut ctx = context(args, target, &catalogs, &redactor)?;
    // Listen for SIGINT/SIGTERM from here on: a signal during the preflight or the run is ours.
    let (runtime, mut stop) = runtime_listening()?;
    let settled = runtime.block_on(async {
        tokio::select! {
            settled = preflight::check(&ctx) => Some(settled),
            () = stop.next() => None,
        }
    });
    let Some(settled) = settled else {
        say("interrupted during the preflight: no scenario ran, no report written\n");
        return Ok(exit::INTERRUPTED);
    };
    let settled = settled?;
    settle(&mut ctx, &settled, args, &runtime);
    // The era settled: its catalog, and the scenarios that run in it tied to its commands.
    let catalog = catalogs.of(settled.era);
    let cli_label = cli_label(catalog, ctx.cli.as_ref(), args, &runtime)?;
    let suite = all.in_era(settled.era);
    let selected = match args.probe.probe_only {
        true => Vec::new(),
        false => select(&suite, args, Some(settled.era))?,
    };
    let ctx = Arc::new(ctx);
    let here = Here {
        live,
        cli: args.cli.is_some(),
        wallet_login: settled.wallet_login,
    };
    let planned = plan(&selected, catalog, &settled.blocked, here);
    if args.read_only && !args.quiet {
        say(&read_only_line(&selected, catalog));
    }
    let (executed, interrupted) =
        execute(&runtime, &mut stop, &suite, &planned, &ctx, args, steps)?;
    let (mut outcomes, cucumber_json) = (executed.outcomes, executed.cucumber_json);
    let (probe, interrupted) = match args.probe.wanted() && !interrupted {
        true => probe_phase(&runtime, &mut stop, &ctx, args, catalog, settled.era)?,
        false => (None, interrupted),
    };
    redact_failures(&mut outcomes, &redactor);
    let facts = RunFacts {
        target: report::summary::TargetReport {
            description,
            era: settled.era,
            insecure: args.live.insecure && live,
        },
        duration_ms: started.elapsed().as_secs_f64() * 1000.0,
        endpoints: ctx.http.endpoints.rows(),
        flaky: ctx.flaky.lock().map(|f| f.clone()).unwrap_or_default(),
        cli: cli_label,
    };
    // Snapshots are judged against the whole suite: another era's scenarios reference theirs.
    let mut summary = summarise(catalog, &all, &planned, &outcomes, facts, &ctx, args);
    summary.interrupted = interrupted;
    summary.probe = probe;
    let gated = super::apply_gate(&mut summary, &args.gate)?;
    let written = Written {
        outcomes,
        cucumber_json,
    };
    write(args, &summary, written, &ctx, &redactor, &runtime)?;
    Ok(exit_code(&summary, args, gated))
}

/// How many threads run the scenarios: `--workers`, else the machine's cores (at most 4); one
/// for `--fail-fast` (the first failure stops the one runner) and for a live run with a
/// `@live-serial` scenario (it runs alone, which one runner among several cannot promise); never
/// more than scenarios may run at once.
fn workers(args: &RunArgs, planned: &[Planned], live: bool) -> usize {
    let serial = live
        && planned
            .iter()
            .any(|p| p.disposition == Disposition::Run && p.meta.has_tag(runner::LIVE_SERIAL_TAG));
    if args.fail_fast || serial {
        return 1;
    }
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
    let wanted = args.workers.map_or(cores, usize::from);
    wanted.min(usize::from(args.concurrency)).max(1)
}

/// 130 interrupted; 0 when the gate (or every scenario), the snapshot hygiene and the probe
/// all passed; else 1.
fn exit_code(summary: &Summary, args: &RunArgs, gated: bool) -> u8 {
    let rejected = args.reject_unreferenced
        && summary
            .snapshots
            .as_ref()
            .is_some_and(|s| !s.unreferenced.is_empty());
    let probe_failed = summary.probe.as_ref().is_some_and(super::probe::failed);
    if summary.interrupted {
        exit::INTERRUPTED
    } else if super::passed(summary, gated) && !rejected && !probe_failed {
        exit::SUCCESS
    } else {
        exit::SCENARIO_FAILED
    }
}

/// No secret of the target in a failure's message or step text.
fn redact_failures(outcomes: &mut [crate::runner::outcome::Outcome], redactor: &redact::Redactor) {
    for failure in outcomes.iter_mut().filter_map(|o| o.failure.as_mut()) {
        failure.message = redactor.apply(&failure.message);
        failure.step = redactor.apply(&failure.step);
    }
}

/// `--read-only`: which commands its scenarios judge, and which stay untested.
fn read_only_line(selected: &[&ScenarioMeta], catalog: &Catalog) -> String {
    let judged: HashSet<&str> = selected.iter().map(|m| m.command.as_str()).collect();
    let (covered, untested): (Vec<&crate::catalog::Command>, Vec<_>) = catalog
        .commands
        .iter()
        .partition(|c| judged.contains(c.id.as_str()));
    let names = |commands: &[&crate::catalog::Command]| {
        commands
            .iter()
            .map(|c| c.cli.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    format!(
        "read-only: {} scenarios judge {} command(s): {}; untested (no read-only scenario): {}\n",
        selected.len(),
        covered.len(),
        names(&covered),
        if untested.is_empty() {
            "none".to_string()
        } else {
            names(&untested)
        }
    )
}

/// The scenarios `--tags` and `--shard` select (of the era's suite, once it is known); none at
/// all is an input error (a shard may be empty).
fn select<'s>(
    suite: &'s suite::Suite,
    args: &'s RunArgs,
    era: Option<Era>,
) -> Result<Vec<&'s ScenarioMeta>, RunError> {
    let selected: Vec<&ScenarioMeta> = suite
        .select(args.tags.as_ref())
        .filter(|meta| args.shard.is_none_or(|shard| shard.contains(meta)))
        .filter(|meta| !args.read_only || meta.is_read_only())
        .collect();
    if let Some(meta) = selected
        .iter()
        .find(|m| args.read_only && m.writes.is_some())
    {
        let (line, step) = meta.writes.clone().unwrap_or_default();
        return Err(InputError::Invalid {
            path: meta.path.clone(),
            line: line as u64,
            message: format!(
                "--read-only: scenario {:?} is tagged @read-only, but its step `{step}` sends a write; not starting",
                meta.name
            ),
        }
        .into());
    }
    if selected.is_empty() && args.shard.is_some() {
        // A slice of a small selection can be empty: a shard with nothing to do has passed.
        say("this shard holds none of the selected scenarios\n");
    } else if selected.is_empty() {
        let message = match era {
            None => "the expression selects no scenario (see `aitbc-conformance list`)".into(),
            Some(era) => format!(
                "the expression selects no scenario that runs in the {era} era (see `aitbc-conformance list --era {era}`)"
            ),
        };
        return Err(InputError::Flag {
            flag: "--tags",
            message,
        }
        .into());
    }
    Ok(selected)
}

/// The run's context from its flags: the HTTP client (retries, body bound, pacing), the
/// snapshots, the user's CLI.
fn context(
    args: &RunArgs,
    target: crate::target::Target,
    catalogs: &Catalogs,
    redactor: &redact::Redactor,
) -> Result<RunContext, RunError> {
    let live = target.is_live();
    let endpoints = crate::exchange::endpoints::EndpointLog::new(
        known_endpoints(catalogs).iter().map(String::as_str),
    );
    let retries = args.retries.unwrap_or(if live { 2 } else { 0 });
    if args.live.insecure && live {
        tell("WARNING: --insecure: the target's TLS certificate is not verified (recorded in summary.json)\n");
    }
    let limits = super::rate_limits(args, live);
    let concurrency = usize::from(args.concurrency);
    let http = Client::new(
        &target.trust(),
        args.judge.timeout,
        retries,
        endpoints,
        concurrency,
    )?
    .paced(&limits)
    .max_body(args.max_body);
    let cli = args.cli.as_deref().and_then(|command| {
        crate::consumer::UserCli::parse(command, &args.suite.fixtures.join("cli"), args.cli_timeout)
    });
    let ctx = RunContext::builder(target, http)
        .redactor(redactor.clone())
        .snapshots(snapshot_run(args)?)
        .cli(cli)
        .read_only(args.read_only)
        .build();
    Ok(ctx)
}

/// What the preflight settled, told and applied: the warning and the era's evidence on the
/// terminal, the era in the snapshots and the pacer, the services' documents loaded.
fn settle(
    ctx: &mut RunContext,
    settled: &preflight::Settled,
    args: &RunArgs,
    runtime: &tokio::runtime::Runtime,
) {
    let era = settled.era;
    if let Some(warning) = &settled.warning {
        tell(&format!("WARNING: {warning}\n"));
    }
    if let (Some(seen), false) = (&settled.evidence, args.quiet) {
        say(&format!(
            "era: {era} (the coordinator's own answers: {seen})\n"
        ));
    }
    if let Some(run) = ctx.snapshots.as_mut() {
        run.era = era;
    }
    ctx.http.pacer.adopt_era(era);
    if !args.no_schema {
        let spec = runtime.block_on(super::documents::load(ctx, &args.openapi));
        for why in spec.coverage().unavailable {
            tell(&format!("schema checks off for {why}\n"));
        }
        ctx.spec = Some(Arc::new(spec));
    }
}

/// Whose commands the headline counts: the --cli's version (given, or what its `--version`
/// says), else the catalog's CLI. A --cli that cannot start is bad input; one of another
/// version than the catalog's is told.
fn cli_label(
    catalog: &Catalog,
    cli: Option<&crate::consumer::UserCli>,
    args: &RunArgs,
    runtime: &tokio::runtime::Runtime,
) -> Result<String, RunError> {
    let Some(cli) = cli else {
        return Ok(catalog.cli_label());
    };
    let probed = runtime
        .block_on(crate::consumer::version(cli))
        .map_err(|e| InputError::Flag {
            flag: "--cli",
            message: e.to_string(),
        })?;
    let Some(version) = args.cli_version.clone().or(probed) else {
        tell(&format!(
            "WARNING: {} --version names no version: the headline names the catalog's CLI (give --cli-version)\n",
            cli.program
        ));
        return Ok(catalog.cli_label());
    };
    let name = catalog.cli.as_ref().map_or("aitbc", |c| c.name.as_str());
    if let Some(release) = catalog.cli.as_ref().filter(|c| c.version != version) {
        tell(&format!(
            "WARNING: this era's catalog lists the commands of {}; --cli is version {version}\n",
            release.label()
        ));
    }
    Ok(format!("{name} {version}"))
}

/// `--probe`: the probe after the scenarios, and whether a signal stopped it.
fn probe_phase(
    runtime: &tokio::runtime::Runtime,
    stop: &mut Interruption,
    ctx: &RunContext,
    args: &RunArgs,
    catalog: &Catalog,
    era: Era,
) -> Result<(Option<crate::probe::finding::ProbeReport>, bool), RunError> {
    let found = runtime.block_on(async {
        tokio::select! {
            report = super::probe::probe(ctx, args, catalog, era) => Some(report),
            () = stop.next() => None,
        }
    });
    let interrupted = found.is_none();
    Ok((found.transpose()?, interrupted))
}

/// Each selected scenario's disposition here: run, blocked or skipped.
fn plan<'m>(
    selected: &[&'m ScenarioMeta],
    catalog: &Catalog,
    blocked: &preflight::Blocked,
    here: Here,
) -> Vec<Planned<'m>> {
    selected
        .iter()
        .map(|meta| Planned {
            meta,
            disposition: disposition(meta, catalog, blocked, here),
        })
        .collect()
}

/// Runs the runnable scenarios; the first SIGINT or SIGTERM stops the run where it is
/// (in-flight requests and waits are dropped): what finished is kept, the rest is `not_run`.
fn execute(
    runtime: &tokio::runtime::Runtime,
    stop: &mut Interruption,
    suite: &suite::Suite,
    planned: &[Planned],
    ctx: &Arc<RunContext>,
    args: &RunArgs,
    steps: runner::steps::Compiling,
) -> Result<(runner::Executed, bool), RunError> {
    if planned.is_empty() {
        // `--probe-only`: nothing for cucumber to do.
        return Ok((runner::Executed::default(), false));
    }
    let runnable: HashSet<_> = planned
        .iter()
        .filter(|p| p.disposition == Disposition::Run)
        .map(|p| p.meta.key())
        .collect();
    let live = ctx.target.is_live();
    let options = runner::ExecOptions {
        concurrency: usize::from(args.concurrency),
        fail_fast: args.fail_fast,
        live,
        workers: workers(args, planned, live),
        cucumber_json: args
            .report
            .format
            .contains(&report::render::Format::CucumberJson),
    };
    let features = suite.features_for(&runnable);
    let finished = crate::runner::outcome::Finished::default();
    let execution = runner::execute(
        features,
        runnable.len(),
        Arc::clone(ctx),
        &options,
        Arc::clone(&finished),
        steps,
    );
    let (executed, interrupted) = runtime.block_on(async {
        tokio::select! {
            executed = execution => (executed, false),
            () = stop.next() => {
                let outcomes = finished.lock().map(|f| f.clone()).unwrap_or_default();
                (runner::Executed { outcomes, ..runner::Executed::default() }, true)
            }
        }
    });
    if interrupted {
        exit_on_second_interruption();
    }
    if let Some(first) = executed.parse_errors.first() {
        return Err(InputError::Flag {
            flag: "--features",
            message: first.clone(),
        }
        .into());
    }
    Ok((executed, interrupted))
}

/// The summary of what ran, with what the run's context gathered besides.
fn summarise(
    catalog: &Catalog,
    suite: &suite::Suite,
    planned: &[Planned],
    outcomes: &[crate::runner::outcome::Outcome],
    facts: RunFacts,
    ctx: &RunContext,
    args: &RunArgs,
) -> Summary {
    let mut summary = Summary::build(catalog, planned, outcomes, facts);
    summary.rate_limit_waits = ctx
        .http
        .rate_waits
        .lock()
        .map(|w| w.clone())
        .unwrap_or_default();
    summary.shard = args.shard.map(|shard| shard.to_string());
    summary.spec_coverage = ctx.spec.as_ref().map(|spec| spec.coverage());
    summary.cli_unknown_routes = ctx
        .cli_unknown_routes
        .lock()
        .map(|routes| routes.iter().cloned().collect())
        .unwrap_or_default();
    summary.cli_drift = args
        .cli
        .is_some()
        .then(|| cli_drift(catalog, planned, &summary, ctx))
        .filter(|drift| !drift.is_empty());
    summary.revision = revision(args.revision.as_deref());
    summary.snapshots = ctx
        .snapshots
        .as_ref()
        .map(|run| snapshot_report(run, suite));
    summary
}

/// Where the CLI and the backend missed each other in this run: what it called that was not
/// served, and, per command the CLI was run for, the endpoints it is catalogued with that it
/// never called (a scenario that failed before its CLI step tells nothing about them).
fn cli_drift(
    catalog: &Catalog,
    planned: &[Planned],
    summary: &Summary,
    ctx: &RunContext,
) -> report::summary::CliDrift {
    let runs = ctx.cli_called.lock().map(|c| c.clone()).unwrap_or_default();
    let mut served: HashMap<&str, bool> = HashMap::new();
    for (endpoint, was) in runs.values().flatten() {
        *served.entry(endpoint).or_default() |= was;
    }
    // Routes the contract does not know are named by their path; known ones by template.
    let mut called_not_served: Vec<String> = served
        .iter()
        .filter(|(endpoint, was)| !endpoint.ends_with("(unlisted)") && !**was)
        .map(|(endpoint, _)| (*endpoint).to_string())
        .chain(summary.cli_unknown_routes.iter().cloned())
        .collect();
    called_not_served.sort();
    called_not_served.dedup();
    let command_of: HashMap<(std::path::PathBuf, usize), &str> = planned
        .iter()
        .map(|p| (p.meta.key(), p.meta.command.as_str()))
        .collect();
    let mut called_by: HashMap<&str, HashSet<&str>> = HashMap::new();
    for (scenario, endpoints) in &runs {
        if let Some(command) = command_of.get(scenario) {
            called_by
                .entry(command)
                .or_default()
                .extend(endpoints.keys().map(String::as_str));
        }
    }
    let mut served_not_called: Vec<String> = catalog
        .commands
        .iter()
        .filter_map(|c| Some((c, called_by.get(c.id.as_str())?)))
        .flat_map(|(c, called)| {
            c.endpoints
                .iter()
                .filter(|e| !c.optional.contains(e) && !called.contains(e.as_str()))
        })
        .cloned()
        .collect();
    served_not_called.sort();
    served_not_called.dedup();
    report::summary::CliDrift {
        called_not_served,
        served_not_called,
    }
}

/// The report files (first: a closed stdout, `| head`, must not cost them), the table, the
/// last check of the snapshot files the run wrote or read for secrets, then the metrics.
/// What a run hands its report files beside the summary.
struct Written {
    outcomes: Vec<crate::runner::outcome::Outcome>,
    cucumber_json: Option<Vec<u8>>,
}

fn write(
    args: &RunArgs,
    summary: &Summary,
    written: Written,
    ctx: &RunContext,
    redactor: &redact::Redactor,
    runtime: &tokio::runtime::Runtime,
) -> Result<(), RunError> {
    let exchanges: HashMap<(String, usize), Vec<crate::exchange::Exchange>> = written
        .outcomes
        .into_iter()
        .filter(|o| o.failure.is_some() && !o.exchanges.is_empty())
        .map(|o| ((o.path.display().to_string(), o.line), o.exchanges))
        .collect();
    let history = args.report.place.history_path();
    let output = report::files::Output {
        dir: &args.report.place.report_dir,
        formats: &args.report.format,
        history: &history,
        record: true,
        exchanges: Some(&exchanges),
        cucumber_json: written.cucumber_json.as_deref(),
    };
    super::write_reports(&output, summary, redactor, args.quiet)?;
    if let Some(run) = ctx.snapshots.as_ref() {
        let mut written: Vec<std::path::PathBuf> =
            run.pending.lock().map(|p| p.clone()).unwrap_or_default();
        written.extend(
            run.referenced
                .lock()
                .map(|r| r.iter().cloned().collect::<Vec<_>>())
                .unwrap_or_default(),
        );
        report::files::check_written(written.iter().map(|p| p.as_path()), redactor)?;
    }
    let samples = ctx.http.endpoints.samples();
    super::metrics::export(
        &args.metrics,
        summary,
        &samples,
        redactor,
        runtime,
        ctx.http.pooled(),
    )
}

/// `--revision`, else `GITHUB_SHA`, else the working directory's git commit (when git is there).
fn revision(given: Option<&str>) -> Option<String> {
    let nonempty = |s: String| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    given
        .map(String::from)
        .and_then(nonempty)
        .or_else(|| std::env::var("GITHUB_SHA").ok().and_then(nonempty))
        .or_else(|| crate::revision::of(&std::env::current_dir().ok()?))
}

/// After an interruption the reports are being written; a second signal ends the process at
/// once, as a person pressing Ctrl-C twice expects.
fn exit_on_second_interruption() {
    std::thread::spawn(|| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build();
        if let Ok(runtime) = runtime {
            runtime.block_on(async {
                if let Ok(mut again) = Interruption::listen() {
                    again.next().await;
                    std::process::exit(i32::from(exit::INTERRUPTED));
                }
            });
        }
    });
}

/// The run's snapshot settings: mode, folders (absolute), volatile fields.
fn snapshot_run(args: &RunArgs) -> Result<snapshot::SnapshotRun, InputError> {
    let cwd = std::env::current_dir().map_err(|source| InputError::Read {
        path: ".".into(),
        source,
    })?;
    // With snapshots off nothing is normalised: the file need not exist.
    let fields = match args.snapshots {
        snapshot::Mode::Off => snapshot::VolatileFields::default(),
        _ => snapshot::VolatileFields::load(&args.suite.fixtures.join("snapshots.yaml"))?,
    };
    let features_root = if args.suite.features.is_dir() {
        args.suite.features.clone()
    } else {
        args.suite
            .features
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default()
    };
    Ok(snapshot::SnapshotRun {
        mode: args.snapshots,
        dir: cwd.join(&args.snapshots_dir),
        features_root,
        fields,
        referenced: Default::default(),
        pending: Default::default(),
        era: Era::ApiKey,
    })
}

/// What the snapshots came to; unreferenced files are only judged after a full run.
fn snapshot_report(
    run: &snapshot::SnapshotRun,
    suite: &suite::Suite,
) -> report::summary::SnapshotReport {
    let features: Vec<std::path::PathBuf> = suite
        .features
        .iter()
        .filter_map(|f| f.path.clone())
        .collect();
    let named: Vec<(std::path::PathBuf, String)> = suite
        .scenarios
        .iter()
        .flat_map(|s| s.snapshots.iter().map(|n| (s.path.clone(), n.clone())))
        .collect();
    let cwd = std::env::current_dir().unwrap_or_default();
    let shown = |p: &Path| p.strip_prefix(&cwd).unwrap_or(p).display().to_string();
    let referenced = run.referenced.lock().map(|r| r.len()).unwrap_or(0);
    let mut pending: Vec<String> = run
        .pending
        .lock()
        .map(|p| p.iter().map(|p| shown(p)).collect())
        .unwrap_or_default();
    pending.sort();
    pending.dedup();
    let checked = run.mode != snapshot::Mode::Off;
    let unreferenced = if checked {
        run.unreferenced(&features, &named)
            .iter()
            .map(|p| shown(p))
            .collect()
    } else {
        Vec::new()
    };
    report::summary::SnapshotReport {
        mode: run.mode.as_str().to_string(),
        referenced,
        pending,
        unreferenced,
        unreferenced_checked: checked,
    }
}

/// Every endpoint the catalogs name plus every route the contract has, for the endpoint table.
fn known_endpoints(catalogs: &Catalogs) -> Vec<String> {
    let routes = double::COORDINATOR_ROUTES
        .iter()
        .map(double::Route::endpoint);
    let node = double::NODE_ROUTES.iter().map(double::Route::endpoint);
    let mut known: Vec<String> = catalogs
        .each()
        .iter()
        .flat_map(|(_, catalog)| catalog.commands.iter())
        .flat_map(|c| c.endpoints.iter().cloned())
        .chain(routes)
        .chain(node)
        .collect();
    let mut seen = HashSet::new();
    known.retain(|e| seen.insert(e.clone()));
    known
}

/// What the target and the run offer a scenario.
#[derive(Debug, Clone, Copy)]
struct Here {
    live: bool,
    cli: bool,
    /// The coordinator serves wallet login (`@wallet-login` scenarios need it).
    wallet_login: bool,
}

/// Whether a selected scenario runs here, is blocked by a refused key, or is skipped.
fn disposition(
    meta: &ScenarioMeta,
    catalog: &Catalog,
    blocked: &preflight::Blocked,
    here: Here,
) -> Disposition {
    let Here {
        live,
        cli,
        wallet_login,
    } = here;
    if !cli && meta.has_tag(suite::CLI_TAG) {
        return Disposition::Skipped(
            "runs the user's aitbc CLI: give it with --cli (e.g. --cli aitbc)".into(),
        );
    }
    if live && meta.has_tag(suite::DOUBLE_ONLY_TAG) {
        return Disposition::Skipped(
            "tagged @double-only: runs against the embedded double only".into(),
        );
    }
    if !wallet_login && meta.has_tag(suite::WALLET_LOGIN_TAG) {
        return Disposition::Skipped(
            "needs wallet login, which this coordinator does not serve (POST /v1/auth/nonce)"
                .into(),
        );
    }
    let roles = catalog
        .get(&meta.command)
        .map(|c| c.roles.as_slice())
        .unwrap_or_default();
    let needed = roles
        .iter()
        .map(String::as_str)
        .chain(meta.callers.iter().copied());
    match needed.into_iter().find_map(|r| blocked.get(r)) {
        Some(reason) => Disposition::Blocked(reason.clone()),
        None => Disposition::Run,
    }
}
