//! The standard libraries, one file per library, each ending with its
//! registration table.
pub mod base;
pub mod coroutine;
pub mod format;
pub mod lpattern;
pub mod math;
