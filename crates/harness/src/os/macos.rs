//! The readings macOS can give its own way, for `portable.rs`: `sysctlbyname`,
//! `proc_pidinfo(PROC_PIDTASKINFO)` and the Mach host statistics.

use std::ffi::CString;
use std::sync::OnceLock;

/// A sysctl's raw value.
fn sysctl_raw(name: &str) -> Option<Vec<u8>> {
    let name = CString::new(name).ok()?;
    let mut len: libc::size_t = 0;
    // SAFETY: a null buffer with a valid length pointer asks only for the size.
    let rc = unsafe {
        libc::sysctlbyname(
            name.as_ptr(),
            std::ptr::null_mut(),
            &mut len,
            std::ptr::null_mut(),
            0,
        )
    };
    if rc != 0 || len == 0 {
        return None;
    }
    let mut buf = vec![0u8; len];
    // SAFETY: buf has room for len bytes, and len says so; nothing is written back.
    let rc = unsafe {
        libc::sysctlbyname(
            name.as_ptr(),
            buf.as_mut_ptr().cast(),
            &mut len,
            std::ptr::null_mut(),
            0,
        )
    };
    if rc != 0 {
        return None;
    }
    buf.truncate(len);
    Some(buf)
}

/// A string sysctl (`machdep.cpu.brand_string`), without its NUL.
pub(super) fn sysctl_string(name: &str) -> Option<String> {
    let raw = sysctl_raw(name)?;
    let text = raw.split(|b| *b == 0).next().unwrap_or_default();
    let s = String::from_utf8_lossy(text).trim().to_owned();
    (!s.is_empty()).then_some(s)
}

/// An integer sysctl (`int` or 64-bit), if it is not negative.
pub(super) fn sysctl_u64(name: &str) -> Option<u64> {
    let raw = sysctl_raw(name)?;
    match raw.len() {
        4 => u64::try_from(i32::from_ne_bytes(raw.try_into().ok()?)).ok(),
        8 => u64::try_from(i64::from_ne_bytes(raw.try_into().ok()?)).ok(),
        _ => None,
    }
}

/// `proc_pidinfo(pid, PROC_PIDTASKINFO)`: threads, resident size, CPU times.
pub(super) fn task_info(pid: u32) -> Option<libc::proc_taskinfo> {
    let pid = libc::c_int::try_from(pid).ok()?;
    let size = libc::c_int::try_from(std::mem::size_of::<libc::proc_taskinfo>()).ok()?;
    // SAFETY: an all-zero proc_taskinfo (integers only) is a valid value.
    let mut info: libc::proc_taskinfo = unsafe { std::mem::zeroed() };
    // SAFETY: the buffer is a local proc_taskinfo and `size` is its size.
    let n =
        unsafe { libc::proc_pidinfo(pid, libc::PROC_PIDTASKINFO, 0, (&raw mut info).cast(), size) };
    (n == size).then_some(info)
}

/// Nanoseconds per Mach time unit, as numerator and denominator: 1/1 on Intel,
/// 125/3 on Apple silicon. `proc_taskinfo`'s CPU times are in these units.
#[allow(deprecated)] // libc points at the mach2 crate; the call is the same.
fn timebase() -> (u64, u64) {
    static TIMEBASE: OnceLock<(u64, u64)> = OnceLock::new();
    *TIMEBASE.get_or_init(|| {
        let mut tb = libc::mach_timebase_info { numer: 0, denom: 0 };
        // SAFETY: mach_timebase_info writes one struct through a valid pointer.
        let rc = unsafe { libc::mach_timebase_info(&mut tb) };
        if rc == 0 && tb.numer > 0 && tb.denom > 0 {
            (u64::from(tb.numer), u64::from(tb.denom))
        } else {
            (1, 1)
        }
    })
}

/// Mach time units in nanoseconds.
pub(super) fn mach_ns(units: u64) -> u64 {
    let (numer, denom) = timebase();
    u64::try_from(u128::from(units) * u128::from(numer) / u128::from(denom)).unwrap_or(u64::MAX)
}

/// The machine's CPU ticks, all and idle, summed over its CPUs.
pub(super) fn host_cpu_ticks() -> Option<(u64, u64)> {
    // One send right, taken once: every mach_host_self call adds a reference.
    static HOST: OnceLock<libc::mach_port_t> = OnceLock::new();
    #[allow(deprecated)] // libc points at the mach2 crate; the call is the same.
    let host = *HOST.get_or_init(|| {
        // SAFETY: mach_host_self has no preconditions.
        unsafe { libc::mach_host_self() }
    });
    // SAFETY: an all-zero host_cpu_load_info (an array of integers) is valid.
    let mut info: libc::host_cpu_load_info = unsafe { std::mem::zeroed() };
    let mut count = libc::HOST_CPU_LOAD_INFO_COUNT;
    // SAFETY: the buffer is a local host_cpu_load_info and `count` is its size in
    // integers, as HOST_CPU_LOAD_INFO asks.
    let rc = unsafe {
        libc::host_statistics(
            host,
            libc::HOST_CPU_LOAD_INFO,
            (&raw mut info).cast(),
            &mut count,
        )
    };
    if rc != libc::KERN_SUCCESS {
        return None;
    }
    let ticks = info.cpu_ticks.map(u64::from);
    let idle = usize::try_from(libc::CPU_STATE_IDLE).ok()?;
    Some((ticks.iter().sum(), *ticks.get(idle)?))
}
