//! The TCP server: listener, connections, the thread design, shared state.
pub mod client;

/// State shared by every connection and readable by command handlers:
/// configuration, statistics, the client registry.
#[derive(Debug, Default)]
pub struct Shared {}
