//! The standard libraries, one file per library, each ending with its
//! registration table.
pub mod format;
pub mod lpattern;
