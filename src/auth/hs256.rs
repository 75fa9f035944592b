//! The one algorithm the JWT era uses (HS256), as jsonwebtoken's crypto provider: its HMAC from
//! RustCrypto's `hmac` and `sha2`. jsonwebtoken still does all of the JWT work (encoding,
//! claims, expiry); its own `rust_crypto` backend would also build RSA, P-256, P-384 and
//! Ed25519 for tokens this harness never sees. Any other algorithm is refused.

use hmac::{Hmac, Mac};
use jsonwebtoken::crypto::{CryptoProvider, JwkUtils, JwtSigner, JwtVerifier};
use jsonwebtoken::errors::{ErrorKind, Result};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// HMAC-SHA256 with one key, signing or verifying.
struct Hs256(HmacSha256);

impl Hs256 {
    fn new(secret: &[u8]) -> Result<Self> {
        HmacSha256::new_from_slice(secret)
            .map(Self)
            .map_err(|_| ErrorKind::InvalidKeyFormat.into())
    }
}

impl signature::Signer<Vec<u8>> for Hs256 {
    fn try_sign(&self, message: &[u8]) -> std::result::Result<Vec<u8>, signature::Error> {
        let mut mac = self.0.clone();
        mac.update(message);
        Ok(mac.finalize().into_bytes().to_vec())
    }
}

impl JwtSigner for Hs256 {
    fn algorithm(&self) -> Algorithm {
        Algorithm::HS256
    }
}

impl signature::Verifier<Vec<u8>> for Hs256 {
    /// A constant-time comparison (`hmac`'s `verify_slice`).
    fn verify(&self, message: &[u8], sig: &Vec<u8>) -> std::result::Result<(), signature::Error> {
        let mut mac = self.0.clone();
        mac.update(message);
        mac.verify_slice(sig).map_err(|_| signature::Error::new())
    }
}

impl JwtVerifier for Hs256 {
    fn algorithm(&self) -> Algorithm {
        Algorithm::HS256
    }
}

fn signer(algorithm: &Algorithm, key: &EncodingKey) -> Result<Box<dyn JwtSigner>> {
    match algorithm {
        Algorithm::HS256 => Ok(Box::new(Hs256::new(key.try_get_hmac_secret()?)?)),
        _ => Err(ErrorKind::InvalidAlgorithm.into()),
    }
}

fn verifier(algorithm: &Algorithm, key: &DecodingKey) -> Result<Box<dyn JwtVerifier>> {
    match algorithm {
        Algorithm::HS256 => Ok(Box::new(Hs256::new(key.try_get_hmac_secret()?)?)),
        _ => Err(ErrorKind::InvalidAlgorithm.into()),
    }
}

static PROVIDER: CryptoProvider = CryptoProvider {
    signer_factory: signer,
    verifier_factory: verifier,
    jwk_utils: JwkUtils::new_unimplemented(),
};

/// Makes HS256 jsonwebtoken's crypto for this process (once; later calls change nothing).
pub(crate) fn install() {
    let _ = PROVIDER.install_default();
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsonwebtoken::{decode, Validation};

    /// jwt.io's published HS256 example, signed by another implementation.
    const EXAMPLE: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";

    fn loose(algorithm: Algorithm) -> Validation {
        let mut validation = Validation::new(algorithm);
        validation.validate_exp = false;
        validation.required_spec_claims.clear();
        validation
    }

    #[test]
    fn a_token_signed_elsewhere_verifies_with_its_secret_only() {
        install();
        let key = |s: &str| DecodingKey::from_secret(s.as_bytes());
        let claims = decode::<serde_json::Value>(
            EXAMPLE,
            &key("your-256-bit-secret"),
            &loose(Algorithm::HS256),
        )
        .unwrap()
        .claims;
        assert_eq!(claims["sub"], "1234567890");
        assert!(
            decode::<serde_json::Value>(EXAMPLE, &key("another"), &loose(Algorithm::HS256))
                .is_err()
        );
    }

    #[test]
    fn other_algorithms_are_refused() {
        install();
        let key = DecodingKey::from_secret(b"your-256-bit-secret");
        assert!(decode::<serde_json::Value>(EXAMPLE, &key, &loose(Algorithm::HS384)).is_err());
        assert!(signer(&Algorithm::HS512, &EncodingKey::from_secret(b"k")).is_err());
    }
}
