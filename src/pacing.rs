//! Client-side rate limits per route class, so that a live run stays under the target's own
//! limits (contract §3: `POST /v1/jobs` 100/min, miner register 30/min, heartbeat 60/min, admin
//! stats 20/min, the node 200/min on every path; JWT era: the login routes 20/min each) and
//! meets no 429 caused by its own traffic.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

/// A wait the target imposed (a 429 with its `Retry-After`), as `summary.json` records it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub(crate) struct RateWait {
    /// `coordinator` or `node`.
    pub(crate) service: String,
    /// What the target limits: `POST /v1/jobs`.
    pub(crate) endpoint: String,
    /// The `Retry-After` it sent, in seconds, if any.
    pub(crate) retry_after_s: Option<u64>,
    /// How long the run held such requests back, in seconds.
    pub(crate) waited_s: f64,
}

impl RateWait {
    /// `waiting 58 s: the coordinator limits POST /v1/jobs (429, Retry-After 60)`.
    pub(crate) fn line(&self) -> String {
        let after = self
            .retry_after_s
            .map_or_else(String::new, |s| format!(", Retry-After {s}"));
        format!(
            "waiting {:.0} s: the {} limits {} (429{after})",
            self.waited_s, self.service, self.endpoint
        )
    }
}

/// A group of requests the target counts together.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum RouteClass {
    /// `POST /v1/jobs`.
    Submit,
    /// `POST /v1/miners/register`.
    Register,
    /// `POST /v1/miners/heartbeat`.
    Heartbeat,
    /// `GET /v1/admin/stats`.
    AdminStats,
    /// Every request to the node (`/rpc…`).
    Node,
    /// `POST /v1/auth/nonce` (JWT era).
    Nonce,
    /// `POST /v1/login` (JWT era).
    Login,
}

impl RouteClass {
    pub(crate) const ALL: [RouteClass; 7] = [
        RouteClass::Submit,
        RouteClass::Register,
        RouteClass::Heartbeat,
        RouteClass::AdminStats,
        RouteClass::Node,
        RouteClass::Nonce,
        RouteClass::Login,
    ];

    /// The name used by `--rate-limits`.
    pub(crate) fn name(self) -> &'static str {
        match self {
            RouteClass::Submit => "submit",
            RouteClass::Register => "register",
            RouteClass::Heartbeat => "heartbeat",
            RouteClass::AdminStats => "admin-stats",
            RouteClass::Node => "node",
            RouteClass::Nonce => "nonce",
            RouteClass::Login => "login",
        }
    }

    /// The class of a request, if the target limits it.
    pub(crate) fn of(method: &str, path: &str) -> Option<RouteClass> {
        let path = path.split('?').next().unwrap_or(path);
        match (method, path) {
            (_, p) if p.starts_with("/rpc") => Some(RouteClass::Node),
            ("POST", "/v1/jobs") => Some(RouteClass::Submit),
            ("POST", "/v1/miners/register") => Some(RouteClass::Register),
            ("POST", "/v1/miners/heartbeat") => Some(RouteClass::Heartbeat),
            ("GET", "/v1/admin/stats") => Some(RouteClass::AdminStats),
            ("POST", "/v1/auth/nonce") => Some(RouteClass::Nonce),
            ("POST", "/v1/login") => Some(RouteClass::Login),
            _ => None,
        }
    }

    /// The contract's limit for this class, per minute.
    pub(crate) fn contract_limit(self) -> u32 {
        match self {
            RouteClass::Submit => 100,
            RouteClass::Register => 30,
            RouteClass::Heartbeat => 60,
            RouteClass::AdminStats => 20,
            RouteClass::Node => 200,
            RouteClass::Nonce | RouteClass::Login => 20,
        }
    }
}

/// `POST /v1/jobs` per minute in the JWT era (c27c6545b).
pub(crate) const JWT_SUBMIT_LIMIT: u32 = 50;

/// At most `max` requests in any `window`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RateLimit {
    pub(crate) class: RouteClass,
    pub(crate) max: u32,
    pub(crate) window: Duration,
}

/// The limits of a run: the contract's by default, `none` to send as fast as possible.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RateLimits(pub Vec<RateLimit>);

