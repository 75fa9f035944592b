//! Flags, environment and the coordinator's `.env` → one validated `Target`.

use std::path::Path;
use std::sync::Arc;

use crate::auth::token::Token;
use crate::auth::wallet::Wallet;
use crate::auth::{Era, EraChoice};
use crate::cli::{LiveArgs, RunArgs};
use crate::double::profile::Profile;
use crate::double::seed::Seed;
use crate::envfile::EnvKeys;
use crate::error::InputError;
use crate::target::{Credential, Credentials, Target};

/// The target a run uses: live when a URL is given (flag, env or `AITBC_URL`), else the double.
pub(crate) fn target(args: &RunArgs) -> Result<Target, InputError> {
    target_of(
        &args.suite.fixtures,
        &args.live,
        &args.judge.profile,
        args.judge.era,
    )
}

/// The target the live flags name, else the embedded double of `profile` (also for `check`).
pub(crate) fn target_of(
    fixtures: &Path,
    live: &LiveArgs,
    profile: &str,
    era: EraChoice,
) -> Result<Target, InputError> {
    let coordinator = live
        .coordinator_url
        .clone()
        .or_else(|| std::env::var("AITBC_URL").ok().filter(|u| !u.is_empty()));
    if coordinator.is_none() && live.node_url.is_none() {
        return double(fixtures, profile, double_era(era));
    }
    if profile != "healthy" {
        return Err(InputError::Flag {
            flag: "--profile",
            message: "profiles degrade the embedded double; a live run takes the target as it is"
                .into(),
        });
    }
    long_enough(live)?;
    let (default_coordinator, default_node) =
        default_era(era, coordinator.as_deref()).default_urls();
    let coordinator = base_url(
        "--coordinator-url",
        coordinator.as_deref().unwrap_or(default_coordinator),
    )?;
    let node = base_url(
        "--node-url",
        live.node_url.as_deref().unwrap_or(default_node),
    )?;
    let https = [&coordinator, &node]
        .iter()
        .any(|url| url.starts_with("https://"));
    Ok(Target::Live {
        coordinator,
        node,
        credentials: credentials(live)?,
        wallets: wallets(live)?,
        era,
        trust: crate::tls::Trust {
            cacert: live.cacert.clone(),
            insecure: live.insecure,
            https,
        },
    })
}

/// The embedded double plays the API-key era unless `--era jwt`.
pub(crate) fn double_era(choice: EraChoice) -> Era {
    match choice {
        EraChoice::Jwt => Era::Jwt,
        EraChoice::ApiKey | EraChoice::Auto => Era::ApiKey,
    }
}

/// Whose default ports fill in a URL not given: the explicit era's, else the era the given
/// coordinator URL's port suggests (8203 is the JWT era's, contract §12).
fn default_era(choice: EraChoice, coordinator: Option<&str>) -> Era {
    match choice {
        EraChoice::Jwt => Era::Jwt,
        EraChoice::ApiKey => Era::ApiKey,
        EraChoice::Auto => {
            let port = coordinator
                .and_then(|c| reqwest::Url::parse(c).ok())
                .and_then(|u| u.port());
            if port == Some(8203) {
                Era::Jwt
            } else {
                Era::ApiKey
            }
        }
    }
}

/// The embedded double with its seed, profile and era.
pub(crate) fn double(fixtures: &Path, profile_name: &str, era: Era) -> Result<Target, InputError> {
    let (seed, profile) = double_setup(fixtures, profile_name)?;
    Ok(Target::Double {
        seed,
        profile: Arc::new(profile),
        profile_name: profile_name.to_string(),
        era,
    })
}

/// The double's seed (`double.yaml`) and a profile (`profiles/NAME.yaml`, or built-in healthy).
pub(crate) fn double_setup(
    fixtures: &Path,
    profile_name: &str,
) -> Result<(Seed, Profile), InputError> {
    let seed = Seed::load(&fixtures.join("double.yaml"))?;
    let profile = if profile_name == "healthy" && !fixtures.join("profiles/healthy.yaml").is_file()
    {
        Profile::healthy()
    } else {
        Profile::load(&fixtures.join("profiles"), profile_name)?
    };
    Ok((seed, profile))
}

/// The fewest characters a credential given by flag may have: every credential is masked in
/// every report, and a shorter one would mask ordinary text (AITBC's own keys have 16 or more).
const SHORTEST_CREDENTIAL: usize = 8;

