//! Reading an answer's body within a bound, and saying what a transport error was.

/// Why a body could not be read whole.
pub(crate) enum BodyError {
    Transport(reqwest::Error),
    TooLarge {
        limit: usize,
        announced: Option<u64>,
    },
}

/// The body, read chunk by chunk and never beyond `limit` bytes (memory stays bounded whatever
/// the target sends; the client's timeout covers the whole body).
pub(crate) async fn read_body(
    mut response: reqwest::Response,
    limit: usize,
) -> Result<Vec<u8>, BodyError> {
    let announced = response.content_length();
    if announced.is_some_and(|n| n > limit as u64) {
        return Err(BodyError::TooLarge { limit, announced });
    }
    let mut body = Vec::with_capacity(announced.map_or(0, |n| n as usize));
    while let Some(chunk) = response.chunk().await.map_err(BodyError::Transport)? {
        if body.len() + chunk.len() > limit {
            return Err(BodyError::TooLarge { limit, announced });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// An error and its sources, joined: reqwest's own message alone hides the cause.
pub(crate) fn error_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}
