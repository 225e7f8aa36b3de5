//! The global allocator of the `aa-lint` binary, and its settings.
//!
//! mimalloc is faster than glibc's malloc for the many small allocations of
//! a parse (docs/performance.md). By default it keeps freed memory for
//! 10 ms before returning it to the OS, so a large DFA construction that
//! frees its rows and then allocates the minimization's lists holds both;
//! [`configure`] makes it return freed pages at once (`aa-lint compile`'s
//! peak memory, docs/dfa-performance.md, "Memory").
//!
//! This is the workspace's only crate with `unsafe` code: two calls into
//! mimalloc's C API, which have no safe wrapper.

pub use mimalloc::MiMalloc;

/// `mi_option_purge_delay` in mimalloc 2's `mi_option_t` (`libmimalloc-sys`
/// exports no constant for it): milliseconds before freed memory is purged,
/// 10 by default, 0 for at once.
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Sets the allocator's options; call it first thing in `main`, before any
/// other thread exists (mimalloc's option setters are not thread safe).
/// An option given in the environment (`MIMALLOC_PURGE_DELAY`) still wins:
/// mimalloc reads the environment when the process loads, before `main`,
/// so `mi_option_set_default` would come too late and this checks it.
pub fn configure() {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        // SAFETY: `mi_option_set` writes one option's value; it is only
        // unsafe as a foreign call. It runs before any thread is started.
        #[allow(unsafe_code)]
        unsafe {
            libmimalloc_sys::mi_option_set(PURGE_DELAY, 0);
        }
    }
}

/// Returns this thread's free memory, and what has been purged late, to the
/// OS now. Cheap enough to call between two large jobs, not per allocation.
pub fn release_free_memory() {
    // SAFETY: `mi_collect` only walks the allocator's own state; it is only
    // unsafe as a foreign call.
    #[allow(unsafe_code)]
    unsafe {
        libmimalloc_sys::mi_collect(true);
    }
}

#[cfg(test)]
mod tests {
    /// `PURGE_DELAY` names the purge delay: its default is mimalloc 2's
    /// 10 ms (the environment of a test run does not set it).
    #[test]
    fn purge_delay_is_the_option_we_mean() {
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
            return;
        }
        #[allow(unsafe_code)]
        // SAFETY: reads one option; only unsafe as a foreign call.
        let value = unsafe { libmimalloc_sys::mi_option_get(super::PURGE_DELAY) };
        assert_eq!(value, 10);
    }
}
