//! Stopping on SIGINT or SIGTERM, with the handlers in place before the process says it is ready.

/// SIGINT (Ctrl-C) and SIGTERM (what CI runners send on cancel), listened for from the moment
/// it is made: a signal before it would end the process with nothing written.
pub(super) struct Interruption {
    interrupt: tokio::signal::unix::Signal,
    terminate: tokio::signal::unix::Signal,
}

impl Interruption {
    pub(super) fn listen() -> std::io::Result<Self> {
        use tokio::signal::unix::{signal, SignalKind};
        Ok(Self {
            interrupt: signal(SignalKind::interrupt())?,
            terminate: signal(SignalKind::terminate())?,
        })
    }

    /// Resolves at the next signal.
    pub(super) async fn next(&mut self) {
        tokio::select! {
            _ = self.interrupt.recv() => {}
            _ = self.terminate.recv() => {}
        }
    }
}

#[cfg(test)]
mod tests {
    /// What the double's "serving" line and a run's start rely on: a signal that arrives after
    /// `listen` and before anyone waits is kept, not the process's end (a lazily installed
    /// handler, as `tokio::signal::ctrl_c` has, would let SIGTERM kill this test binary).
    #[test]
    fn a_signal_between_listening_and_waiting_is_kept() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let mut stop = super::Interruption::listen().unwrap();
            let sent = std::process::Command::new("kill")
                .args(["-TERM", &std::process::id().to_string()])
                .status()
                .unwrap();
            assert!(sent.success());
            tokio::time::timeout(std::time::Duration::from_secs(10), stop.next())
                .await
                .expect("the SIGTERM sent before waiting is delivered");
        });
    }
}
