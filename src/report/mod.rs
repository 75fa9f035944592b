//! Reporting: the event collector, the summary arithmetic, and its renderings.

pub(crate) mod files;
pub(crate) mod gate;
pub(crate) mod history;
pub(crate) mod merge;
pub(crate) mod metrics;
pub(crate) mod render;
pub(crate) mod summary;
pub(crate) mod terminal;
