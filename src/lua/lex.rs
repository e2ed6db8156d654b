//! lex (placeholder: being written)
