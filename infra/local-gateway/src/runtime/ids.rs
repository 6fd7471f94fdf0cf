//! Identifiers shaped like API Gateway's.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// 16 characters of standard base64 over 11 random bytes, e.g. `L0SM9cOFvHcCIhw=`: the shape of
/// API Gateway connection ids and request ids. Clients must percent-encode the trailing `=`,
/// which is exactly the path the Management API has to get right.
pub fn api_gateway_id() -> String {
    STANDARD.encode(rand::random::<[u8; 11]>())
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
}
