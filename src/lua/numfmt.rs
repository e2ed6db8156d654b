//! Number formatting and parsing (placeholder: being written)
