//! Reading what a SigV4 request carries: the `Authorization` header's credential scope, signed
//! headers and signature, and the `X-Amz-Date` time (ISO 8601 basic format).

use super::*;

/// The parts of `AWS4-HMAC-SHA256 Credential=<scope>, SignedHeaders=<a;b>, Signature=<hex>`.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Authorization<'a> {
    pub(super) credential: &'a str,
    pub(super) signed_headers: &'a str,
    pub(super) signature: &'a str,
}

impl<'a> Authorization<'a> {
    /// Refuses as AWS does: a pair without `=` is named, and every missing part (the date
    /// header included) gets its sentence, followed by the header as sent.
    pub(super) fn parse(header: &'a str, has_date: bool) -> Result<Self, Refusal> {
        let (mut credential, mut signed_headers, mut signature) = (None, None, None);
        if let Some(pairs) = header
            .strip_prefix(ALGORITHM)
            .filter(|rest| rest.starts_with(' '))
        {
            for pair in pairs.split(',').map(str::trim) {
                let Some((key, value)) = pair.split_once('=') else {
                    return Err(Refusal::Incomplete(format!(
                        "'{pair}' not a valid key=value pair (missing equal-sign) in \
                         Authorization header: '{header}'."
                    )));
                };
                match key {
                    "Credential" => credential = Some(value),
                    "SignedHeaders" => signed_headers = Some(value),
                    "Signature" => signature = Some(value),
                    _ => {}
                }
            }
        }
        let mut missing = Vec::new();
        for (name, value) in [
            ("Credential", credential),
            ("Signature", signature),
            ("SignedHeaders", signed_headers),
        ] {
            if value.is_none() {
                missing.push(format!("Authorization header requires '{name}' parameter."));
            }
        }
        if !has_date {
            missing.push(
                "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' \
                 header."
                    .to_owned(),
            );
        }
        match (credential, signed_headers, signature) {
            (Some(credential), Some(signed_headers), Some(signature)) if missing.is_empty() => {
                Ok(Self {
                    credential,
                    signed_headers,
                    signature,
                })
            }
            _ => Err(Refusal::Incomplete(format!(
                "{} Authorization={header}",
                missing.join(" ")
            ))),
        }
    }

    /// `<key>/<yyyymmdd>/<region>/<service>/aws4_request`.
    pub(super) fn scope(&self) -> Scope<'a> {
        let (access_key_id, rest) = self
            .credential
            .split_once('/')
            .unwrap_or((self.credential, ""));
        let parts: Vec<&str> = rest.split('/').collect();
        let rest = match parts.as_slice() {
            [_date, region, service, TERMINATOR] => Some(ScopeRest { region, service }),
            _ => None,
        };
        Scope {
            access_key_id,
            rest,
        }
    }
}

pub(super) struct Scope<'a> {
    pub(super) access_key_id: &'a str,
    /// `None` when the scope is malformed: no signature can match it. (Its date needs no check
    /// of its own: the expected signature is computed for the scope of `X-Amz-Date`'s day.)
    pub(super) rest: Option<ScopeRest<'a>>,
}

pub(super) struct ScopeRest<'a> {
    pub(super) region: &'a str,
    pub(super) service: &'a str,
}

/// The signed headers' values as received, each name once with all its values in order, as
/// SigV4's canonical headers take them.
pub(super) fn signed_headers<'a>(
    parts: &'a Parts,
    names: &'a str,
) -> Result<Vec<(&'a str, &'a str)>, Refusal> {
    let mut signed = Vec::new();
    for name in names.split(';') {
        let mut found = false;
        for value in parts.headers.get_all(name) {
            found = true;
            // A value that is not visible ASCII cannot be put in a canonical request.
            let value = value.to_str().map_err(|_| Refusal::Mismatch)?;
            signed.push((name, value));
        }
        // HTTP/2 carries the host in the `:authority` pseudo-header, which becomes the URI's.
        if !found
            && name.eq_ignore_ascii_case("host")
            && let Some(authority) = parts.uri.authority()
        {
            found = true;
            signed.push((name, authority.as_str()));
        }
        if !found {
            return Err(Refusal::Incomplete(format!(
                "'{name}' is named as a SignedHeader, but it does not exist in the HTTP request."
            )));
        }
    }
    Ok(signed)
}

pub(super) fn check_time(signed_at: SystemTime, now: SystemTime) -> Result<(), Refusal> {
    if let Some(earliest) = now.checked_sub(MAX_SKEW)
        && signed_at < earliest
    {
        return Err(Refusal::Expired {
            signed: basic(signed_at),
            earliest: basic(earliest),
            now: basic(now),
        });
    }
    if let Some(latest) = now.checked_add(MAX_SKEW)
        && signed_at > latest
    {
        return Err(Refusal::NotYetCurrent {
            signed: basic(signed_at),
            latest: basic(latest),
            now: basic(now),
        });
    }
    Ok(())
}

/// `20150830T123600Z` (ISO 8601 basic format, what `X-Amz-Date` carries).
pub(super) fn parse_basic(text: &str) -> Option<SystemTime> {
    let bytes = text.as_bytes();
    let shape_ok = bytes.len() == 16
        && bytes.get(8) == Some(&b'T')
        && bytes.get(15) == Some(&b'Z')
        && bytes
            .iter()
            .enumerate()
            .all(|(i, byte)| i == 8 || i == 15 || byte.is_ascii_digit());
    if !shape_ok {
        return None;
    }
    // Digits at checked positions only: every slice below is in bounds and on char boundaries.
    let extended = format!(
        "{}-{}-{}T{}:{}:{}Z",
        &text[0..4],
        &text[4..6],
        &text[6..8],
        &text[9..11],
        &text[11..13],
        &text[13..15]
    );
    humantime::parse_rfc3339(&extended).ok()
}

pub(super) fn basic(time: SystemTime) -> String {
    humantime::format_rfc3339_seconds(time)
        .to_string()
        .chars()
        .filter(|c| *c != '-' && *c != ':')
        .collect()
}
