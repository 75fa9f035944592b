//! Reporting: the event collector, the summary arithmetic, and its renderings.

pub mod collector;
pub mod endpoints;
pub mod files;
pub mod gate;
pub mod summary;
pub mod terminal;
