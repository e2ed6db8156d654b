//! Generic key commands (DEL, EXISTS, EXPIRE, SCAN, ...) and the keyspace commands
//! (SELECT, SWAPDB, MOVE, DBSIZE, FLUSHDB, FLUSHALL).
use super::CommandSpec;

pub static COMMANDS: &[CommandSpec] = &[];
