//! Loading YAML fixtures with serde-saphyr, errors mapped to `file:line:column`.

use std::path::Path;

use serde::de::DeserializeOwned;

use crate::error::InputError;

/// Reads and deserialises one YAML file; any problem names the file and, when known, the line.
pub(crate) fn load<T: DeserializeOwned>(path: &Path) -> Result<T, InputError> {
    let text = crate::error::read_input(path)?;
    parse(path, &text)
}

/// Deserialises YAML text that came from `path` (used for messages only).
pub(crate) fn parse<T: DeserializeOwned>(path: &Path, text: &str) -> Result<T, InputError> {
    serde_saphyr::from_str(text).map_err(|err| {
        let (line, column) = err
            .location()
            .map(|loc| (loc.line(), loc.column()))
            .unwrap_or((1, 1));
        InputError::Yaml {
            path: path.to_path_buf(),
            line,
            column,
            message: first_line(&err.to_string()),
        }
    })
}

/// The first non-empty line, without the `error: line L column C:` prefix we print ourselves.
fn first_line(text: &str) -> String {
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("unknown error");
    let line = line.strip_prefix("error: ").unwrap_or(line);
    match line.split_once(": ") {
        Some((head, rest)) if head.starts_with("line ") && head.contains(" column ") => {
            rest.to_string()
        }
        _ => line.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Doc {
        name: String,
        count: u32,
    }

    #[test]
    fn a_type_error_names_its_line() {
        let err = parse::<Doc>(Path::new("f.yaml"), "name: a\ncount: many\n").unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("f.yaml:2:"), "{text}");
    }

    #[test]
    fn a_syntax_error_names_its_line() {
        let err = parse::<Doc>(Path::new("f.yaml"), "name: a\ncount: [1,\n  : :\n").unwrap_err();
        assert!(err.to_string().starts_with("f.yaml:"), "{err}");
    }
}
