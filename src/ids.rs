//! Deterministic id and hash generation for the double (SplitMix64; not cryptographic).

/// A small seeded generator of hex ids.
#[derive(Debug, Clone)]
pub(crate) struct IdGen {
    state: u64,
}

impl IdGen {
    pub(crate) fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    /// The next 64 pseudo-random bits.
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.state)
    }

    /// `n` lower-case hex characters.
    pub(crate) fn hex(&mut self, n: usize) -> String {
        let mut out = String::with_capacity(n + 16);
        while out.len() < n {
            out.push_str(&format!("{:016x}", self.next_u64()));
        }
        out.truncate(n);
        out
    }

    /// `n` characters of the URL-safe base64 alphabet (a login nonce's spelling).
    pub(crate) fn urlsafe(&mut self, n: usize) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        (0..n)
            .map(|_| ALPHABET[(self.next_u64() % 64) as usize] as char)
            .collect()
    }

    /// A float in `[0, 1)`.
    pub(crate) fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// The SplitMix64 finaliser: a good 64-bit mixing function.
pub(crate) fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// 64 hex characters derived from a list of words: stable for the same input.
pub(crate) fn digest_hex(words: &[u64]) -> String {
    let mut acc = 0x6A09_E667_F3BC_C908u64;
    for w in words {
        acc = mix(acc ^ w);
    }
    let mut gen = IdGen::new(acc);
    gen.hex(64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_ids_have_the_asked_length_and_alphabet() {
        let mut gen = IdGen::new(7);
        for n in [8, 10, 32, 64] {
            let id = gen.hex(n);
            assert_eq!(id.len(), n);
            assert!(id
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
        }
    }

    #[test]
    fn same_seed_same_ids_other_seed_other_ids() {
        assert_eq!(IdGen::new(1).hex(32), IdGen::new(1).hex(32));
        assert_ne!(IdGen::new(1).hex(32), IdGen::new(2).hex(32));
        assert_ne!(digest_hex(&[1, 2]), digest_hex(&[2, 1]));
    }
}
