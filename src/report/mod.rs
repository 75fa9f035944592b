//! Reporting: the event collector, the summary arithmetic, and its renderings.

pub mod files;
pub mod gate;
pub mod history;
pub mod merge;
pub mod render;
pub mod summary;
pub mod terminal;
