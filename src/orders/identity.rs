//! Customer identity tokens and signed links.
//!
//! A token is what a shop's backend hands its logged-in shopper (`aisle token --customer C1001`):
//! `v1.<payload>.<signature>`, where the payload is base64url JSON `{"sub":customer id,
//! "exp":unix seconds}` and the signature is base64url HMAC-SHA256 over `v1.<payload>` with the
//! server's secret. Verification recomputes the MAC and compares it in constant time before
//! reading the payload; anything else — a wrong secret, a changed byte, an expired time — is
//! refused the same way to the caller (`unauthorized`), with the reason kept for the log.
//!
//! The secret comes from config (`token_secret`), or, when none is set, is generated once and
//! kept in the database, so tokens survive restarts and `aisle token` signs with the same key
//! as the server.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::Seconds;

const VERSION: &str = "v1";
/// Shortest secret accepted, in bytes.
pub const MIN_SECRET_BYTES: usize = 32;
/// Longest token read; longer input is refused before any decoding.
const MAX_TOKEN_BYTES: usize = 1024;

type HmacSha256 = Hmac<Sha256>;

/// Why a token was refused (for the log; the client only learns `unauthorized`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("the token is not of the form v1.<payload>.<signature>")]
    Malformed,
    #[error("the token's signature does not match")]
    BadSignature,
    #[error("the token expired")]
    Expired,
}

/// Who a valid token names, and until when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    #[serde(rename = "sub")]
    pub customer_id: String,
    #[serde(rename = "exp")]
    pub expires_at: Seconds,
}

/// The server's signing key.
#[derive(Clone)]
pub struct TokenKey {
    secret: Vec<u8>,
}

impl std::fmt::Debug for TokenKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenKey(..)")
    }
}

impl TokenKey {
    /// A key from a secret of at least [`MIN_SECRET_BYTES`] bytes.
    pub fn new(secret: &[u8]) -> Option<TokenKey> {
        (secret.len() >= MIN_SECRET_BYTES).then(|| TokenKey { secret: secret.to_vec() })
    }

    /// A new random secret, as text (64 hex digits).
    pub fn random_secret() -> String {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).expect("the operating system provides randomness");
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// A token for `customer_id` valid until `expires_at`.
    pub fn issue(&self, customer_id: &str, expires_at: Seconds) -> String {
        let claims = Claims { customer_id: customer_id.to_string(), expires_at };
        let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims).expect("claims serialize"));
        let signed = format!("{VERSION}.{payload}");
        let signature = URL_SAFE_NO_PAD.encode(self.mac(signed.as_bytes()));
        format!("{signed}.{signature}")
    }

    /// The claims of a token signed with this key and not expired at `now`.
    pub fn verify(&self, token: &str, now: Seconds) -> Result<Claims, TokenError> {
        if token.len() > MAX_TOKEN_BYTES {
            return Err(TokenError::Malformed);
        }
        let (signed, signature) = token.rsplit_once('.').ok_or(TokenError::Malformed)?;
        let (version, payload) = signed.split_once('.').ok_or(TokenError::Malformed)?;
        if version != VERSION {
            return Err(TokenError::Malformed);
        }
        let signature = URL_SAFE_NO_PAD.decode(signature).map_err(|_| TokenError::Malformed)?;
        let mut mac = HmacSha256::new_from_slice(&self.secret).expect("HMAC takes keys of any length");
        mac.update(signed.as_bytes());
        mac.verify_slice(&signature).map_err(|_| TokenError::BadSignature)?;
        let payload = URL_SAFE_NO_PAD.decode(payload).map_err(|_| TokenError::Malformed)?;
        let claims: Claims = serde_json::from_slice(&payload).map_err(|_| TokenError::Malformed)?;
        if claims.expires_at <= now {
            return Err(TokenError::Expired);
        }
        Ok(claims)
    }

    /// A signature of `message` for a link (base64url), checked with [`TokenKey::check_link`].
    pub fn sign_link(&self, message: &str) -> String {
        URL_SAFE_NO_PAD.encode(self.mac(format!("link.{message}").as_bytes()))
    }

    /// Whether `signature` is this key's signature of `message` (constant time).
    pub fn check_link(&self, message: &str, signature: &str) -> bool {
        let Ok(signature) = URL_SAFE_NO_PAD.decode(signature) else { return false };
        let mut mac = HmacSha256::new_from_slice(&self.secret).expect("HMAC takes keys of any length");
        mac.update(format!("link.{message}").as_bytes());
        mac.verify_slice(&signature).is_ok()
    }

    fn mac(&self, message: &[u8]) -> Vec<u8> {
        let mut mac = HmacSha256::new_from_slice(&self.secret).expect("HMAC takes keys of any length");
        mac.update(message);
        mac.finalize().into_bytes().to_vec()
    }
}