impl RateLimits {
    /// The contract's limits (contract §3, §13).
    pub(crate) fn contract() -> Self {
        Self(
            RouteClass::ALL
                .iter()
                .map(|&class| RateLimit {
                    class,
                    max: class.contract_limit(),
                    window: Duration::from_secs(60),
                })
                .collect(),
        )
    }

    pub(crate) fn none() -> Self {
        Self(Vec::new())
    }

    /// `contract`, `none`, or overrides of the contract's limits:
    /// `node=100/60s,submit=50/1m` (classes: submit, register, heartbeat, admin-stats, node,
    /// nonce, login).
    pub(crate) fn parse(text: &str) -> Result<Self, String> {
        match text.trim() {
            "contract" => return Ok(Self::contract()),
            "none" | "off" => return Ok(Self::none()),
            _ => {}
        }
        let mut limits = Self::contract();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let limit = parse_one(part)?;
            if let Some(slot) = limits.0.iter_mut().find(|l| l.class == limit.class) {
                *slot = limit;
            }
        }
        Ok(limits)
    }
}

fn parse_one(part: &str) -> Result<RateLimit, String> {
    let usage = || {
        format!(
            "{part:?}: expected CLASS=N/WINDOW, e.g. node=200/60s (classes: {})",
            RouteClass::ALL.map(RouteClass::name).join(", ")
        )
    };
    let (name, rate) = part.split_once('=').ok_or_else(usage)?;
    let class = RouteClass::ALL
        .into_iter()
        .find(|c| c.name() == name.trim())
        .ok_or_else(usage)?;
    let (max, window) = rate.split_once('/').ok_or_else(usage)?;
    let max: u32 = max.trim().parse().map_err(|_| usage())?;
    let window = crate::units::parse_duration(window)?;
    if max == 0 {
        return Err(format!("{part:?}: the limit must be at least 1"));
    }
    Ok(RateLimit { class, max, window })
}

/// Hands out send times so that no class exceeds its limit in any window (a sliding window,
/// which also keeps under fixed windows such as slowapi's).
#[derive(Debug)]
pub(crate) struct Pacer {
    classes: Vec<(RateLimit, Mutex<VecDeque<Instant>>)>,
    /// Requests held back after the target answered 429: by what it limits, until when.
    holds: Mutex<Vec<(String, Instant)>>,
}

/// What a 429 holds back: a route class, or the request's method and path.
fn hold_key(method: &str, path: &str) -> String {
    match RouteClass::of(method, path) {
        Some(class) => class.name().to_string(),
        None => format!("{method} {}", path.split('?').next().unwrap_or(path)),
    }
}

impl Pacer {
    pub(crate) fn new(limits: &RateLimits) -> Self {
        Self {
            classes: limits
                .0
                .iter()
                .map(|&l| (l, Mutex::new(VecDeque::new())))
                .collect(),
            holds: Mutex::new(Vec::new()),
        }
    }

    /// Holds back every request like this one until `until` (the target answered 429 and
    /// said when its window ends); whether it was not held already, so the wait is told once.
    pub(crate) fn hold(&self, method: &str, path: &str, until: Instant) -> bool {
        let key = hold_key(method, path);
        let mut holds = self
            .holds
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let now = Instant::now();
        holds.retain(|(_, end)| *end > now);
        match holds.iter_mut().find(|(k, _)| *k == key) {
            Some((_, end)) => {
                *end = (*end).max(until);
                false
            }
            None => {
                holds.push((key, until));
                true
            }
        }
    }

    /// When a held request like this one may go, if it is held.
    fn held_until(&self, method: &str, path: &str) -> Option<Instant> {
        let key = hold_key(method, path);
        let holds = self
            .holds
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        holds.iter().find(|(k, _)| *k == key).map(|(_, end)| *end)
    }

    /// The JWT era's coordinator allows 50 `POST /v1/jobs` a minute, not the contract's 100
    /// (c27c6545b: `@rate_limit(rate=50, per=60)`): with the contract's limits in force, pace
    /// submissions under it once the era is known.
    pub(crate) fn adopt_era(&mut self, era: crate::auth::Era) {
        if era != crate::auth::Era::Jwt {
            return;
        }
        for (limit, _) in &mut self.classes {
            if limit.class == RouteClass::Submit && limit.max == RouteClass::Submit.contract_limit()
            {
                limit.max = JWT_SUBMIT_LIMIT;
            }
        }
    }

