//! String commands (GET, SET, INCR, APPEND, SETRANGE, bit operations, LCS, ...).
use super::CommandSpec;

pub static COMMANDS: &[CommandSpec] = &[];
