//! MIGRATE host port key|"" destination-db timeout [COPY] [REPLACE]
//! [AUTH password | AUTH2 username password] [KEYS key [key ...]], and
//! RESTORE-ASKING.
//!
//! MIGRATE moves keys to another instance the way redis-server 7.0 does: it
//! serializes each key as DUMP does, sends `RESTORE key ttl payload [REPLACE]`
//! to the target (after AUTH and SELECT when needed), waits for each answer
//! and, unless COPY, deletes each key the target accepted. Like Redis, it
//! runs with the keyspace held: the client and everyone else wait for the
//! transfer, bounded by `timeout` milliseconds for each network step
//! (1000 when 0 or negative).
//!
//! The source propagates (to the append-only file) as a DEL of the keys it
//! gave away, as Redis does.
//!
//! Connections are cached per `host:port` (in `Shared::migrate_sockets`) and
//! closed by the cron after 10 seconds unused, as Redis caches them; at most
//! 64 are kept. A failed exchange closes its connection; one that failed
//! without a timeout is tried once more on a fresh connection.
//!
//! Errors, in Redis's words: `+NOKEY` when none of the keys exists,
//! `-IOERR error or timeout connecting to the client` when the address does
//! not resolve, `-IOERR error or timeout writing to|reading from target
//! instance` on network failures, `-ERR Target instance replied with error:
//! ...` with the target's own message.
use super::dump;
use crate::cmd::notify::{notify, GENERIC};
use crate::cmd::shared::MigrateSocket;
use crate::cmd::{errors, flags, CommandSpec, Ctx, Keys, Shared};
use crate::num::string2ll;
use crate::store::now_ms;
use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

/// How long an unused cached connection is kept.
const SOCKET_TTL: Duration = Duration::from_secs(10);
/// Cached connections kept at most.
const MAX_SOCKETS: usize = 64;
/// The longest reply line read from a target.
const MAX_LINE: usize = 64 * 1024;

pub static COMMANDS: &[CommandSpec] = &[CommandSpec {
    name: "migrate",
    arity: -6,
    flags: flags::WRITE,
    keys: Keys::range(3, 3, 1),
    handler: migrate,
    ..CommandSpec::DEFAULT
}];

/// What a MIGRATE request asks for.
struct Request<'a> {
    host: String,
    port: &'a [u8],
    db: i64,
    timeout: Duration,
    copy: bool,
    replace: bool,
    auth: Option<(Option<&'a [u8]>, &'a [u8])>,
    keys: &'a [Vec<u8>],
}

/// Parses the request; `Err` is the error reply. The positions of AUTH's and
/// AUTH2's values go to `secret` as they are met (SLOWLOG and MONITOR show
/// them redacted, as in 7.0, even when a later option is refused).
fn parse<'a>(args: &'a [Vec<u8>], secret: &mut Vec<usize>) -> Result<Request<'a>, &'static str> {
    let (mut copy, mut replace, mut auth) = (false, false, None);
    let mut keys = &args[3..4];
    let mut j = 6;
    while j < args.len() {
        let more = args.len() - j - 1;
        match args[j].to_ascii_lowercase().as_slice() {
            b"copy" => copy = true,
            b"replace" => replace = true,
            b"auth" if more >= 1 => {
                auth = Some((None, args[j + 1].as_slice()));
                secret.push(j + 1);
                j += 1;
            }
            b"auth2" if more >= 2 => {
                auth = Some((Some(args[j + 1].as_slice()), args[j + 2].as_slice()));
                secret.extend([j + 1, j + 2]);
                j += 2;
            }
            b"keys" => {
                if !args[3].is_empty() {
                    return Err(
                        "ERR When using MIGRATE KEYS option, the key argument must be \
                                set to the empty string",
                    );
                }
                keys = &args[j + 1..];
                break;
            }
            _ => return Err(errors::SYNTAX),
        }
        j += 1;
    }
    let (Some(db), Some(ms)) = (string2ll(&args[4]), string2ll(&args[5])) else {
        return Err(errors::NOT_INTEGER);
    };
    let ms = if ms <= 0 { 1000 } else { ms as u64 };
    Ok(Request {
        host: String::from_utf8_lossy(&args[1]).into_owned(),
        port: &args[2],
        db,
        timeout: Duration::from_millis(ms),
        copy,
        replace,
        auth,
        keys,
    })
}

