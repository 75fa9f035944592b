//! The subcommands (`run`, `list`, `double`) and what they share.

mod compare;
mod double;
mod list;
mod run;

pub use self::compare::compare;
pub use self::double::serve_double;
pub use self::list::list;
pub use self::run::run;

use crate::catalog::Catalog;
use crate::cli::SuiteArgs;
use crate::error::InputError;
use crate::suite::Suite;

/// The catalog and the parsed, tag-checked suite.
fn load_inputs(args: &SuiteArgs) -> Result<(Catalog, Suite), InputError> {
    let catalog = Catalog::load(&args.fixtures.join("commands.yaml"))?;
    let suite = Suite::load(&args.features, &catalog)?;
    Ok((catalog, suite))
}

/// Writes to stdout; a closed pipe is not an error worth a panic.
fn say(text: &str) {
    use std::io::Write as _;
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}
