//! Function prototypes: what the compiler produces and the VM runs.
//!
//! A [`Proto`] is plain data with no heap handles in it, so the compiler is
//! independent of the runtime: the VM turns a `Proto` into its own heap objects
//! (interning the string constants) when a chunk is loaded.
//!
//! Invariants the compiler guarantees and the VM relies on:
//! - `code` ends with a RETURN;
//! - every register an instruction names is `< max_stack_size`;
//! - `line_info.len() == code.len()`;
//! - every constant index fits its operand, every jump lands inside `code`.

/// A compile-time constant (Lua 5.1 has constants of these four types only).
#[derive(Clone, Debug, PartialEq)]
pub enum Constant {
    Nil,
    Bool(bool),
    Number(f64),
    Str(Vec<u8>),
}

/// A local variable's name and the pc range where it is active (for error messages
/// and the debug library).
#[derive(Clone, Debug, PartialEq)]
pub struct LocVar {
    pub name: Vec<u8>,
    /// First pc where the variable is active.
    pub start_pc: u32,
    /// First pc where the variable is dead.
    pub end_pc: u32,
}

/// `is_vararg` bits, as in 5.1.
pub const VARARG_HASARG: u8 = 1;
pub const VARARG_ISVARARG: u8 = 2;
pub const VARARG_NEEDSARG: u8 = 4;

/// A compiled function (Lua's `Proto`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Proto {
    /// Chunk name as given to the loader (`@file.lua`, `=stdin`, or source
    /// text). One allocation shared by every function of the chunk: a chunk
    /// named by its own long text must not cost that text once per function.
    pub source: std::sync::Arc<[u8]>,
    pub line_defined: u32,
    pub last_line_defined: u32,
    pub num_upvalues: u8,
    pub num_params: u8,
    /// Bit set of `VARARG_*`.
    pub is_vararg: u8,
    pub max_stack_size: u8,
    pub code: Vec<u32>,
    pub constants: Vec<Constant>,
    /// Nested functions, indexed by CLOSURE's Bx.
    pub protos: Vec<Proto>,
    /// Source line of each instruction.
    pub line_info: Vec<u32>,
    pub loc_vars: Vec<LocVar>,
    pub upvalue_names: Vec<Vec<u8>>,
}

/// Bytes held by a function's local-variable and upvalue names.
pub fn debug_info_bytes(loc_vars: &[LocVar], upvalue_names: &[Vec<u8>]) -> usize {
    loc_vars.iter().map(|v| 32 + v.name.len()).sum::<usize>()
        + upvalue_names.iter().map(|n| 24 + n.len()).sum::<usize>()
}

impl Proto {
    /// Bytes this function and its nested ones hold (the shared chunk name
    /// not included): what loading it costs against the heap limit.
    pub fn mem_size(&self) -> usize {
        let own = std::mem::size_of::<Proto>()
            + self.code.capacity() * 4
            + self.constants.capacity() * std::mem::size_of::<Constant>()
            + self
                .constants
                .iter()
                .map(|c| match c {
                    Constant::Str(s) => s.len(),
                    _ => 0,
                })
                .sum::<usize>()
            + self.line_info.capacity() * 4
            + debug_info_bytes(&self.loc_vars, &self.upvalue_names);
        own + self.protos.iter().map(Proto::mem_size).sum::<usize>()
    }

    /// Name of the `n`-th (1-based) local variable active at `pc`, as
    /// `luaF_getlocalname` finds it.
    pub fn local_name(&self, mut n: usize, pc: usize) -> Option<&[u8]> {
        for v in &self.loc_vars {
            if v.start_pc as usize > pc {
                break;
            }
            if pc < v.end_pc as usize {
                n -= 1;
                if n == 0 {
                    return Some(&v.name);
                }
            }
        }
        None
    }
}

/// Longest chunk id, including the terminating NUL in C (`LUA_IDSIZE`).
pub const LUA_IDSIZE: usize = 60;

/// The chunk name as error messages show it (`luaO_chunkid`): `=name` shows `name`,
/// `@file` shows the file name (its tail with `...` when long), and source text shows
/// `[string "first line..."]`.
pub fn chunk_id(source: &[u8]) -> Vec<u8> {
    let bufflen = LUA_IDSIZE;
    let mut out = Vec::with_capacity(bufflen);
    if let Some(rest) = source.strip_prefix(b"=") {
        out.extend_from_slice(&rest[..rest.len().min(bufflen - 1)]);
    } else if let Some(rest) = source.strip_prefix(b"@") {
        let room = bufflen - 1; // C reserves the NUL
        if rest.len() > room {
            out.extend_from_slice(b"...");
            let keep = room - 3;
            out.extend_from_slice(&rest[rest.len() - keep..]);
        } else {
            out.extend_from_slice(rest);
        }
    } else {
        let first_line_len = source
            .iter()
            .position(|&c| c == b'\n' || c == b'\r')
            .unwrap_or(source.len());
        // room for `[string "` + `..."]` + NUL
        let room = bufflen - (9 + 3 + 2) - 1;
        let mut len = first_line_len;
        let truncated = len < source.len() || len > room;
        if len > room {
            len = room;
        }
        out.extend_from_slice(b"[string \"");
        out.extend_from_slice(&source[..len]);
        if truncated {
            out.extend_from_slice(b"...");
        }
        out.extend_from_slice(b"\"]");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::chunk_id;

    #[test]
    fn chunk_ids_as_lua_5_1_prints_them() {
        assert_eq!(chunk_id(b"=stdin"), b"stdin");
        assert_eq!(chunk_id(b"@t.lua"), b"t.lua");
        assert_eq!(chunk_id(b"x = 1"), b"[string \"x = 1\"]");
        assert_eq!(chunk_id(b"x = 1\ny = 2"), b"[string \"x = 1...\"]");
        let long = vec![b'a'; 100];
        assert_eq!(
            chunk_id(&long),
            [&b"[string \""[..], &[b'a'; 45][..], b"...\"]"].concat()
        );
    }
}
