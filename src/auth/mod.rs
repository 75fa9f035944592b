//! Who the harness is on a target: the era, the credentials of each role, and the wallet login
//! that earns the JWT era's tokens.

pub(crate) mod credentials;
pub mod era;
pub(crate) mod hs256;
pub mod token;
pub mod wallet;

pub(crate) use credentials::{Credential, Credentials};
pub use era::Era;
pub(crate) use era::EraChoice;
