//! Who the harness is on a target: the era, the credentials of each role, and the wallet login
//! that earns the JWT era's tokens.

pub mod credentials;
pub mod era;
pub mod hs256;
pub mod token;
pub mod wallet;

pub use credentials::{Credential, Credentials};
pub use era::{Era, EraChoice};
