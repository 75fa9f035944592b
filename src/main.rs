//! The `aitbc-conformance` binary: parse argv, run, exit with the documented code.

use std::process::ExitCode;

fn main() -> ExitCode {
    ExitCode::from(aitbc_conformance::main_with(std::env::args_os()))
}
