//! Credentials per role, in either era: an API key (sent as `X-Api-Key`) or a session token
//! (`Authorization: Bearer`) with the identity it stands for. Their values are never printed.

/// The credential one role sends.
#[derive(Clone, PartialEq, Eq)]
pub(crate) enum Credential {
    /// API-key era, and miners in the JWT era: the key is also the identity.
    ApiKey(String),
    /// JWT era: a session token and its subject (the user id the backend files jobs under).
    Bearer { token: String, subject: String },
}

impl Credential {
    /// The secret itself (for redaction lists; never print it).
    pub(crate) fn secret(&self) -> &str {
        match self {
            Credential::ApiKey(key) => key,
            Credential::Bearer { token, .. } => token,
        }
    }

    /// Who the backend takes the caller to be: the key, or the token's subject.
    pub(crate) fn identity(&self) -> &str {
        match self {
            Credential::ApiKey(key) => key,
            Credential::Bearer { subject, .. } => subject,
        }
    }

    /// The header that carries it.
    pub(crate) fn header(&self) -> (&'static str, String) {
        match self {
            Credential::ApiKey(key) => ("X-Api-Key", key.clone()),
            Credential::Bearer { token, .. } => ("Authorization", format!("Bearer {token}")),
        }
    }
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Credential(***)")
    }
}

/// Credentials per role; `other_*` serve the isolation scenarios.
#[derive(Debug, Clone, Default)]
pub(crate) struct Credentials {
    pub(crate) client: Option<Credential>,
    pub(crate) other_client: Option<Credential>,
    pub(crate) miner: Option<Credential>,
    pub(crate) admin: Option<Credential>,
    pub(crate) other_admin: Option<Credential>,
}

impl Credentials {
    /// Each configured credential with its role's name (`client`, `other-client`, …).
    pub(crate) fn by_role(&self) -> [(&'static str, Option<&Credential>); 5] {
        [
            ("client", self.client.as_ref()),
            ("other-client", self.other_client.as_ref()),
            ("miner", self.miner.as_ref()),
            ("admin", self.admin.as_ref()),
            ("other-admin", self.other_admin.as_ref()),
        ]
    }

    /// The credential of a role by its name (`client`, `other-client`, …), if configured.
    pub(crate) fn get(&self, role: &str) -> Option<&Credential> {
        self.by_role()
            .into_iter()
            .find(|(name, _)| *name == role)
            .and_then(|(_, c)| c)
    }

    /// The slot of a role by its name.
    pub(crate) fn slot(&mut self, role: &str) -> Option<&mut Option<Credential>> {
        Some(match role {
            "client" => &mut self.client,
            "other-client" => &mut self.other_client,
            "miner" => &mut self.miner,
            "admin" => &mut self.admin,
            "other-admin" => &mut self.other_admin,
            _ => return None,
        })
    }

    /// Every configured secret, for redaction.
    pub(crate) fn secrets(&self) -> Vec<String> {
        self.by_role()
            .into_iter()
            .filter_map(|(_, c)| c.map(|c| c.secret().to_string()))
            .collect()
    }
}
