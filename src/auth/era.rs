//! The two generations of the AITBC coordinator (contract §2 and §12): the API-key era, where
//! every role sends `X-Api-Key`, and the JWT era, where clients and admins log in with a wallet
//! and send `Authorization: Bearer`, and only miners keep their key.

use serde::{Deserialize, Serialize};

/// An era of the backend.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Era {
    #[default]
    ApiKey,
    Jwt,
}

/// `--era`: one era, or `auto` to tell it from the target's own answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum EraChoice {
    /// The API-key era (contract §2): X-Api-Key for every role.
    ApiKey,
    /// The JWT era (contract §12): wallet login for clients and admins, keys for miners.
    Jwt,
    /// Tell the era from the target (a live target; the embedded double is api-key).
    Auto,
}

impl Era {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Era::ApiKey => "api-key",
            Era::Jwt => "jwt",
        }
    }

    /// The era a tag names, if it is an era tag.
    pub(crate) fn of_tag(tag: &str) -> Option<Era> {
        match tag.strip_prefix("era:")? {
            "api-key" => Some(Era::ApiKey),
            "jwt" => Some(Era::Jwt),
            _ => None,
        }
    }

    /// The coordinator and node the era's services listen on by default (contract §1, §12).
    pub(crate) fn default_urls(self) -> (&'static str, &'static str) {
        match self {
            Era::ApiKey => ("http://127.0.0.1:8000", "http://127.0.0.1:8082"),
            Era::Jwt => ("http://127.0.0.1:8203", "http://127.0.0.1:8202"),
        }
    }
}

impl std::fmt::Display for Era {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// What an unauthenticated `GET /v1/jobs/{id}` and `POST /v1/auth/nonce` say about the era:
/// the API-key era refuses with `invalid api key` and has no nonce route (404); the JWT era asks
/// for `Authentication required` and serves the nonce route (any answer but 404).
pub(crate) fn judge(
    jobs_status: u16,
    jobs_detail: Option<&str>,
    nonce_status: u16,
) -> Result<(Era, String), String> {
    let said = |status: u16| match status {
        0 => "no complete answer".to_string(),
        s => s.to_string(),
    };
    let seen = format!(
        "GET /v1/jobs/{{id}} without credentials → {}{}; POST /v1/auth/nonce → {}",
        said(jobs_status),
        jobs_detail.map_or_else(String::new, |d| format!(" {d:?}")),
        said(nonce_status)
    );
    match (jobs_status, jobs_detail, nonce_status) {
        (401, Some("Authentication required"), _) => Ok((Era::Jwt, seen)),
        // `invalid api key` comes with a 404 for the nonce route, the API-key era's sign.
        (_, _, 404) => Ok((Era::ApiKey, seen)),
        // 0: no complete answer at all; 5xx: the server's own trouble. Neither tells.
        (_, _, s) if (100..500).contains(&s) => Ok((Era::Jwt, seen)),
        _ => Err(seen),
    }
}

/// The era from the unauthenticated job read alone (a read-only run asks nothing else):
/// `Authentication required` is the JWT era's word, `invalid api key` the API-key era's.
pub(crate) fn judge_from_jobs(
    jobs_status: u16,
    jobs_detail: Option<&str>,
) -> Result<(Era, String), String> {
    let seen = format!(
        "GET /v1/jobs/{{id}} without credentials → {jobs_status}{}",
        jobs_detail.map_or_else(String::new, |d| format!(" {d:?}"))
    );
    match (jobs_status, jobs_detail) {
        (401, Some("Authentication required")) => Ok((Era::Jwt, seen)),
        (401, Some(d)) if d.eq_ignore_ascii_case("invalid api key") => Ok((Era::ApiKey, seen)),
        _ => Err(seen),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_eras_are_told_apart_by_their_own_answers() {
        let era = |s, d, n| judge(s, d, n).map(|(e, _)| e);
        assert_eq!(era(401, Some("invalid api key"), 404), Ok(Era::ApiKey));
        assert_eq!(era(401, Some("Authentication required"), 401), Ok(Era::Jwt));
        assert_eq!(
            era(404, Some("Not Found"), 404),
            Ok(Era::ApiKey),
            "no job routes"
        );
        assert_eq!(
            era(404, Some("Not Found"), 422),
            Ok(Era::Jwt),
            "a nonce route"
        );
        assert!(era(500, None, 500).is_err());
        assert!(era(0, None, 0).is_err(), "no answer tells nothing");
    }

    #[test]
    fn tags_and_ports_follow_the_era() {
        assert_eq!(Era::of_tag("era:jwt"), Some(Era::Jwt));
        assert_eq!(Era::of_tag("era:api-key"), Some(Era::ApiKey));
        assert_eq!(Era::of_tag("era:x"), None);
        assert_eq!(Era::Jwt.default_urls().0, "http://127.0.0.1:8203");
    }
}
