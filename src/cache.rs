//! Hints to the processor's cache, for data read long after it was made: a large report's
//! findings were written by many configurations' evaluations, and by the time they are
//! rendered their text is in main memory, one cache miss per string.

/// Asks for the cache line holding the start of `value` to be loaded, without waiting for
/// it. Only a hint: it never faults and changes nothing, whatever the address.
pub(crate) fn prefetch<T: ?Sized>(value: &T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch reads nothing into the program and cannot fault, even on an invalid
    // address; SSE, which it needs, is part of every x86-64 processor.
    unsafe {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        _mm_prefetch::<_MM_HINT_T0>(std::ptr::from_ref(value).cast::<i8>());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = value;
}
