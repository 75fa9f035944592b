//! Units a person writes on a command line or in a spec: durations (`5s`, `800ms`, `2m`) and
//! sizes (`2MB`, `512KB`), parsed once for every module that reads them.

use std::time::Duration;

/// `2MB`, `512KB`, `1GB` (powers of 1024) or a bare number of bytes.
pub(crate) fn parse_size(text: &str) -> Result<usize, String> {
    let upper = text.trim().to_ascii_uppercase();
    let (number, scale) = [
        ("GB", 1usize << 30),
        ("MB", 1 << 20),
        ("KB", 1 << 10),
        ("B", 1),
    ]
    .iter()
    .find_map(|(unit, scale)| {
        upper
            .strip_suffix(unit)
            .map(|n| (n.trim().to_string(), *scale))
    })
    .unwrap_or((upper.clone(), 1));
    let value: usize = number
        .parse()
        .map_err(|_| format!("{text:?} is not a size; use e.g. 2MB, 512KB or a number of bytes"))?;
    match value.checked_mul(scale) {
        Some(0) | None => Err(format!("{text:?}: a size must be positive and reasonable")),
        Some(bytes) => Ok(bytes),
    }
}

/// `5s`, `800ms`, `1.5s`, `2m`, or a bare number of seconds.
pub(crate) fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let (number, scale) = if let Some(n) = text.strip_suffix("ms") {
        (n, 0.001)
    } else if let Some(n) = text.strip_suffix('s') {
        (n, 1.0)
    } else if let Some(n) = text.strip_suffix('m') {
        (n, 60.0)
    } else {
        (text, 1.0)
    };
    let value: f64 = number
        .trim()
        .parse()
        .map_err(|_| format!("{text:?} is not a duration; use e.g. 5s, 800ms or 2m"))?;
    if !(value.is_finite() && value > 0.0) {
        return Err(format!("{text:?}: a duration must be positive"));
    }
    Ok(Duration::from_secs_f64(value * scale))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_in_the_usual_spellings() {
        assert_eq!(parse_duration("5s"), Ok(Duration::from_secs(5)));
        assert_eq!(parse_duration("800ms"), Ok(Duration::from_millis(800)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("1.5"), Ok(Duration::from_millis(1500)));
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("0s").is_err());
    }

    #[test]
    fn sizes_parse_in_the_usual_spellings() {
        assert_eq!(parse_size("2MB"), Ok(2 << 20));
        assert_eq!(parse_size("512kb"), Ok(512 << 10));
        assert_eq!(parse_size("1000"), Ok(1000));
        assert!(parse_size("lots").is_err());
        assert!(parse_size("0").is_err());
    }
}
