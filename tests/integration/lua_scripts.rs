//! lua_scripts tests (being written)
