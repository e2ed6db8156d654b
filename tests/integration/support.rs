//! support tests (being written)
