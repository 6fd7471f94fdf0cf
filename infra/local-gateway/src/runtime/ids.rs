//! Identifiers shaped like API Gateway's.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// 16 characters of standard base64 over 11 random bytes, e.g. `L0SM9cOFvHcCIhw=`: the shape of
/// API Gateway connection ids and request ids. Clients must percent-encode the trailing `=`,
/// which is exactly the path the Management API has to get right.
pub fn api_gateway_id() -> String {
    STANDARD.encode(rand::random::<[u8; 11]>())
}

/// A random (version 4) UUID, the shape of Lambda request ids.
pub fn request_uuid() -> String {
    let mut bytes = rand::random::<[u8; 16]>();
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|byte| format!("{byte:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_look_like_api_gateway_ids() {
        let id = api_gateway_id();
        assert_eq!(id.len(), 16);
        assert!(id.ends_with('='));
        assert_eq!(STANDARD.decode(&id).map(|b| b.len()).ok(), Some(11));
        assert_ne!(id, api_gateway_id());
    }

    #[test]
    fn request_ids_are_version_4_uuids() {
        let id = request_uuid();
        let groups: Vec<usize> = id.split('-').map(str::len).collect();
        assert_eq!(groups, [8, 4, 4, 4, 12]);
        assert_eq!(id.as_bytes()[14], b'4');
    }
}
