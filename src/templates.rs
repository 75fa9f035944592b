//! Path templates (`/v1/jobs/{job_id}`): matching request paths, and as wiremock regexes.

/// `^/v1/jobs/[^/]+/result$` for `/v1/jobs/{job_id}/result`.
pub(crate) fn template_regex(template: &str) -> String {
    let body: Vec<String> = template
        .split('/')
        .map(|seg| {
            if seg.starts_with('{') && seg.ends_with('}') {
                "[^/]+".to_string()
            } else {
                regex_escape(seg)
            }
        })
        .collect();
    format!("^{}$", body.join("/"))
}

fn regex_escape(text: &str) -> String {
    text.chars()
        .flat_map(|c| {
            let special = "\\.+*?()|[]{}^$#&-~".contains(c);
            special
                .then_some('\\')
                .into_iter()
                .chain(std::iter::once(c))
        })
        .collect()
}

pub(crate) fn template_matches(template: &str, path: &str) -> bool {
    segments_match(template.split('/'), path)
}

/// Whether `path` fits template segments: as many segments, `{param}` matching any non-empty
/// one, literals equal. Allocation-free, so the endpoint table can call it per request.
pub(crate) fn segments_match<'t>(template: impl IntoIterator<Item = &'t str>, path: &str) -> bool {
    let mut actual = path.split('/');
    let same = template.into_iter().all(|t| match actual.next() {
        Some(p) if t.starts_with('{') => !p.is_empty(),
        Some(p) => p == t,
        None => false,
    });
    same && actual.next().is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_become_anchored_regexes() {
        assert_eq!(
            template_regex("/v1/jobs/{job_id}/result"),
            "^/v1/jobs/[^/]+/result$"
        );
        assert_eq!(template_regex("/rpc/blocks-range"), "^/rpc/blocks\\-range$");
        let re = regex::Regex::new(&template_regex("/rpc/blocks/{height}")).unwrap();
        assert!(re.is_match("/rpc/blocks/5"));
        assert!(!re.is_match("/rpc/blocks/by_hash/0xab"));
    }
}
