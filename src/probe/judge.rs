//! The checks: one answer to one probe request, judged by what the document and the role
//! table say it should have been.

use super::finding::Check;

/// What the request was, by the document and the roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Expect {
    /// The document accepts it, sent with the role the route needs.
    Valid,
    /// The document rejects it (a bound, a type, a required field, the body's syntax).
    Invalid,
    /// Sent without the route's credential, with another role's, or on another client's object.
    Refused,
    /// Names an object this probe cancelled or deleted, on a route that would change it: it
    /// must be refused (contract §4: a cancelled job is not cancelable, has no result to take).
    Gone,
    /// Valid by the letter of the schema, but a refusal is as reasonable (a number beyond 64
    /// bits where the schema sets no bound): only a 5xx or a broken 2xx body is a finding.
    Either,
}

/// What came back, as far as the checks need it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Answer<'a> {
    pub(crate) status: u16,
    /// The answer's `Content-Type`.
    pub(crate) content_type: Option<&'a str>,
    /// The body parsed as JSON.
    pub(crate) is_json: bool,
    /// The document declares a JSON body for this status.
    pub(crate) documented_json: bool,
    /// The first violation of that schema, when the body is JSON.
    pub(crate) schema_error: Option<&'a str>,
}

/// The check this answer breaks, if any, and what sets its finding apart from others on the
/// same route (the status, the violation).
pub(crate) fn judge(expect: Expect, answer: &Answer<'_>) -> Option<(Check, String)> {
    let status = answer.status;
    let ok = (200..300).contains(&status);
    if status >= 500 || status == 0 {
        return Some((Check::ServerError, status.to_string()));
    }
    match expect {
        Expect::Refused if ok => return Some((Check::IgnoredAuth, status.to_string())),
        Expect::Invalid if ok => return Some((Check::InvalidAccepted, status.to_string())),
        Expect::Gone if ok => return Some((Check::UseAfterGone, status.to_string())),
        Expect::Valid if status == 422 => return Some((Check::ValidRejected, "422".into())),
        _ => {}
    }
    if !ok || !answer.documented_json {
        return None;
    }
    let json_type = answer
        .content_type
        .is_some_and(|t| t.starts_with("application/json") || t.contains("+json"));
    if !json_type || !answer.is_json {
        return Some((
            Check::MediaType,
            answer.content_type.unwrap_or("none").to_string(),
        ));
    }
    answer.schema_error.map(|e| {
        (
            Check::ResponseSchema,
            e.split(':').next().unwrap_or(e).to_string(),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16) -> Answer<'static> {
        Answer {
            status,
            content_type: Some("application/json"),
            is_json: true,
            documented_json: true,
            schema_error: None,
        }
    }

    #[test]
    fn each_check_fires_on_its_own_answer_and_none_on_a_right_one() {
        let judged = |e, a: &Answer| judge(e, a).map(|(c, _)| c);
        assert_eq!(
            judged(Expect::Valid, &answer(500)),
            Some(Check::ServerError)
        );
        assert_eq!(
            judged(Expect::Invalid, &answer(200)),
            Some(Check::InvalidAccepted)
        );
        assert_eq!(judged(Expect::Invalid, &answer(422)), None);
        assert_eq!(
            judged(Expect::Valid, &answer(422)),
            Some(Check::ValidRejected)
        );
        assert_eq!(judged(Expect::Valid, &answer(404)), None);
        assert_eq!(
            judged(Expect::Refused, &answer(201)),
            Some(Check::IgnoredAuth)
        );
        assert_eq!(judged(Expect::Refused, &answer(401)), None);
        assert_eq!(
            judged(Expect::Gone, &answer(200)),
            Some(Check::UseAfterGone)
        );
        assert_eq!(judged(Expect::Gone, &answer(409)), None);
        let text = Answer {
            content_type: Some("text/html"),
            is_json: false,
            ..answer(200)
        };
        assert_eq!(judged(Expect::Valid, &text), Some(Check::MediaType));
        let broken = Answer {
            schema_error: Some("$.height: want integer, but got string"),
            ..answer(200)
        };
        assert_eq!(
            judge(Expect::Valid, &broken),
            Some((Check::ResponseSchema, "$.height".into()))
        );
        assert_eq!(judged(Expect::Valid, &answer(200)), None);
    }
}
