//! Incremental RESP2 request parser (multibulk and inline).
