//! code (placeholder: being written)
