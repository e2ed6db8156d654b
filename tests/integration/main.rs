//! Ferrous's black-box tests, one test binary: the real server over TCP on a free
//! loopback port, and the Lua engine through its API and the `ferrous-lua` binary.
mod arg_order;
mod clients;
mod functions;
mod hash;
mod hot;
mod keys;
mod list;
mod list_edges;
mod lua_api;
mod lua_redislibs;
mod lua_scripts;
mod notify;
mod output_limits;
mod pubsub;
mod resp3;
mod scripting;
mod server;
mod set;
mod sort;
mod strings;
mod support;
mod tracking;
mod tx;
mod zset;
