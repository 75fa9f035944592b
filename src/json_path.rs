//! Dotted paths into JSON (`items.0.job_id`, `""` for the root) and subset matching.

use serde_json::Value;

/// The value at `path`, where numeric segments index arrays; `""` is the root.
pub(crate) fn lookup<'v>(root: &'v Value, path: &str) -> Option<&'v Value> {
    if path.is_empty() {
        return Some(root);
    }
    path.split('.').try_fold(root, |node, segment| match node {
        Value::Array(items) => segment.parse::<usize>().ok().and_then(|i| items.get(i)),
        Value::Object(map) => map.get(segment),
        _ => None,
    })
}

/// Whether `actual` contains `expected`: objects by key subset, arrays element-wise with equal
/// length, scalars by equality (numbers compared as f64 so `1` matches `1.0`).
pub(crate) fn contains(actual: &Value, expected: &Value) -> bool {
    match (actual, expected) {
        (Value::Object(a), Value::Object(e)) => e
            .iter()
            .all(|(k, ev)| a.get(k).is_some_and(|av| contains(av, ev))),
        (Value::Array(a), Value::Array(e)) => {
            a.len() == e.len() && a.iter().zip(e).all(|(av, ev)| contains(av, ev))
        }
        (Value::Number(a), Value::Number(e)) => a.as_f64() == e.as_f64(),
        _ => actual == expected,
    }
}

/// Equality where numbers compare by value (`1 == 1.0`), recursively.
pub(crate) fn equals(actual: &Value, expected: &Value) -> bool {
    match (actual, expected) {
        (Value::Object(a), Value::Object(e)) => {
            a.len() == e.len()
                && e.iter()
                    .all(|(k, ev)| a.get(k).is_some_and(|av| equals(av, ev)))
        }
        (Value::Array(a), Value::Array(e)) => {
            a.len() == e.len() && a.iter().zip(e).all(|(av, ev)| equals(av, ev))
        }
        (Value::Number(a), Value::Number(e)) => a.as_f64() == e.as_f64(),
        _ => actual == expected,
    }
}

/// A short rendering for failure messages (at most `max` characters).
pub(crate) fn brief(value: &Value, max: usize) -> String {
    let text = value.to_string();
    if text.chars().count() <= max {
        text
    } else {
        let cut: String = text.chars().take(max).collect();
        format!("{cut}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn looks_up_objects_arrays_and_root() {
        let v = json!({"items": [{"id": "a"}, {"id": "b"}], "n": 1});
        assert_eq!(lookup(&v, "items.1.id"), Some(&json!("b")));
        assert_eq!(lookup(&v, ""), Some(&v));
        assert_eq!(lookup(&v, "items.9.id"), None);
        assert_eq!(lookup(&v, "n.x"), None);
        assert_eq!(lookup(&json!([1, 2]), "1"), Some(&json!(2)));
    }

    #[test]
    fn subset_matching_is_strict_where_it_should_be() {
        let actual = json!({"a": 1, "b": {"c": [1, 2], "d": "x"}});
        assert!(contains(&actual, &json!({"b": {"d": "x"}})));
        assert!(contains(&actual, &json!({"a": 1.0})));
        assert!(!contains(&actual, &json!({"b": {"c": [1]}})));
        assert!(!contains(&actual, &json!({"z": null})));
        assert!(!contains(&actual, &json!({"a": "1"})));
    }

    #[test]
    fn equality_compares_numbers_by_value_and_keys_exactly() {
        assert!(equals(&json!({"a": 1}), &json!({"a": 1.0})));
        assert!(!equals(&json!({"a": 1, "b": 2}), &json!({"a": 1})));
        assert!(!equals(&json!("1"), &json!(1)));
    }
}
