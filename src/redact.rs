//! Keeps secrets out of everything the harness prints or writes: each configured key becomes `***`.

/// Replaces every configured secret in a text. Clones share their list: a token earned later
/// (a JWT-era login) is masked everywhere from then on.
#[derive(Debug, Clone, Default)]
pub(crate) struct Redactor {
    /// Longest first, so a key that contains another is replaced whole.
    secrets: std::sync::Arc<std::sync::RwLock<Vec<String>>>,
}

/// What a secret is replaced with.
pub(crate) const MASK: &str = "***";

impl Redactor {
    pub(crate) fn new(secrets: impl IntoIterator<Item = String>) -> Self {
        let redactor = Self::default();
        for secret in secrets {
            redactor.add(&secret);
        }
        redactor
    }

    /// Masks `secret` from now on (in this redactor and its clones).
    pub(crate) fn add(&self, secret: &str) {
        if secret.is_empty() {
            return;
        }
        let mut secrets = self
            .secrets
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if !secrets.iter().any(|s| s == secret) {
            secrets.push(secret.to_string());
            secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        }
    }

    /// Whether `text` holds any secret.
    pub(crate) fn finds(&self, text: &str) -> bool {
        let secrets = self
            .secrets
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        secrets.iter().any(|s| text.contains(s.as_str()))
    }

    /// `text` with every secret masked.
    pub(crate) fn apply(&self, text: &str) -> String {
        let secrets = self
            .secrets
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        secrets.iter().fold(text.to_string(), |acc, secret| {
            acc.replace(secret.as_str(), MASK)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_every_secret_and_the_longer_one_whole() {
        let r = Redactor::new(["key_1".to_string(), "key_1_long".to_string(), String::new()]);
        assert_eq!(r.apply("a key_1_long b key_1 c"), "a *** b *** c");
        assert_eq!(r.apply("nothing here"), "nothing here");
        let shared = r.clone();
        r.add("later");
        assert_eq!(shared.apply("later key_1"), "*** ***");
    }
}