/// Each key and token given by flag is long enough to be one (a typo such as `--client-token x`
/// is told as such, not found later as a "leak" in every report).
fn long_enough(live: &LiveArgs) -> Result<(), InputError> {
    let given: [(&'static str, &Option<String>); 9] = [
        ("--client-key", &live.client_key),
        ("--other-client-key", &live.other_client_key),
        ("--miner-key", &live.miner_key),
        ("--admin-key", &live.admin_key),
        ("--other-admin-key", &live.other_admin_key),
        ("--client-token", &live.client_token),
        ("--other-client-token", &live.other_client_token),
        ("--admin-token", &live.admin_token),
        ("--other-admin-token", &live.other_admin_token),
    ];
    for (flag, value) in given {
        let n = value.as_deref().map_or(0, |v| v.chars().count());
        if (1..SHORTEST_CREDENTIAL).contains(&n) {
            return Err(InputError::Flag {
                flag,
                message: format!(
                    "{n} character(s) is too short for a credential (at least {SHORTEST_CREDENTIAL}): \
                     every credential is masked in the reports, and one this short would mask ordinary text"
                ),
            });
        }
    }
    Ok(())
}

/// Flags first, then the `.env` lists (first key = the role's, second = the other one); ready
/// JWT-era tokens by flag.
fn credentials(live: &LiveArgs) -> Result<Credentials, InputError> {
    let env = match &live.env_file {
        Some(path) => EnvKeys::load(path)?,
        None => EnvKeys::default(),
    };
    let given = |flag: &Option<String>| flag.clone().filter(|k| !k.is_empty());
    let key = |flag: &Option<String>, list: &[String], index: usize| {
        given(flag)
            .or_else(|| list.get(index).cloned())
            .map(Credential::ApiKey)
    };
    let token = |flag: &Option<String>| given(flag).map(|t| Token::given(&t).credential);
    Ok(Credentials {
        client: token(&live.client_token).or_else(|| key(&live.client_key, &env.client, 0)),
        other_client: token(&live.other_client_token)
            .or_else(|| key(&live.other_client_key, &env.client, 1)),
        miner: key(&live.miner_key, &env.miner, 0),
        admin: token(&live.admin_token).or_else(|| key(&live.admin_key, &env.admin, 0)),
        other_admin: token(&live.other_admin_token)
            .or_else(|| key(&live.other_admin_key, &env.admin, 1)),
    })
}

/// The wallets given by flag, by role; a malformed key is an error naming its flag.
fn wallets(live: &LiveArgs) -> Result<Vec<(&'static str, Wallet)>, InputError> {
    let flags: [(&'static str, &'static str, &Option<String>); 4] = [
        ("client", "--client-wallet-key", &live.client_wallet_key),
        (
            "other-client",
            "--other-client-wallet-key",
            &live.other_client_wallet_key,
        ),
        ("admin", "--admin-wallet-key", &live.admin_wallet_key),
        (
            "other-admin",
            "--other-admin-wallet-key",
            &live.other_admin_wallet_key,
        ),
    ];
    flags
        .into_iter()
        .filter_map(|(role, flag, key)| {
            key.as_ref()
                .filter(|k| !k.is_empty())
                .map(|k| (role, flag, k))
        })
        .map(|(role, flag, key)| {
            Wallet::from_hex(key)
                .map(|w| (role, w))
                .map_err(|e| InputError::Flag {
                    flag,
                    message: e.to_string(),
                })
        })
        .collect()
}

/// An `http://host[:port]` base without a trailing slash; anything else is a flag error.
pub(crate) fn base_url(flag: &'static str, text: &str) -> Result<String, InputError> {
    let bad = |message: String| InputError::Flag { flag, message };
    let url = reqwest::Url::parse(text).map_err(|e| {
        bad(format!(
            "{text:?} is not a URL ({e}); e.g. http://127.0.0.1:8000"
        ))
    })?;
    match url.scheme() {
        "http" | "https" => {}
        other => {
            return Err(bad(format!(
                "{text:?}: scheme {other:?} is not http or https"
            )))
        }
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(bad(format!("{text:?} has no host")));
    }
    Ok(text.trim_end_matches('/').to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_are_checked_and_normalised() {
        assert_eq!(
            base_url("--x", "http://127.0.0.1:8000/").unwrap(),
            "http://127.0.0.1:8000"
        );
        assert_eq!(
            base_url("--x", "https://staging.example:8443").unwrap(),
            "https://staging.example:8443"
        );
        for bad in ["127.0.0.1:8000", "ftp://h", "http://", "not a url"] {
            let err = base_url("--coordinator-url", bad).unwrap_err().to_string();
            assert!(err.starts_with("--coordinator-url: "), "{bad}: {err}");
        }
    }

    #[test]
    fn flags_win_over_the_env_file() {
        let dir = tempfile::tempdir().unwrap();
        let env = dir.path().join(".env");
        std::fs::write(
            &env,
            "CLIENT_API_KEYS=[\"c1\",\"c2\"]\nADMIN_API_KEYS=[\"a1\"]\n",
        )
        .unwrap();
        let live = LiveArgs {
            coordinator_url: None,
            node_url: None,
            cacert: None,
            insecure: false,
            env_file: Some(env),
            client_key: Some("flag-client".into()),
            other_client_key: None,
            miner_key: None,
            admin_key: None,
            other_admin_key: None,
            client_token: None,
            other_client_token: None,
            admin_token: None,
            other_admin_token: None,
            client_wallet_key: None,
            other_client_wallet_key: None,
            admin_wallet_key: None,
            other_admin_wallet_key: None,
        };
        let c = credentials(&live).unwrap();
        assert_eq!(c.client, Some(Credential::ApiKey("flag-client".into())));
        assert_eq!(c.other_client, Some(Credential::ApiKey("c2".into())));
        assert_eq!(c.admin, Some(Credential::ApiKey("a1".into())));
        assert_eq!(c.miner, None);
        assert_eq!(c.other_admin, None);
    }
}
