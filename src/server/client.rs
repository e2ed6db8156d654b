//! Per-connection client state: selected database, name, protocol, auth.

/// What the server knows about one connected client.
#[derive(Debug, Default)]
pub struct ClientState {
    /// Unique, increasing client id (CLIENT ID).
    pub id: u64,
    /// Index of the selected database (SELECT).
    pub db: usize,
    /// CLIENT SETNAME, empty when unset.
    pub name: Vec<u8>,
    /// Protocol version chosen by HELLO (2 or 3).
    pub resp: u8,
    /// False until AUTH succeeds when `requirepass` is set.
    pub authenticated: bool,
}
