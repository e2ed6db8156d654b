//! lua_api tests (being written)
