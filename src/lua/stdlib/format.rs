//! string.format's engine (placeholder: being written)
