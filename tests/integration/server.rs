//! server tests (being written)
