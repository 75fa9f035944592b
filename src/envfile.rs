//! Reads the coordinator's own `.env`: `CLIENT_API_KEYS=["k1","k2"]` and its siblings.

use std::path::Path;

use crate::error::InputError;

/// The keys a coordinator `.env` configures, per role, in file order.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct EnvKeys {
    pub(crate) client: Vec<String>,
    pub(crate) miner: Vec<String>,
    pub(crate) admin: Vec<String>,
}

impl EnvKeys {
    /// Reads `path`; a malformed key list names the file and line.
    pub(crate) fn load(path: &Path) -> Result<Self, InputError> {
        let text = crate::error::read_input(path)?;
        Self::parse(path, &text)
    }

    /// Parses `.env` text; lines other than the three key lists are ignored.
    pub(crate) fn parse(path: &Path, text: &str) -> Result<Self, InputError> {
        let mut keys = Self::default();
        for (index, raw) in text.lines().enumerate() {
            let line = raw.trim();
            let line = line.strip_prefix("export ").unwrap_or(line).trim_start();
            let Some((name, value)) = line.split_once('=') else {
                continue;
            };
            let slot = match name.trim() {
                "CLIENT_API_KEYS" => &mut keys.client,
                "MINER_API_KEYS" => &mut keys.miner,
                "ADMIN_API_KEYS" => &mut keys.admin,
                _ => continue,
            };
            *slot = parse_list(value).map_err(|message| InputError::Invalid {
                path: path.to_path_buf(),
                line: index as u64 + 1,
                message: format!("{}: {message}", name.trim()),
            })?;
        }
        Ok(keys)
    }
}

/// `["a","b"]`, `'["a","b"]'` or `"[\"a\"]"`; a JSON array of strings, possibly shell-quoted.
fn parse_list(value: &str) -> Result<Vec<String>, String> {
    let value = strip_comment(value.trim());
    let unquoted = match (value.chars().next(), value.chars().last()) {
        (Some('\''), Some('\'')) if value.len() >= 2 => value[1..value.len() - 1].to_string(),
        (Some('"'), Some('"')) if value.len() >= 2 => {
            value[1..value.len() - 1].replace("\\\"", "\"")
        }
        _ => value.to_string(),
    };
    let list: Vec<String> = serde_json::from_str(unquoted.trim())
        .map_err(|e| format!("expected a JSON array of strings such as [\"k1\",\"k2\"] ({e})"))?;
    Ok(list.into_iter().filter(|k| !k.is_empty()).collect())
}

/// Drops a trailing ` # comment` outside quotes and brackets.
fn strip_comment(value: &str) -> &str {
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    for (i, c) in value.char_indices() {
        match (c, quote) {
            ('"' | '\'', None) => quote = Some(c),
            (q, Some(open)) if q == open => quote = None,
            ('[', None) => depth += 1,
            (']', None) => depth -= 1,
            ('#', None) if depth <= 0 && value[..i].ends_with(char::is_whitespace) => {
                return value[..i].trim_end()
            }
            _ => {}
        }
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<EnvKeys, InputError> {
        EnvKeys::parse(Path::new(".env"), text)
    }

    #[test]
    fn reads_the_shapes_real_env_files_use() {
        let text = r#"
# coordinator settings
DATABASE_URL=sqlite:///./coordinator.db
CLIENT_API_KEYS=["client_dev_key_1_valid","client_dev_key_2_valid"]
export MINER_API_KEYS='["miner_dev_key_1_valid"]'
ADMIN_API_KEYS = "[\"admin_dev_key_1_valid\", \"test_admin_key_16_chars_min\"]"  # two admins
"#;
        let keys = parse(text).unwrap();
        assert_eq!(
            keys.client,
            ["client_dev_key_1_valid", "client_dev_key_2_valid"]
        );
        assert_eq!(keys.miner, ["miner_dev_key_1_valid"]);
        assert_eq!(
            keys.admin,
            ["admin_dev_key_1_valid", "test_admin_key_16_chars_min"]
        );
    }

    #[test]
    fn an_empty_list_and_missing_lines_give_no_keys() {
        let keys = parse("CLIENT_API_KEYS=[]\nOTHER=1\n").unwrap();
        assert_eq!(keys, EnvKeys::default());
    }

    #[test]
    fn a_malformed_list_names_the_line() {
        let err = parse("A=1\nMINER_API_KEYS=[miner_key]\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with(".env:2: MINER_API_KEYS: expected a JSON array"),
            "{err}"
        );
    }
}
