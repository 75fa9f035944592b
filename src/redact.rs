//! Keeps secrets out of everything the harness prints or writes: each configured key becomes `***`.

/// Replaces every configured secret in a text.
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    /// Longest first, so a key that contains another is replaced whole.
    secrets: Vec<String>,
}

/// What a secret is replaced with.
pub const MASK: &str = "***";

impl Redactor {
    pub fn new(secrets: impl IntoIterator<Item = String>) -> Self {
        let mut secrets: Vec<String> = secrets.into_iter().filter(|s| !s.is_empty()).collect();
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        secrets.dedup();
        Self { secrets }
    }

    /// `text` with every secret masked.
    pub fn apply(&self, text: &str) -> String {
        self.secrets.iter().fold(text.to_string(), |acc, secret| {
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
    }
}