/// A network step that failed, and whether it may be tried again.
enum Failure {
    Connect,
    Write { timed_out: bool },
    Read { timed_out: bool },
}

impl Failure {
    fn reply(&self) -> &'static str {
        match self {
            Failure::Connect => "IOERR error or timeout connecting to the client",
            Failure::Write { .. } => "IOERR error or timeout writing to target instance",
            Failure::Read { .. } => "IOERR error or timeout reading from target instance",
        }
    }

    fn may_retry(&self) -> bool {
        matches!(
            self,
            Failure::Write { timed_out: false } | Failure::Read { timed_out: false }
        )
    }
}

fn timed_out(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
    )
}

fn migrate(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let mut secret = Vec::new();
    let parsed = parse(args, &mut secret);
    ctx.client.redact_args(&secret);
    let req = match parsed {
        Ok(r) => r,
        Err(e) => return ctx.out.error(e),
    };
    // The keys that exist, with their payloads and remaining TTLs.
    let config = ctx.shared.config().clone();
    let enc = super::rdbfile::encodings(&config);
    let now = now_ms();
    let db = ctx.store.db(ctx.client.db);
    let mut found: Vec<(&[u8], u64, Vec<u8>)> = Vec::new();
    for key in req.keys {
        let Some(i) = db.lookup(key) else {
            continue;
        };
        let ttl = match db.expire_at(i) {
            0 => 0,
            at => at.saturating_sub(now).max(1),
        };
        found.push((
            key,
            ttl,
            dump::dump(&db.entry(i).value, config.rdbcompression, enc),
        ));
    }
    if found.is_empty() {
        return ctx.out.simple("NOKEY");
    }
    let addr = format!("{}:{}", req.host, String::from_utf8_lossy(req.port));
    let mut outcome = exchange(ctx.shared, &addr, &req, &found);
    if let Err(f) = &outcome {
        if f.may_retry() {
            outcome = exchange(ctx.shared, &addr, &req, &found);
        }
    }
    let answers = match outcome {
        Ok(a) => a,
        Err(f) => return ctx.out.error(f.reply()),
    };
    let mut first_error = None;
    let mut deleted: Vec<Vec<u8>> = vec![b"DEL".to_vec()];
    for ((key, _, _), answer) in found.iter().zip(&answers) {
        if let Some(err) = answer.strip_prefix(b"-") {
            first_error.get_or_insert_with(|| err.to_vec());
        } else if !req.copy {
            let dbi = ctx.client.db;
            if ctx.store.db(dbi).remove(key).is_some() {
                notify(ctx, GENERIC, "del", key);
                ctx.store.dirty += 1;
                deleted.push(key.to_vec());
            }
        }
    }
    // The source's change is the keys it lost: the append-only file gets a
    // DEL of them, never the MIGRATE (replayed, it would send them again).
    let cmds = if deleted.len() > 1 {
        vec![deleted]
    } else {
        Vec::new()
    };
    crate::cmd::propagate::replace(ctx, cmds);
    match first_error {
        None => ctx.out.ok(),
        Some(e) => {
            let mut msg = b"ERR Target instance replied with error: ".to_vec();
            msg.extend_from_slice(&e);
            crate::cmd::error_bytes(ctx.out, &msg);
        }
    }
}

