//! strings tests (being written)
