//! `double`: the double served standalone on 127.0.0.1 until SIGINT or SIGTERM.

use super::interruption::Interruption;
use super::say;
use crate::cli::DoubleArgs;
use crate::error::{InputError, RunError};
use crate::{config, double, exit};

/// `double`: serve the double on fixed ports until SIGINT or SIGTERM.
pub(crate) fn serve_double(args: &DoubleArgs) -> Result<u8, RunError> {
    let (seed, profile) = config::double_setup(&args.fixtures, &args.profile)?;
    let bind = |port: u16, flag: &'static str| {
        std::net::TcpListener::bind(("127.0.0.1", port)).map_err(|e| InputError::Flag {
            flag,
            message: format!("cannot listen on 127.0.0.1:{port}: {e}"),
        })
    };
    let coordinator = bind(args.port, "--port")?;
    let node = bind(args.node_port, "--node-port")?;
    if let Some(mode) = args.hostile {
        return serve_hostile(coordinator, node, mode);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(RunError::Runtime)?;
    let era = config::double_era(args.era);
    runtime.block_on(async {
        // Listening before saying it serves: a stop sent as soon as that is read still removes
        // the CA file and writes the request log.
        let mut stop = Interruption::listen().map_err(RunError::Runtime)?;
        // Requests are kept only for the log: a double left serving keeps no more than its
        // state (recorded requests had added some 0.3 MB per run of the suite).
        let record = args.request_log.is_some();
        let (urls, ca, double) = if args.tls {
            let (urls, ca, double) =
                serve_tls(coordinator, node, &seed, &profile, era, record).await?;
            (urls, Some(ca), double)
        } else {
            let coordinator = double::server(Some(coordinator), record).await;
            let node = double::server(Some(node), record).await;
            let double = double::Double::start_on(coordinator, node, &seed, 0, &profile, era).await;
            ((double.coordinator_url(), double.node_url()), None, double)
        };
        let ca_line = ca.as_ref().map_or(String::new(), |ca| {
            format!("ca {}\n", ca.path().display())
        });
        say(&format!(
            "coordinator {}\nnode {}\n{ca_line}profile {}\nera {era}\nserving until interrupted (Ctrl-C)\n",
            urls.0, urls.1, args.profile
        ));
        stop.next().await;
        if let Some(path) = &args.request_log {
            let mut log = double.received().await.join("\n");
            log.push('\n');
            crate::atomic::write_atomic(path, log.as_bytes()).map_err(|source| {
                RunError::Report {
                    path: path.clone(),
                    source,
                }
            })?;
        }
        drop(double);
        Ok::<(), RunError>(())
    })?;
    Ok(exit::SUCCESS)
}

/// `double --tls`: the double on loopback ports of its own, TLS terminated on the given ones.
async fn serve_tls(
    coordinator: std::net::TcpListener,
    node: std::net::TcpListener,
    seed: &double::seed::Seed,
    profile: &double::profile::Profile,
    era: crate::auth::Era,
    record: bool,
) -> Result<((String, String), double::tls::CaFile, double::Double), RunError> {
    let certificates = double::tls::generate().map_err(RunError::Double)?;
    let ca =
        double::tls::CaFile::write(&certificates.ca_pem).map_err(|source| RunError::Report {
            path: std::env::temp_dir(),
            source,
        })?;
    let double = double::Double::start_own(seed, 0, profile, era, record).await;
    let mut urls = Vec::new();
    for (front, backend) in [
        (coordinator, double.coordinator_url()),
        (node, double.node_url()),
    ] {
        let address = front.local_addr().map_err(RunError::Runtime)?;
        front.set_nonblocking(true).map_err(RunError::Runtime)?;
        let front = tokio::net::TcpListener::from_std(front).map_err(RunError::Runtime)?;
        let port = double::tls::port_of(&backend).unwrap_or_default();
        tokio::spawn(double::tls::terminate(
            front,
            port,
            certificates.server.clone(),
        ));
        urls.push(format!("https://{address}"));
    }
    Ok(((urls[0].clone(), urls[1].clone()), ca, double))
}

/// `double --hostile MODE`: both ports misbehave until SIGINT or SIGTERM.
fn serve_hostile(
    coordinator: std::net::TcpListener,
    node: std::net::TcpListener,
    mode: double::hostile::Hostile,
) -> Result<u8, RunError> {
    let url = |l: &std::net::TcpListener| {
        l.local_addr()
            .map(|a| format!("http://{a}"))
            .unwrap_or_default()
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(RunError::Runtime)?;
    let mut stop = runtime
        .block_on(async { Interruption::listen() })
        .map_err(RunError::Runtime)?;
    say(&format!(
        "coordinator {}\nnode {}\nhostile {mode:?}\nserving until interrupted (Ctrl-C)\n",
        url(&coordinator),
        url(&node)
    ));
    double::hostile::serve(coordinator, mode);
    double::hostile::serve(node, mode);
    runtime.block_on(stop.next());
    Ok(exit::SUCCESS)
}
