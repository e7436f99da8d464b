//! `format!`-style logging macros over [`crate::host::log`].
//!
//! `weft_plugin::info!("routed {} to {queue}", ticket.id)` is shorthand for
//! `host::log(LogLevel::Info, &format!(...))`.

/// Logs at level `trace`; arguments as for `format!`.
#[macro_export]
macro_rules! trace {
    ($($arg:tt)+) => { $crate::host::log($crate::LogLevel::Trace, &::std::format!($($arg)+)) };
}

/// Logs at level `debug`; arguments as for `format!`.
#[macro_export]
macro_rules! debug {
    ($($arg:tt)+) => { $crate::host::log($crate::LogLevel::Debug, &::std::format!($($arg)+)) };
}

/// Logs at level `info`; arguments as for `format!`.
#[macro_export]
macro_rules! info {
    ($($arg:tt)+) => { $crate::host::log($crate::LogLevel::Info, &::std::format!($($arg)+)) };
}

/// Logs at level `warn`; arguments as for `format!`.
#[macro_export]
macro_rules! warn {
    ($($arg:tt)+) => { $crate::host::log($crate::LogLevel::Warn, &::std::format!($($arg)+)) };
}

/// Logs at level `error`; arguments as for `format!`.
#[macro_export]
macro_rules! error {
    ($($arg:tt)+) => { $crate::host::log($crate::LogLevel::Error, &::std::format!($($arg)+)) };
}