/// Sends AUTH, SELECT and the RESTOREs over the cached (or a new) connection
/// to `addr` and reads the answers: one line per key, or the failure. An
/// AUTH or SELECT refused by the target is the answer of every key.
fn exchange(
    sh: &Shared,
    addr: &str,
    req: &Request<'_>,
    found: &[(&[u8], u64, Vec<u8>)],
) -> Result<Vec<Vec<u8>>, Failure> {
    let mut cache = sh.migrate_sockets.lock().unwrap_or_else(|e| e.into_inner());
    let mut sock = match cache.remove(addr) {
        Some(s) => s,
        None => {
            let target = addr
                .to_socket_addrs()
                .ok()
                .and_then(|mut a| a.next())
                .ok_or(Failure::Connect)?;
            let stream =
                TcpStream::connect_timeout(&target, req.timeout).map_err(|e| Failure::Write {
                    timed_out: timed_out(&e),
                })?;
            let _ = stream.set_nodelay(true);
            MigrateSocket {
                stream,
                last_db: -1,
                last_use: Instant::now(),
            }
        }
    };
    let _ = sock.stream.set_write_timeout(Some(req.timeout));
    let _ = sock.stream.set_read_timeout(Some(req.timeout));
    let mut out = Vec::new();
    if let Some((user, pass)) = req.auth {
        let mut a: Vec<&[u8]> = vec![b"AUTH"];
        a.extend(user);
        a.push(pass);
        command(&mut out, &a);
    }
    let select = sock.last_db != req.db;
    if select {
        command(&mut out, &[b"SELECT", req.db.to_string().as_bytes()]);
    }
    for (key, ttl, payload) in found {
        let ttl = ttl.to_string();
        let mut a: Vec<&[u8]> = vec![b"RESTORE", key, ttl.as_bytes(), payload];
        if req.replace {
            a.push(b"REPLACE");
        }
        command(&mut out, &a);
    }
    sock.stream.write_all(&out).map_err(|e| Failure::Write {
        timed_out: timed_out(&e),
    })?;
    let mut reader = Lines::default();
    let mut setup_error = None;
    for _ in 0..usize::from(req.auth.is_some()) + usize::from(select) {
        let line = reader.line(&mut sock.stream)?;
        if line.starts_with(b"-") && setup_error.is_none() {
            setup_error = Some(line);
        }
    }
    let mut answers = Vec::with_capacity(found.len());
    for _ in found {
        answers.push(reader.line(&mut sock.stream)?);
    }
    if let Some(e) = setup_error {
        // The target's state is unknown: select again next time.
        sock.last_db = -1;
        answers.iter_mut().for_each(|a| *a = e.clone());
    } else {
        sock.last_db = req.db;
    }
    sock.last_use = Instant::now();
    if cache.len() >= MAX_SOCKETS {
        if let Some(k) = cache.keys().next().cloned() {
            cache.remove(&k);
        }
    }
    cache.insert(addr.to_string(), sock);
    Ok(answers)
}

/// Appends `args` as a RESP multibulk command.
fn command(out: &mut Vec<u8>, args: &[&[u8]]) {
    out.extend_from_slice(format!("*{}\r\n", args.len()).as_bytes());
    for a in args {
        out.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
        out.extend_from_slice(a);
        out.extend_from_slice(b"\r\n");
    }
}

/// Reply lines read from a target (each answer MIGRATE sends is one line).
#[derive(Default)]
struct Lines {
    buf: Vec<u8>,
}

impl Lines {
    /// The next line without its CRLF.
    fn line(&mut self, stream: &mut TcpStream) -> Result<Vec<u8>, Failure> {
        loop {
            if let Some(end) = self.buf.windows(2).position(|w| w == b"\r\n") {
                let line = self.buf[..end].to_vec();
                self.buf.drain(..end + 2);
                return Ok(line);
            }
            if self.buf.len() > MAX_LINE {
                return Err(Failure::Read { timed_out: false });
            }
            let mut chunk = [0u8; 4096];
            match stream.read(&mut chunk) {
                Ok(0) => return Err(Failure::Read { timed_out: false }),
                Ok(n) => self.buf.extend_from_slice(&chunk[..n]),
                Err(e) => {
                    return Err(Failure::Read {
                        timed_out: timed_out(&e),
                    })
                }
            }
        }
    }
}

/// Closes the cached connections unused for [`SOCKET_TTL`] (from the cron).
pub fn cron(sh: &Shared) {
    let mut cache = sh.migrate_sockets.lock().unwrap_or_else(|e| e.into_inner());
    if !cache.is_empty() {
        cache.retain(|_, s| s.last_use.elapsed() < SOCKET_TTL);
    }
}