    /// How many requests of `class` it lets go per window, if it limits that class.
    pub(crate) fn limit(&self, class: RouteClass) -> Option<u32> {
        self.classes
            .iter()
            .find(|(l, _)| l.class == class)
            .map(|(l, _)| l.max)
    }

    /// Waits until this request may be sent, then counts it.
    pub(crate) async fn wait(&self, method: &str, path: &str) {
        if let Some(end) = self.held_until(method, path) {
            if end > Instant::now() {
                tokio::time::sleep_until(end).await;
            }
        }
        let Some(class) = RouteClass::of(method, path) else {
            return;
        };
        let Some((limit, sent)) = self.classes.iter().find(|(l, _)| l.class == class) else {
            return;
        };
        let now = Instant::now();
        let at = reserve(limit, sent, now);
        // A timer rounds up to the next millisecond tick: never arm one without a wait.
        if at > now {
            tokio::time::sleep_until(at).await;
        }
    }
}

/// The earliest time from `now` at which one more request keeps `limit`; counts it then.
/// Only the last `max` send times matter: the next may go one window after the oldest of them.
fn reserve(limit: &RateLimit, sent: &Mutex<VecDeque<Instant>>, now: Instant) -> Instant {
    let mut sent = sent
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let max = limit.max as usize;
    let at = match sent.len().checked_sub(max).map(|i| sent[i]) {
        Some(oldest) => (oldest + limit.window).max(now),
        None => now,
    };
    sent.push_back(at);
    while sent.len() > max {
        sent.pop_front();
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_fall_into_their_classes() {
        assert_eq!(RouteClass::of("GET", "/rpc/head"), Some(RouteClass::Node));
        assert_eq!(RouteClass::of("POST", "/v1/jobs"), Some(RouteClass::Submit));
        assert_eq!(RouteClass::of("GET", "/v1/jobs/abc"), None);
        assert_eq!(
            RouteClass::of("GET", "/v1/admin/stats?x=1"),
            Some(RouteClass::AdminStats)
        );
    }

    #[test]
    fn specs_override_the_contract_or_switch_pacing_off() {
        assert_eq!(RateLimits::parse("contract"), Ok(RateLimits::contract()));
        assert_eq!(RateLimits::parse("off"), Ok(RateLimits::none()));
        let limits = RateLimits::parse("node=10/1s, submit=5/2m").unwrap();
        let node = limits
            .0
            .iter()
            .find(|l| l.class == RouteClass::Node)
            .unwrap();
        assert_eq!((node.max, node.window), (10, Duration::from_secs(1)));
        assert_eq!(
            limits.0.len(),
            7,
            "the other classes keep the contract's limits"
        );
        assert!(RateLimits::parse("nodes=1/1s")
            .unwrap_err()
            .contains("classes:"));
        assert!(RateLimits::parse("node=0/1s").is_err());
        assert!(RateLimits::parse("node=5").is_err());
    }

    #[tokio::test]
    async fn a_hold_is_told_once_and_delays_requests_of_its_kind_only() {
        let pacer = Pacer::new(&RateLimits::none());
        let until = Instant::now() + Duration::from_millis(50);
        assert!(pacer.hold("POST", "/v1/jobs", until));
        assert!(!pacer.hold("POST", "/v1/jobs", until), "told once");
        assert_eq!(
            pacer.held_until("GET", "/v1/jobs/x"),
            None,
            "other routes go"
        );
        pacer.wait("POST", "/v1/jobs").await;
        assert!(
            Instant::now() >= until,
            "the held route waits for the window"
        );
    }

    #[test]
    fn no_window_ever_holds_more_than_the_limit() {
        let limit = RateLimit {
            class: RouteClass::Node,
            max: 3,
            window: Duration::from_secs(60),
        };
        let sent = Mutex::new(VecDeque::new());
        let start = Instant::now();
        let times: Vec<Duration> = (0..7)
            .map(|_| reserve(&limit, &sent, start) - start)
            .collect();
        let s = Duration::from_secs;
        assert_eq!(
            times,
            [s(0), s(0), s(0), s(60), s(60), s(60), s(120)],
            "three at once, then one window later"
        );
    }
}
