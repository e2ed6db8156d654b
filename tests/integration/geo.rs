//! Geo commands over TCP: replies compared byte for byte with what
//! redis-server 7.0.15 answered (recorded below), the events it fired, and,
//! when redis-server is installed, random searches run on both servers.
use super::support::{event_listener, expect_events, run_cases, start_server, Cases, Conn, Rand};

/// GEOADD's options and errors, positions at the limits, GEOPOS / GEOHASH /
/// GEODIST in every unit, each search command with every option (sorting,
/// COUNT, ANY, WITH*, STORE/STOREDIST), the argument errors in Redis's order,
/// missing sources, ties between equal distances (stable sort, and Redis's
/// partial quicksort under COUNT), WRONGTYPE.
const SESSION: Cases = &[
    (&[b"FLUSHALL"], b"+OK\x0d\x0a"),
    (&[b"GEOADD", b"Sicily", b"13.361389", b"38.115556", b"Palermo", b"15.087269", b"37.502669", b"Catania"], b":2\x0d\x0a"),
    (&[b"GEOADD", b"Sicily", b"NX", b"CH", b"13.361389", b"38.115556", b"Palermo", b"12.758489", b"38.788135", b"edge1", b"17.241510", b"38.788135", b"edge2"], b":2\x0d\x0a"),
    (&[b"GEOADD", b"Sicily", b"XX", b"CH", b"13.361390", b"38.115556", b"Palermo", b"1", b"1", b"nope"], b":0\x0d\x0a"),
    (&[b"GEOADD", b"Sicily", b"CH", b"XX", b"NX", b"1", b"1", b"a"], b"-ERR syntax error\x0d\x0a"),
    (&[b"GEOADD", b"Sicily", b"ch", b"ch", b"1", b"1"], b"-ERR syntax error\x0d\x0a"),
    (&[b"GEOADD", b"Sicily", b"ch", b"ch", b"ch"], b"-ERR syntax error\x0d\x0a"),
    (&[b"GEOADD", b"Sicily", b"1", b"1", b"a", b"2", b"2"], b"-ERR syntax error\x0d\x0a"),
    (&[b"GEOADD", b"Sicily", b"181", b"1", b"a"], b"-ERR invalid longitude,latitude pair 181.000000,1.000000\x0d\x0a"),
    (&[b"GEOADD", b"Sicily", b"1", b"86", b"a"], b"-ERR invalid longitude,latitude pair 1.000000,86.000000\x0d\x0a"),
    (&[b"GEOADD", b"Sicily", b"-inf", b"1", b"a"], b"-ERR invalid longitude,latitude pair -inf,1.000000\x0d\x0a"),
    (&[b"GEOADD", b"Sicily", b"1", b"nan", b"a"], b"-ERR value is not a valid float\x0d\x0a"),
    (&[b"GEOADD", b"Sicily", b"abc", b"1", b"a"], b"-ERR value is not a valid float\x0d\x0a"),
    (&[b"GEOADD", b"Sicily", b"1", b" 1", b"a"], b"-ERR value is not a valid float\x0d\x0a"),
    (&[b"GEOADD", b"Sicily", b"1e400", b"1", b"a"], b"-ERR value is not a valid float\x0d\x0a"),
    (&[b"GEOADD", b"Sicily", b"1.5", b"1", b"a", b"1", b"86", b"b"], b"-ERR invalid longitude,latitude pair 1.000000,86.000000\x0d\x0a"),
    (&[b"ZCARD", b"Sicily"], b":4\x0d\x0a"),
    (&[b"GEOADD", b"Sicily", b"180", b"85.05112878", b"max", b"-180", b"-85.05112878", b"min", b"0", b"0", b"zero"], b":3\x0d\x0a"),
    (&[b"ZRANGE", b"Sicily", b"0", b"-1", b"WITHSCORES"], b"*14\x0d\x0a$3\x0d\x0amin\x0d\x0a$1\x0d\x0a0\x0d\x0a$4\x0d\x0azero\x0d\x0a$16\x0d\x0a3377699720527872\x0d\x0a$7\x0d\x0aPalermo\x0d\x0a$16\x0d\x0a3479099956230698\x0d\x0a$5\x0d\x0aedge1\x0d\x0a$16\x0d\x0a3479273021651468\x0d\x0a$7\x0d\x0aCatania\x0d\x0a$16\x0d\x0a3479447370796909\x0d\x0a$5\x0d\x0aedge2\x0d\x0a$16\x0d\x0a3481342659049484\x0d\x0a$3\x0d\x0amax\x0d\x0a$17\x0d\x0a13510798882111488\x0d\x0a"),
    (&[b"GEOPOS", b"Sicily", b"Palermo", b"Catania", b"max", b"min", b"zero", b"nope"], b"*6\x0d\x0a*2\x0d\x0a$20\x0d\x0a13.36138933897018433\x0d\x0a$20\x0d\x0a38.11555639549629859\x0d\x0a*2\x0d\x0a$20\x0d\x0a15.08726745843887329\x0d\x0a$20\x0d\x0a37.50266842333162032\x0d\x0a*2\x0d\x0a$3\x0d\x0a180\x0d\x0a$19\x0d\x0a85.0511287799999991\x0d\x0a*2\x0d\x0a$22\x0d\x0a-179.99999731779098511\x0d\x0a$21\x0d\x0a-85.05112751263942528\x0d\x0a*2\x0d\x0a$19\x0d\x0a0.00000268220901489\x0d\x0a$19\x0d\x0a0.00000126736058093\x0d\x0a*-1\x0d\x0a"),
    (&[b"GEOPOS", b"nokey", b"a", b"b"], b"*2\x0d\x0a*-1\x0d\x0a*-1\x0d\x0a"),
    (&[b"GEOHASH", b"Sicily", b"Palermo", b"Catania", b"max", b"min", b"zero", b"nope"], b"*6\x0d\x0a$11\x0d\x0asqc8b49rny0\x0d\x0a$11\x0d\x0asqdtr74hyu0\x0d\x0a$11\x0d\x0abp05b5048p0\x0d\x0a$11\x0d\x0a00bh0hbj200\x0d\x0a$11\x0d\x0as0000000000\x0d\x0a$-1\x0d\x0a"),
    (&[b"GEOHASH", b"nokey", b"a"], b"*1\x0d\x0a$-1\x0d\x0a"),
    (&[b"GEODIST", b"Sicily", b"Palermo", b"Catania"], b"$11\x0d\x0a166274.1516\x0d\x0a"),
    (&[b"GEODIST", b"Sicily", b"Palermo", b"Catania", b"km"], b"$8\x0d\x0a166.2742\x0d\x0a"),
    (&[b"GEODIST", b"Sicily", b"Palermo", b"Catania", b"MI"], b"$8\x0d\x0a103.3182\x0d\x0a"),
    (&[b"GEODIST", b"Sicily", b"Palermo", b"Catania", b"ft"], b"$11\x0d\x0a545518.8700\x0d\x0a"),
    (&[b"GEODIST", b"Sicily", b"Palermo", b"Catania", b"furlong"], b"-ERR unsupported unit provided. please use M, KM, FT, MI\x0d\x0a"),
    (&[b"GEODIST", b"Sicily", b"Palermo", b"Catania", b"km", b"extra"], b"-ERR syntax error\x0d\x0a"),
    (&[b"GEODIST", b"Sicily", b"Palermo", b"nope"], b"$-1\x0d\x0a"),
    (&[b"GEODIST", b"nokey", b"a", b"b"], b"$-1\x0d\x0a"),
    (&[b"GEODIST", b"Sicily", b"Palermo", b"Palermo"], b"$6\x0d\x0a0.0000\x0d\x0a"),
    (&[b"GEODIST", b"Sicily", b"max", b"min"], b"$13\x0d\x0a18919844.5891\x0d\x0a"),
    (&[b"GEORADIUS", b"Sicily", b"15", b"37", b"200", b"km"], b"*2\x0d\x0a$7\x0d\x0aPalermo\x0d\x0a$7\x0d\x0aCatania\x0d\x0a"),
    (&[b"GEORADIUS", b"Sicily", b"15", b"37", b"200", b"km", b"ASC"], b"*2\x0d\x0a$7\x0d\x0aCatania\x0d\x0a$7\x0d\x0aPalermo\x0d\x0a"),
    (&[b"GEORADIUS", b"Sicily", b"15", b"37", b"200", b"km", b"DESC", b"WITHDIST"], b"*2\x0d\x0a*2\x0d\x0a$7\x0d\x0aPalermo\x0d\x0a$8\x0d\x0a190.4424\x0d\x0a*2\x0d\x0a$7\x0d\x0aCatania\x0d\x0a$7\x0d\x0a56.4413\x0d\x0a"),
    (&[b"GEORADIUS", b"Sicily", b"15", b"37", b"200", b"km", b"WITHDIST", b"WITHCOORD", b"WITHHASH"], b"*2\x0d\x0a*4\x0d\x0a$7\x0d\x0aPalermo\x0d\x0a$8\x0d\x0a190.4424\x0d\x0a:3479099956230698\x0d\x0a*2\x0d\x0a$20\x0d\x0a13.36138933897018433\x0d\x0a$20\x0d\x0a38.11555639549629859\x0d\x0a*4\x0d\x0a$7\x0d\x0aCatania\x0d\x0a$7\x0d\x0a56.4413\x0d\x0a:3479447370796909\x0d\x0a*2\x0d\x0a$20\x0d\x0a15.08726745843887329\x0d\x0a$20\x0d\x0a37.50266842333162032\x0d\x0a"),
    (&[b"GEORADIUS", b"Sicily", b"15", b"37", b"400", b"km", b"COUNT", b"2"], b"*2\x0d\x0a$7\x0d\x0aCatania\x0d\x0a$7\x0d\x0aPalermo\x0d\x0a"),
    (&[b"GEORADIUS", b"Sicily", b"15", b"37", b"400", b"km", b"COUNT", b"2", b"ANY"], b"*2\x0d\x0a$7\x0d\x0aPalermo\x0d\x0a$5\x0d\x0aedge1\x0d\x0a"),
    (&[b"GEORADIUS", b"Sicily", b"15", b"37", b"400", b"km", b"COUNT", b"2", b"ANY", b"DESC"], b"*2\x0d\x0a$5\x0d\x0aedge1\x0d\x0a$7\x0d\x0aPalermo\x0d\x0a"),
    (&[b"GEORADIUS", b"Sicily", b"15", b"37", b"400", b"km", b"ANY"], b"-ERR the ANY argument requires COUNT argument\x0d\x0a"),
    (&[b"GEORADIUS", b"Sicily", b"15", b"37", b"400", b"km", b"COUNT", b"0"], b"-ERR COUNT must be > 0\x0d\x0a"),
    (&[b"GEORADIUS", b"Sicily", b"15", b"37", b"400", b"km", b"COUNT", b"-3"], b"-ERR COUNT must be > 0\x0d\x0a"),
    (&[b"GEORADIUS", b"Sicily", b"15", b"37", b"400", b"km", b"COUNT", b"x"], b"-ERR value is not an integer or out of range\x0d\x0a"),
    (&[b"GEORADIUS", b"Sicily", b"15", b"37", b"400", b"km", b"COUNT"], b"-ERR syntax error\x0d\x0a"),
    (&[b"GEORADIUS", b"Sicily", b"15", b"37", b"-1", b"km"], b"-ERR radius cannot be negative\x0d\x0a"),
    (&[b"GEORADIUS", b"Sicily", b"15", b"37", b"x", b"km"], b"-ERR need numeric radius\x0d\x0a"),
    (&[b"GEORADIUS", b"Sicily", b"15", b"37", b"1", b"parsec"], b"-ERR unsupported unit provided. please use M, KM, FT, MI\x0d\x0a"),
    (&[b"GEORADIUS", b"Sicily", b"15", b"100", b"1", b"km"], b"-ERR invalid longitude,latitude pair 15.000000,100.000000\x0d\x0a"),
    (&[b"GEORADIUS", b"Sicily", b"15", b"x", b"1", b"km"], b"-ERR value is not a valid float\x0d\x0a"),
    (&[b"GEORADIUS", b"Sicily", b"15", b"37", b"200", b"km", b"FOO"], b"-ERR syntax error\x0d\x0a"),
    (&[b"GEORADIUS", b"Sicily", b"15", b"37", b"200", b"km", b"STORE"], b"-ERR syntax error\x0d\x0a"),
    (&[b"GEORADIUS", b"Sicily", b"15", b"37", b"200", b"km", b"STORE", b"dst", b"WITHDIST"], b"-ERR STORE option in GEORADIUS is not compatible with WITHDIST, WITHHASH and WITHCOORD options\x0d\x0a"),
    (&[b"GEORADIUS", b"Sicily", b"15", b"37", b"200", b"km", b"STORE", b"dst"], b":2\x0d\x0a"),
    (&[b"ZRANGE", b"dst", b"0", b"-1", b"WITHSCORES"], b"*4\x0d\x0a$7\x0d\x0aPalermo\x0d\x0a$16\x0d\x0a3479099956230698\x0d\x0a$7\x0d\x0aCatania\x0d\x0a$16\x0d\x0a3479447370796909\x0d\x0a"),
    (&[b"GEORADIUS", b"Sicily", b"15", b"37", b"200", b"km", b"STOREDIST", b"dst", b"DESC"], b":2\x0d\x0a"),
    (&[b"ZRANGE", b"dst", b"0", b"-1", b"WITHSCORES"], b"*4\x0d\x0a$7\x0d\x0aCatania\x0d\x0a$18\x0d\x0a56.441257870158204\x0d\x0a$7\x0d\x0aPalermo\x0d\x0a$18\x0d\x0a190.44242984775784\x0d\x0a"),
    (&[b"GEORADIUS", b"Sicily", b"15", b"37", b"1", b"m", b"STORE", b"dst"], b":0\x0d\x0a"),
    (&[b"EXISTS", b"dst"], b":0\x0d\x0a"),
    (&[b"GEORADIUS_RO", b"Sicily", b"15", b"37", b"200", b"km", b"STORE", b"dst"], b"-ERR syntax error\x0d\x0a"),
    (&[b"GEORADIUS_RO", b"Sicily", b"15", b"37", b"200", b"km", b"WITHDIST"], b"*2\x0d\x0a*2\x0d\x0a$7\x0d\x0aPalermo\x0d\x0a$8\x0d\x0a190.4424\x0d\x0a*2\x0d\x0a$7\x0d\x0aCatania\x0d\x0a$7\x0d\x0a56.4413\x0d\x0a"),
    (&[b"GEORADIUS", b"Sicily", b"15", b"37", b"0", b"km"], b"*0\x0d\x0a"),
    (&[b"GEORADIUSBYMEMBER", b"Sicily", b"Palermo", b"200", b"km", b"WITHDIST"], b"*3\x0d\x0a*2\x0d\x0a$7\x0d\x0aPalermo\x0d\x0a$6\x0d\x0a0.0000\x0d\x0a*2\x0d\x0a$5\x0d\x0aedge1\x0d\x0a$7\x0d\x0a91.4007\x0d\x0a*2\x0d\x0a$7\x0d\x0aCatania\x0d\x0a$8\x0d\x0a166.2742\x0d\x0a"),
    (&[b"GEORADIUSBYMEMBER", b"Sicily", b"nope", b"200", b"km"], b"-ERR could not decode requested zset member\x0d\x0a"),
    (&[b"GEORADIUSBYMEMBER", b"Sicily", b"nope", b"x", b"km"], b"-ERR could not decode requested zset member\x0d\x0a"),
    (&[b"GEORADIUSBYMEMBER", b"Sicily", b"Palermo", b"x", b"km"], b"-ERR need numeric radius\x0d\x0a"),
    (&[b"GEORADIUSBYMEMBER", b"nokey", b"nope", b"x", b"km"], b"*0\x0d\x0a"),
    (&[b"GEORADIUSBYMEMBER", b"nokey", b"nope", b"1", b"km", b"WITHDIST", b"STORE", b"d"], b"-ERR STORE option in GEORADIUS is not compatible with WITHDIST, WITHHASH and WITHCOORD options\x0d\x0a"),
    (&[b"GEORADIUSBYMEMBER", b"nokey", b"nope", b"1", b"km", b"STORE", b"d"], b":0\x0d\x0a"),
    (&[b"SET", b"d", b"x"], b"+OK\x0d\x0a"),
    (&[b"GEORADIUSBYMEMBER", b"nokey", b"nope", b"1", b"km", b"STORE", b"d"], b":0\x0d\x0a"),
    (&[b"EXISTS", b"d"], b":0\x0d\x0a"),
    (&[b"GEORADIUSBYMEMBER_RO", b"Sicily", b"Palermo", b"200", b"km", b"STORE", b"d"], b"-ERR syntax error\x0d\x0a"),
    (&[b"GEORADIUSBYMEMBER_RO", b"Sicily", b"Palermo", b"200", b"mi", b"ASC", b"COUNT", b"1"], b"*1\x0d\x0a$7\x0d\x0aPalermo\x0d\x0a"),
    (&[b"GEOSEARCH", b"Sicily", b"FROMLONLAT", b"15", b"37", b"BYBOX", b"400", b"400", b"km", b"ASC", b"WITHDIST"], b"*4\x0d\x0a*2\x0d\x0a$7\x0d\x0aCatania\x0d\x0a$7\x0d\x0a56.4413\x0d\x0a*2\x0d\x0a$7\x0d\x0aPalermo\x0d\x0a$8\x0d\x0a190.4424\x0d\x0a*2\x0d\x0a$5\x0d\x0aedge2\x0d\x0a$8\x0d\x0a279.7403\x0d\x0a*2\x0d\x0a$5\x0d\x0aedge1\x0d\x0a$8\x0d\x0a279.7405\x0d\x0a"),
    (&[b"GEOSEARCH", b"Sicily", b"FROMMEMBER", b"Palermo", b"BYRADIUS", b"200", b"km", b"DESC", b"WITHCOORD"], b"*3\x0d\x0a*2\x0d\x0a$7\x0d\x0aCatania\x0d\x0a*2\x0d\x0a$20\x0d\x0a15.08726745843887329\x0d\x0a$20\x0d\x0a37.50266842333162032\x0d\x0a*2\x0d\x0a$5\x0d\x0aedge1\x0d\x0a*2\x0d\x0a$19\x0d\x0a12.7584877610206604\x0d\x0a$20\x0d\x0a38.78813451624225195\x0d\x0a*2\x0d\x0a$7\x0d\x0aPalermo\x0d\x0a*2\x0d\x0a$20\x0d\x0a13.36138933897018433\x0d\x0a$20\x0d\x0a38.11555639549629859\x0d\x0a"),
    (&[b"GEOSEARCH", b"Sicily", b"FROMMEMBER", b"nope", b"BYRADIUS", b"200", b"km"], b"-ERR could not decode requested zset member\x0d\x0a"),
    (&[b"GEOSEARCH", b"Sicily", b"FROMLONLAT", b"15", b"37", b"FROMMEMBER", b"Palermo", b"BYRADIUS", b"200", b"km"], b"-ERR syntax error\x0d\x0a"),
    (&[b"GEOSEARCH", b"Sicily", b"FROMMEMBER", b"Palermo", b"FROMLONLAT", b"15", b"37", b"BYRADIUS", b"200", b"km"], b"-ERR syntax error\x0d\x0a"),
    (&[b"GEOSEARCH", b"Sicily", b"FROMLONLAT", b"15", b"37", b"BYRADIUS", b"200", b"km", b"BYBOX", b"1", b"1", b"km"], b"-ERR syntax error\x0d\x0a"),
    (&[b"GEOSEARCH", b"Sicily", b"FROMLONLAT", b"15", b"37", b"BYBOX", b"1", b"1", b"km", b"BYRADIUS", b"200", b"km"], b"-ERR syntax error\x0d\x0a"),
    (&[b"GEOSEARCH", b"Sicily", b"BYRADIUS", b"200", b"km", b"ASC"], b"-ERR wrong number of arguments for 'geosearch' command\x0d\x0a"),
    (&[b"GEOSEARCH", b"Sicily", b"FROMLONLAT", b"15", b"37", b"ASC", b"DESC"], b"-ERR exactly one of BYRADIUS and BYBOX can be specified for GEOSEARCH\x0d\x0a"),
    (&[b"GEOSEARCH", b"Sicily", b"FROMLONLAT", b"15", b"37", b"BYBOX", b"-1", b"1", b"km"], b"-ERR height or width cannot be negative\x0d\x0a"),
    (&[b"GEOSEARCH", b"Sicily", b"FROMLONLAT", b"15", b"37", b"BYBOX", b"1", b"-1", b"km"], b"-ERR height or width cannot be negative\x0d\x0a"),
    (&[b"GEOSEARCH", b"Sicily", b"FROMLONLAT", b"15", b"37", b"BYBOX", b"x", b"1", b"km"], b"-ERR need numeric width\x0d\x0a"),
    (&[b"GEOSEARCH", b"Sicily", b"FROMLONLAT", b"15", b"37", b"BYBOX", b"1", b"x", b"km"], b"-ERR need numeric height\x0d\x0a"),
    (&[b"GEOSEARCH", b"Sicily", b"FROMLONLAT", b"15", b"37", b"BYBOX", b"1", b"1", b"yd"], b"-ERR unsupported unit provided. please use M, KM, FT, MI\x0d\x0a"),
    (&[b"GEOSEARCH", b"Sicily", b"FROMLONLAT", b"15", b"37", b"BYRADIUS", b"200", b"km", b"STORE", b"x"], b"-ERR syntax error\x0d\x0a"),
    (&[b"GEOSEARCH", b"Sicily", b"FROMLONLAT", b"15", b"37", b"BYRADIUS", b"200", b"km", b"STOREDIST"], b"-ERR syntax error\x0d\x0a"),
    (&[b"GEOSEARCH", b"Sicily", b"FROMLONLAT", b"15", b"37", b"BYRADIUS", b"200"], b"-ERR syntax error\x0d\x0a"),
    (&[b"GEOSEARCH", b"nokey", b"FROMMEMBER", b"nope", b"BYRADIUS", b"200", b"km"], b"*0\x0d\x0a"),
    (&[b"GEOSEARCH", b"nokey", b"FROMLONLAT", b"15", b"37", b"BYRADIUS", b"200", b"km", b"ANY"], b"-ERR the ANY argument requires COUNT argument\x0d\x0a"),
    (&[b"GEOSEARCH", b"nokey", b"FROMLONLAT", b"15", b"37", b"BYRADIUS", b"200", b"km", b"COUNT", b"1", b"ANY"], b"*0\x0d\x0a"),
    (&[b"GEOSEARCHSTORE", b"dst", b"Sicily", b"FROMLONLAT", b"15", b"37", b"BYBOX", b"400", b"400", b"km", b"STOREDIST"], b":4\x0d\x0a"),
    (&[b"ZRANGE", b"dst", b"0", b"-1", b"WITHSCORES"], b"*8\x0d\x0a$7\x0d\x0aCatania\x0d\x0a$18\x0d\x0a56.441257870158204\x0d\x0a$7\x0d\x0aPalermo\x0d\x0a$18\x0d\x0a190.44242984775784\x0d\x0a$5\x0d\x0aedge2\x0d\x0a$17\x0d\x0a279.7403417843143\x0d\x0a$5\x0d\x0aedge1\x0d\x0a$18\x0d\x0a279.74045213563431\x0d\x0a"),
    (&[b"GEOSEARCHSTORE", b"dst", b"Sicily", b"FROMLONLAT", b"15", b"37", b"BYBOX", b"400", b"400", b"km", b"COUNT", b"1"], b":1\x0d\x0a"),
    (&[b"ZRANGE", b"dst", b"0", b"-1", b"WITHSCORES"], b"*2\x0d\x0a$7\x0d\x0aCatania\x0d\x0a$16\x0d\x0a3479447370796909\x0d\x0a"),
    (&[b"GEOSEARCHSTORE", b"dst", b"Sicily", b"FROMLONLAT", b"15", b"37", b"BYBOX", b"400", b"400", b"km", b"WITHDIST"], b"-ERR GEOSEARCHSTORE is not compatible with WITHDIST, WITHHASH and WITHCOORD options\x0d\x0a"),
    (&[b"GEOSEARCHSTORE", b"dst", b"Sicily", b"FROMLONLAT", b"15", b"37", b"BYBOX", b"1", b"1", b"m"], b":0\x0d\x0a"),
    (&[b"EXISTS", b"dst"], b":0\x0d\x0a"),
    (&[b"GEOSEARCHSTORE", b"dst", b"nokey", b"FROMLONLAT", b"15", b"37", b"BYBOX", b"1", b"1", b"m"], b":0\x0d\x0a"),
    (&[b"GEOADD", b"dup", b"10", b"10", b"a", b"10", b"10", b"b", b"10", b"10", b"c", b"10", b"10", b"d", b"10", b"10", b"e", b"10", b"10", b"f", b"10", b"10", b"g", b"10", b"10", b"h", b"10.001", b"10", b"i", b"9.999", b"10", b"j"], b":10\x0d\x0a"),
    (&[b"GEOSEARCH", b"dup", b"FROMLONLAT", b"10", b"10", b"BYRADIUS", b"1", b"km", b"ASC"], b"*10\x0d\x0a$1\x0d\x0aa\x0d\x0a$1\x0d\x0ab\x0d\x0a$1\x0d\x0ac\x0d\x0a$1\x0d\x0ad\x0d\x0a$1\x0d\x0ae\x0d\x0a$1\x0d\x0af\x0d\x0a$1\x0d\x0ag\x0d\x0a$1\x0d\x0ah\x0d\x0a$1\x0d\x0ai\x0d\x0a$1\x0d\x0aj\x0d\x0a"),
    (&[b"GEOSEARCH", b"dup", b"FROMLONLAT", b"10", b"10", b"BYRADIUS", b"1", b"km", b"ASC", b"COUNT", b"3"], b"*3\x0d\x0a$1\x0d\x0ag\x0d\x0a$1\x0d\x0aa\x0d\x0a$1\x0d\x0ab\x0d\x0a"),
    (&[b"GEOSEARCH", b"dup", b"FROMLONLAT", b"10", b"10", b"BYRADIUS", b"1", b"km", b"DESC", b"COUNT", b"4"], b"*4\x0d\x0a$1\x0d\x0aj\x0d\x0a$1\x0d\x0ai\x0d\x0a$1\x0d\x0aa\x0d\x0a$1\x0d\x0ac\x0d\x0a"),
    (&[b"GEOSEARCH", b"dup", b"FROMLONLAT", b"10.0001", b"10", b"BYRADIUS", b"1", b"km", b"COUNT", b"9", b"WITHDIST"], b"*9\x0d\x0a*2\x0d\x0a$1\x0d\x0ag\x0d\x0a$6\x0d\x0a0.0107\x0d\x0a*2\x0d\x0a$1\x0d\x0aa\x0d\x0a$6\x0d\x0a0.0107\x0d\x0a*2\x0d\x0a$1\x0d\x0ab\x0d\x0a$6\x0d\x0a0.0107\x0d\x0a*2\x0d\x0a$1\x0d\x0ac\x0d\x0a$6\x0d\x0a0.0107\x0d\x0a*2\x0d\x0a$1\x0d\x0ad\x0d\x0a$6\x0d\x0a0.0107\x0d\x0a*2\x0d\x0a$1\x0d\x0ae\x0d\x0a$6\x0d\x0a0.0107\x0d\x0a*2\x0d\x0a$1\x0d\x0af\x0d\x0a$6\x0d\x0a0.0107\x0d\x0a*2\x0d\x0a$1\x0d\x0ah\x0d\x0a$6\x0d\x0a0.0107\x0d\x0a*2\x0d\x0a$1\x0d\x0ai\x0d\x0a$6\x0d\x0a0.0986\x0d\x0a"),
    (&[b"GEORADIUS", b"dup", b"0", b"0", b"50000", b"km", b"COUNT", b"3", b"ANY"], b"*3\x0d\x0a$1\x0d\x0aj\x0d\x0a$1\x0d\x0aa\x0d\x0a$1\x0d\x0ab\x0d\x0a"),
    (&[b"LPUSH", b"list", b"a"], b":1\x0d\x0a"),
    (&[b"GEOADD", b"list", b"1", b"1", b"a"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\x0d\x0a"),
    (&[b"GEOPOS", b"list", b"a"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\x0d\x0a"),
    (&[b"GEOHASH", b"list", b"a"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\x0d\x0a"),
    (&[b"GEODIST", b"list", b"a", b"b"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\x0d\x0a"),
    (&[b"GEORADIUS", b"list", b"1", b"1", b"1", b"km"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\x0d\x0a"),
    (&[b"GEORADIUS", b"list", b"1", b"100", b"1", b"km"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\x0d\x0a"),
    (&[b"GEORADIUSBYMEMBER", b"list", b"a", b"1", b"km"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\x0d\x0a"),
    (&[b"GEOSEARCH", b"list", b"FROMLONLAT", b"1", b"1", b"BYRADIUS", b"1", b"km"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\x0d\x0a"),
    (&[b"GEOSEARCHSTORE", b"d", b"list", b"FROMLONLAT", b"1", b"1", b"BYRADIUS", b"1", b"km"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\x0d\x0a"),
    (&[b"GEOSEARCHSTORE", b"list", b"Sicily", b"FROMLONLAT", b"15", b"37", b"BYRADIUS", b"200", b"km"], b":2\x0d\x0a"),
    (&[b"TYPE", b"list"], b"+zset\x0d\x0a"),
];

/// Scores that are not geohashes (negative, huge, infinite, past 52 bits)
/// decode to the positions Redis gives them.
const ODD_SCORES: Cases = &[
    (&[b"DEL", b"z"], b":0\x0d\x0a"),
    (&[b"ZADD", b"z", b"-5", b"a", b"1e300", b"b", b"9007199254740992", b"c", b"4503599627370496", b"d", b"0", b"e", b"-inf", b"f", b"inf", b"g", b"4503599627370495", b"h", b"9.3e18", b"i", b"1.8e19", b"j", b"-9.3e18", b"k", b"0.5", b"l", b"3.7e15", b"m"], b":13\x0d\x0a"),
    (&[b"GEOPOS", b"z", b"a", b"b", b"c", b"d", b"e", b"f", b"g", b"h", b"i", b"j", b"k", b"l", b"m"], b"*13\x0d\x0a*2\x0d\x0a$3\x0d\x0a180\x0d\x0a$19\x0d\x0a85.0511287799999991\x0d\x0a*2\x0d\x0a$22\x0d\x0a-179.99999731779098511\x0d\x0a$21\x0d\x0a-85.05112751263942528\x0d\x0a*2\x0d\x0a$3\x0d\x0a180\x0d\x0a$21\x0d\x0a-85.05112751263942528\x0d\x0a*2\x0d\x0a$22\x0d\x0a-179.99999731779098511\x0d\x0a$19\x0d\x0a85.0511287799999991\x0d\x0a*2\x0d\x0a$22\x0d\x0a-179.99999731779098511\x0d\x0a$21\x0d\x0a-85.05112751263942528\x0d\x0a*2\x0d\x0a$3\x0d\x0a180\x0d\x0a$21\x0d\x0a-85.05112751263942528\x0d\x0a*2\x0d\x0a$22\x0d\x0a-179.99999731779098511\x0d\x0a$21\x0d\x0a-85.05112751263942528\x0d\x0a*2\x0d\x0a$21\x0d\x0a179.99999731779098511\x0d\x0a$20\x0d\x0a85.05112751263942528\x0d\x0a*2\x0d\x0a$3\x0d\x0a180\x0d\x0a$19\x0d\x0a85.0511287799999991\x0d\x0a*2\x0d\x0a$3\x0d\x0a180\x0d\x0a$19\x0d\x0a85.0511287799999991\x0d\x0a*2\x0d\x0a$3\x0d\x0a180\x0d\x0a$21\x0d\x0a-85.05112751263942528\x0d\x0a*2\x0d\x0a$22\x0d\x0a-179.99999731779098511\x0d\x0a$21\x0d\x0a-85.05112751263942528\x0d\x0a*2\x0d\x0a$20\x0d\x0a24.01474267244338989\x0d\x0a$19\x0d\x0a50.7596377601270774\x0d\x0a"),
    (&[b"GEOHASH", b"z", b"a", b"b", b"c", b"d", b"e", b"f", b"g", b"h", b"i", b"j", b"k", b"l", b"m"], b"*13\x0d\x0a$11\x0d\x0abp05b5048p0\x0d\x0a$11\x0d\x0a00bh0hbj200\x0d\x0a$11\x0d\x0a00bh0hbj200\x0d\x0a$11\x0d\x0abp05b5048p0\x0d\x0a$11\x0d\x0a00bh0hbj200\x0d\x0a$11\x0d\x0a00bh0hbj200\x0d\x0a$11\x0d\x0a00bh0hbj200\x0d\x0a$11\x0d\x0azzpgzgpfxz0\x0d\x0a$11\x0d\x0abp05b5048p0\x0d\x0a$11\x0d\x0abp05b5048p0\x0d\x0a$11\x0d\x0a00bh0hbj200\x0d\x0a$11\x0d\x0a00bh0hbj200\x0d\x0a$11\x0d\x0au910f2x0240\x0d\x0a"),
    (&[b"GEODIST", b"z", b"a", b"b"], b"$13\x0d\x0a18919844.5891\x0d\x0a"),
    (&[b"GEODIST", b"z", b"c", b"m", b"km"], b"$10\x0d\x0a16153.5130\x0d\x0a"),
    (&[b"GEORADIUS", b"z", b"0", b"0", b"20000", b"km", b"WITHCOORD", b"WITHHASH", b"WITHDIST"], b"*4\x0d\x0a*4\x0d\x0a$1\x0d\x0am\x0d\x0a$9\x0d\x0a6084.3736\x0d\x0a:3700000000000000\x0d\x0a*2\x0d\x0a$20\x0d\x0a24.01474267244338989\x0d\x0a$19\x0d\x0a50.7596377601270774\x0d\x0a*4\x0d\x0a$1\x0d\x0ah\x0d\x0a$10\x0d\x0a10560.8118\x0d\x0a:4503599627370495\x0d\x0a*2\x0d\x0a$21\x0d\x0a179.99999731779098511\x0d\x0a$20\x0d\x0a85.05112751263942528\x0d\x0a*4\x0d\x0a$1\x0d\x0ae\x0d\x0a$10\x0d\x0a10560.8118\x0d\x0a:0\x0d\x0a*2\x0d\x0a$22\x0d\x0a-179.99999731779098511\x0d\x0a$21\x0d\x0a-85.05112751263942528\x0d\x0a*4\x0d\x0a$1\x0d\x0al\x0d\x0a$10\x0d\x0a10560.8118\x0d\x0a:0\x0d\x0a*2\x0d\x0a$22\x0d\x0a-179.99999731779098511\x0d\x0a$21\x0d\x0a-85.05112751263942528\x0d\x0a"),
    (&[b"GEOSEARCH", b"z", b"FROMMEMBER", b"h", b"BYBOX", b"40000", b"40000", b"km", b"WITHCOORD"], b"*4\x0d\x0a*2\x0d\x0a$1\x0d\x0am\x0d\x0a*2\x0d\x0a$20\x0d\x0a24.01474267244338989\x0d\x0a$19\x0d\x0a50.7596377601270774\x0d\x0a*2\x0d\x0a$1\x0d\x0ah\x0d\x0a*2\x0d\x0a$21\x0d\x0a179.99999731779098511\x0d\x0a$20\x0d\x0a85.05112751263942528\x0d\x0a*2\x0d\x0a$1\x0d\x0ae\x0d\x0a*2\x0d\x0a$22\x0d\x0a-179.99999731779098511\x0d\x0a$21\x0d\x0a-85.05112751263942528\x0d\x0a*2\x0d\x0a$1\x0d\x0al\x0d\x0a*2\x0d\x0a$22\x0d\x0a-179.99999731779098511\x0d\x0a$21\x0d\x0a-85.05112751263942528\x0d\x0a"),
];

#[test]
fn replies_match_redis() {
    run_cases(SESSION);
}

#[test]
fn odd_scores_decode_as_in_redis() {
    run_cases(ODD_SCORES);
}

#[test]
fn events_as_redis_fires_them() {
    let srv = start_server();
    let (mut c, mut s) = event_listener(&srv);
    for line in [
        "GEOADD g 1 1 a 2 2 b",
        "GEOADD g 1 1 a",
        "GEOADD g CH 1.5 1 a",
        "GEORADIUS g 1 1 500 km STORE d",
        "GEORADIUS g 1 1 500 km STOREDIST d",
        "GEOSEARCHSTORE d g FROMLONLAT 1 1 BYRADIUS 500 km",
        "GEOSEARCHSTORE d g FROMLONLAT 50 50 BYRADIUS 1 km",
        "GEORADIUS nokey 1 1 1 km STORE g",
        "SET marker x",
    ] {
        c.q(line);
    }
    // Recorded from redis-server 7.0.15.
    expect_events(
        &mut s,
        &[
            ("zadd", "g"),
            ("zadd", "g"),
            ("georadiusstore", "d"),
            ("georadiusstore", "d"),
            ("geosearchstore", "d"),
            ("del", "d"),
            ("del", "g"),
            ("set", "marker"),
        ],
    );
}

fn both(a: &mut Conn, b: &mut Conn, args: &[String]) {
    let args: Vec<&[u8]> = args.iter().map(|s| s.as_bytes()).collect();
    let (ra, rb) = (a.cmd(&args), b.cmd(&args));
    assert_eq!(
        String::from_utf8_lossy(&ra),
        String::from_utf8_lossy(&rb),
        "{:?}",
        args.iter()
            .map(|a| String::from_utf8_lossy(a))
            .collect::<Vec<_>>()
    );
}

/// Where redis-server is installed: random sets (with repeated positions, so
/// distances tie) and random searches of every kind, compared byte for byte.
#[test]
fn random_searches_match_a_live_redis() {
    let Some(reference) = super::support::start_reference() else {
        eprintln!("redis-server not installed: skipped");
        return;
    };
    let srv = start_server();
    let (mut ours, mut theirs) = (srv.connect(), reference.connect());
    let mut r = Rand(0x2545_f491_4f6c_dd1d);
    let s = |v: &[&dyn ToString]| v.iter().map(|x| x.to_string()).collect::<Vec<String>>();
    for _ in 0..150 {
        both(&mut ours, &mut theirs, &s(&[&"DEL", &"g", &"d"]));
        let (clon, clat) = (r.range(-180.0, 180.0), r.range(-85.0, 85.0));
        let spread = [0.01, 0.5, 5.0, 40.0, 180.0][(r.next() % 5) as usize];
        let n = r.next() % 200;
        let mut add = s(&[&"GEOADD", &"g"]);
        let mut last = (clon, clat);
        for j in 0..n {
            if j == 0 || !r.next().is_multiple_of(10) {
                last = (
                    (clon + r.range(-spread, spread)).clamp(-180.0, 180.0),
                    (clat + r.range(-spread, spread)).clamp(-85.05, 85.05),
                );
            }
            add.extend(s(&[&last.0, &last.1, &format!("m{j}")]));
        }
        if n > 0 {
            both(&mut ours, &mut theirs, &add);
        }
        let (unit, per_m) =
            [("m", 1.0), ("km", 1000.0), ("mi", 1609.34), ("ft", 0.3048)][(r.next() % 4) as usize];
        let dist =
            [0.0, 1.0, 100.0, 1e4, 1e5, 1e6, 5e6, 2e7][(r.next() % 8) as usize] / per_m * r.unit();
        let mut opts: Vec<String> = Vec::new();
        for o in ["WITHDIST", "WITHHASH", "WITHCOORD"] {
            if r.next().is_multiple_of(2) {
                opts.push(o.into());
            }
        }
        match r.next() % 3 {
            0 => opts.push("ASC".into()),
            1 => opts.push("DESC".into()),
            _ => {}
        }
        if r.next().is_multiple_of(2) {
            opts.extend(s(&[&"COUNT", &(1 + r.next() % 50)]));
            if r.next().is_multiple_of(3) {
                opts.push("ANY".into());
            }
        }
        let member = format!("m{}", r.next() % n.max(1));
        let mut q = match r.next() % 4 {
            0 => s(&[&"GEORADIUS", &"g", &clon, &clat, &dist, &unit]),
            1 => s(&[&"GEORADIUSBYMEMBER", &"g", &member, &dist, &unit]),
            2 => {
                let h = dist * r.range(0.1, 3.0);
                s(&[
                    &"GEOSEARCH",
                    &"g",
                    &"FROMLONLAT",
                    &clon,
                    &clat,
                    &"BYBOX",
                    &dist,
                    &h,
                    &unit,
                ])
            }
            _ => s(&[
                &"GEOSEARCH",
                &"g",
                &"FROMMEMBER",
                &member,
                &"BYRADIUS",
                &dist,
                &unit,
            ]),
        };
        let plain = q.clone();
        q.extend(opts.iter().cloned());
        both(&mut ours, &mut theirs, &q);
        let mut store = if plain[0] == "GEOSEARCH" {
            let mut v = s(&[&"GEOSEARCHSTORE", &"d"]);
            v.extend(plain[1..].iter().cloned());
            v
        } else {
            let mut v = plain.clone();
            v.extend(s(&[&"STOREDIST", &"d"]));
            v
        };
        store.extend(opts.iter().filter(|o| !o.starts_with("WITH")).cloned());
        both(&mut ours, &mut theirs, &store);
        both(
            &mut ours,
            &mut theirs,
            &s(&[&"ZRANGE", &"d", &0, &-1, &"WITHSCORES"]),
        );
        both(
            &mut ours,
            &mut theirs,
            &s(&[&"GEOPOS", &"g", &member, &"nope"]),
        );
        both(&mut ours, &mut theirs, &s(&[&"GEOHASH", &"g", &member]));
        both(
            &mut ours,
            &mut theirs,
            &s(&[&"GEODIST", &"g", &member, &"m0", &unit]),
        );
    }
}