/// Whether two secrets are equal, in time that does not depend on where they differ or on
/// their lengths (both are hashed first).
pub fn same_secret(a: &str, b: &str) -> bool {
    let (a, b) = (Sha256::digest(a.as_bytes()), Sha256::digest(b.as_bytes()));
    a.ct_eq(&b).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> TokenKey {
        TokenKey::new(&[7u8; 32]).unwrap()
    }

    #[test]
    fn a_token_verifies_until_it_expires() {
        let token = key().issue("C1001", 1_000);
        assert_eq!(key().verify(&token, 999), Ok(Claims { customer_id: "C1001".into(), expires_at: 1_000 }));
        assert_eq!(key().verify(&token, 1_000), Err(TokenError::Expired));
    }

    #[test]
    fn forged_and_tampered_tokens_are_refused() {
        let token = key().issue("C1001", 1_000);
        let other = TokenKey::new(&[8u8; 32]).unwrap();
        assert_eq!(other.verify(&token, 0), Err(TokenError::BadSignature));
        // Another customer's id in the payload, the signature kept.
        let (_, rest) = token.split_once('.').unwrap();
        let (_, signature) = rest.split_once('.').unwrap();
        let forged_payload = URL_SAFE_NO_PAD.encode(br#"{"sub":"C1002","exp":1000}"#);
        assert_eq!(key().verify(&format!("v1.{forged_payload}.{signature}"), 0), Err(TokenError::BadSignature));
        // A later expiry.
        let later = URL_SAFE_NO_PAD.encode(br#"{"sub":"C1001","exp":99999999999}"#);
        assert_eq!(key().verify(&format!("v1.{later}.{signature}"), 0), Err(TokenError::BadSignature));
        for bad in ["", "v1", "v1..", "v2.a.b", "not a token", &"x".repeat(5000), &format!("{token}x"), &token.replace("v1.", "v2.")] {
            assert!(key().verify(bad, 0).is_err(), "{bad:?}");
        }
        // Every single-character change of the token is refused.
        for i in 0..token.len() {
            let mut bytes = token.clone().into_bytes();
            bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
            let tampered = String::from_utf8(bytes).unwrap();
            if tampered != token {
                assert!(key().verify(&tampered, 0).is_err(), "changed at {i}: {tampered}");
            }
        }
    }

    #[test]
    fn short_secrets_are_refused() {
        assert!(TokenKey::new(b"short").is_none());
        assert_eq!(TokenKey::random_secret().len(), 64);
    }

    #[test]
    fn links_are_signed() {
        let signature = key().sign_link("invoice:48213:1000");
        assert!(key().check_link("invoice:48213:1000", &signature));
        assert!(!key().check_link("invoice:48214:1000", &signature));
        assert!(!key().check_link("invoice:48213:1000", "garbage!"));
    }

    #[test]
    fn secrets_compare_equal_only_when_equal() {
        assert!(same_secret("admin-key", "admin-key"));
        assert!(!same_secret("admin-key", "admin-kez"));
        assert!(!same_secret("admin-key", "admin-key-longer"));
    }
}
