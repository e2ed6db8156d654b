//! Lua patterns (placeholder: being written)
