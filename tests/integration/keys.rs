//! keys tests (being written)
