//! The standard libraries, one file per library, each ending with its
//! registration table.
pub mod base;
pub mod coroutine;
pub mod debug;
pub mod format;
pub mod io;
pub mod lpattern;
pub mod math;
pub mod os;
pub mod package;
pub mod string;
pub mod table;

/// Opens the libraries only the command-line interpreter has (os in full, io,
/// debug, package), after [`crate::lua::Vm::new`]'s base set. The server does
/// not call this.
pub fn open_cmdline(vm: &mut crate::lua::Vm) {
    vm.allow_binary_chunks = true;
    os::open(vm);
    debug::open(vm);
    io::open(vm);
    package::open(vm);
}
