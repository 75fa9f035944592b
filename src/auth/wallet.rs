//! An Ethereum wallet for the JWT era's login (contract §12): its address, EIP-191 personal
//! signatures, and the recovery of the signer's address from one (what the double verifies).

use k256::ecdsa::{RecoveryId, Signature, SigningKey, VerifyingKey};
use sha3::{Digest, Keccak256};

/// Why a key or a signature cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum WalletError {
    #[error("a wallet private key is 32 bytes of hex (64 hex digits, 0x optional)")]
    BadKey,
    #[error("a signature is 65 bytes of hex (r, s, v), 0x optional")]
    BadSignature,
    #[error("no address can be recovered from this signature")]
    Unrecoverable,
}

/// A secp256k1 key pair. Never printed: `Debug` shows the address only.
#[derive(Clone)]
pub struct Wallet {
    key: SigningKey,
}

impl std::fmt::Debug for Wallet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Wallet({})", self.address())
    }
}

impl Wallet {
    /// From a private key in hex (`0x` optional).
    pub(crate) fn from_hex(text: &str) -> Result<Self, WalletError> {
        let bytes = decode_hex(text).ok_or(WalletError::BadKey)?;
        let key = SigningKey::from_slice(&bytes).map_err(|_| WalletError::BadKey)?;
        Ok(Self { key })
    }

    /// A fresh wallet from the operating system's randomness (a client needs no registration).
    pub(crate) fn random() -> Self {
        loop {
            let mut bytes = [0u8; 32];
            if getrandom::getrandom(&mut bytes).is_ok() {
                if let Ok(key) = SigningKey::from_slice(&bytes) {
                    return Self { key };
                }
            }
        }
    }

    /// The private key in hex, without `0x`: only for the redaction list.
    pub(crate) fn secret_hex(&self) -> String {
        encode_hex(&self.key.to_bytes())
    }

    /// The checksum-free, lower-case address: `0x` + the last 20 bytes of the keccak-256 of the
    /// uncompressed public key.
    pub fn address(&self) -> String {
        address_of(self.key.verifying_key())
    }

    /// The EIP-191 `personal_sign` signature of `message`: `0x` + r ‖ s ‖ v (v = 27 or 28).
    pub fn sign(&self, message: &str) -> String {
        let digest = eip191_digest(message);
        // RFC 6979 deterministic nonces and a low s, as Ethereum libraries produce.
        let (signature, recovery) = self
            .key
            .sign_prehash_recoverable(&digest)
            .expect("a 32-byte digest is always signable");
        let mut bytes = signature.to_bytes().to_vec();
        bytes.push(27 + recovery.to_byte());
        format!("0x{}", encode_hex(&bytes))
    }
}

/// The message the AITBC coordinator asks a wallet to sign to log in.
pub fn login_message(address: &str, nonce: &str) -> String {
    format!(
        "Sign this message to log in to AITBC.\nWallet: {}\nNonce: {nonce}",
        address.to_lowercase()
    )
}

/// The address that signed `message` with `signature` (EIP-191), lower case.
pub(crate) fn recover(message: &str, signature: &str) -> Result<String, WalletError> {
    let bytes = decode_hex(signature).ok_or(WalletError::BadSignature)?;
    let [body @ .., v] = bytes.as_slice() else {
        return Err(WalletError::BadSignature);
    };
    if body.len() != 64 {
        return Err(WalletError::BadSignature);
    }
    let signature = Signature::from_slice(body).map_err(|_| WalletError::BadSignature)?;
    let recovery =
        RecoveryId::from_byte(v.checked_sub(27).unwrap_or(*v)).ok_or(WalletError::BadSignature)?;
    let key = VerifyingKey::recover_from_prehash(&eip191_digest(message), &signature, recovery)
        .map_err(|_| WalletError::Unrecoverable)?;
    Ok(address_of(&key))
}

/// Whether `text` is a 20-byte hex address with `0x`.
pub(crate) fn is_address(text: &str) -> bool {
    text.strip_prefix("0x")
        .is_some_and(|h| h.len() == 40 && h.chars().all(|c| c.is_ascii_hexdigit()))
}

fn eip191_digest(message: &str) -> [u8; 32] {
    let mut hasher = Keccak256::new();
    hasher.update(format!("\x19Ethereum Signed Message:\n{}", message.len()).as_bytes());
    hasher.update(message.as_bytes());
    hasher.finalize().into()
}

fn address_of(key: &VerifyingKey) -> String {
    let point = key.to_encoded_point(false);
    let hash = Keccak256::digest(&point.as_bytes()[1..]);
    format!("0x{}", encode_hex(&hash[12..]))
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    let text = text.trim();
    let text = text.strip_prefix("0x").unwrap_or(text);
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

fn encode_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Computed once with eth-account 0.14.0 (Python), `Account.sign_message(encode_defunct(
    /// text=message), private_key=KEY).signature.hex()`, for the web3.js documentation's example
    /// key; the address is that key's well-known one.
    const KEY: &str = "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";
    const ADDRESS: &str = "0x2c7536e3605d9c16a7a3d7b1898e529396a65c23";
    const SIGNATURE: &str = "0x79ccd919924085765217b0d05db2816e3bff26e07d1b51cad86b7903445ad568\
                             6c70ea5b95a65dbe56753a4ab43d307a7ee10101a539eb56664e08182940748a1c";

    fn message() -> String {
        login_message(ADDRESS, "F-9qS4skHTp9T15dpVjUGw")
    }

    #[test]
    fn the_signature_is_the_one_an_ethereum_library_makes() {
        let wallet = Wallet::from_hex(KEY).unwrap();
        assert_eq!(wallet.address(), ADDRESS);
        assert_eq!(wallet.sign(&message()), SIGNATURE);
    }

    #[test]
    fn the_signer_is_recovered_and_a_changed_message_names_someone_else() {
        assert_eq!(recover(&message(), SIGNATURE).unwrap(), ADDRESS);
        let other = login_message(ADDRESS, "another-nonce");
        assert_ne!(recover(&other, SIGNATURE).unwrap(), ADDRESS);
        assert_eq!(
            recover(&message(), "0x1234"),
            Err(WalletError::BadSignature)
        );
    }

    #[test]
    fn keys_are_checked_and_random_wallets_differ() {
        assert_eq!(Wallet::from_hex("0x12").unwrap_err(), WalletError::BadKey);
        assert_eq!(
            Wallet::from_hex(&"0".repeat(64)).unwrap_err(),
            WalletError::BadKey
        );
        assert_ne!(Wallet::random().address(), Wallet::random().address());
        assert!(is_address(ADDRESS) && !is_address("0x1234"));
        assert!(!format!("{:?}", Wallet::from_hex(KEY).unwrap()).contains("4c0883"));
    }
}
