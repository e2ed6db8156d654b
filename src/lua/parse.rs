//! parse (placeholder: being written)
