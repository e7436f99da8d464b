//! `export_step!`: turns one `decide` function into the component's `decider` export.

/// Exports `decide` as the plugin's step and embeds the plugin's manifest.
///
/// ```ignore
/// fn decide(input: StepInput) -> Result<Decision, StepError> { /* ... */ }
/// weft_plugin::export_step!(decide);
/// ```
///
/// The argument is a path to a function `fn(StepInput) -> Result<Decision, StepError>`. Invoke the
/// macro once per crate, at module level. It
///
/// - implements the generated `decider` export by calling the function;
/// - installs, on the first call, a panic hook that reports the panic message and location to the
///   host through the `log` import at level `error`, so a trap reads
///   `panicked at src/lib.rs:12:5: routing table is empty` rather than a bare `unreachable`;
/// - embeds the crate's `weft.toml` (beside its `Cargo.toml`) verbatim as the wasm custom section
///   `weft-manifest`, so the component carries its own manifest. A missing `weft.toml` is a
///   compile error on every target.
///
/// In native builds (unit tests) nothing is exported; the macro only checks the function's
/// signature, and the panic hook is left alone so test failures print as usual.
#[macro_export]
macro_rules! export_step {
    ($decide:path) => {
        const _: () = {
            // wit-bindgen's export macro wants a type implementing its `Guest` trait.
            #[allow(dead_code)] // never constructed: the trait has only associated functions
            struct WeftStep;

            impl $crate::bindings::exports::weft::plugin::decider::Guest for WeftStep {
                fn decide(input: $crate::StepInput) -> ::core::result::Result<$crate::Decision, $crate::StepError> {
                    $crate::__private::install_panic_hook();
                    $decide(input)
                }
            }

            #[cfg(target_arch = "wasm32")]
    $crate::bindings::__export_step_bindings!(WeftStep with_types_in $crate::bindings);

            // `#[used]` keeps the static through LTO and `--gc-sections`; the linker turns a
            // wasm data item with a non-data link section into a custom section of that name.
            #[cfg(target_arch = "wasm32")]
            #[unsafe(link_section = "weft-manifest")]
            #[used]
            static WEFT_MANIFEST: [u8; include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/weft.toml")).len()] =
                *include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/weft.toml"));

            // Natively the manifest is not embedded, but a missing one should fail here too
            // rather than first in the wasm build.
            #[cfg(not(target_arch = "wasm32"))]
            const _: &[u8] = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/weft.toml"));

            // States the expected signature (a clear error if `decide` does not fit) and, in
            // native builds where nothing is exported, keeps `decide` and everything it calls
            // from being reported as dead code.
            let _: fn($crate::StepInput) -> ::core::result::Result<$crate::Decision, $crate::StepError> = $decide;
        };
    };
}

/// Support for the expansion of [`export_step!`]; not part of the public API.
#[doc(hidden)]
pub mod __private {
    /// Installs the panic hook once per instance. Called at the start of every `decide`, because
    /// a component has no other entry point that runs before plugin code.
    pub fn install_panic_hook() {
        #[cfg(target_arch = "wasm32")]
        {
            static ONCE: std::sync::Once = std::sync::Once::new();
            ONCE.call_once(|| std::panic::set_hook(Box::new(report_panic)));
        }
    }

    /// Sends the panic to the host log. With `panic = "abort"` the instance traps right after;
    /// stderr goes nowhere under the host's deny-all WASI, so the log is the only way out.
    #[cfg(target_arch = "wasm32")]
    fn report_panic(info: &std::panic::PanicHookInfo<'_>) {
        let message = info.payload_as_str().unwrap_or("Box<dyn Any>");
        let line = match info.location() {
            Some(at) => format!("panicked at {}:{}:{}: {message}", at.file(), at.line(), at.column()),
            None => format!("panicked: {message}"),
        };
        crate::bindings::weft::plugin::host::log(crate::LogLevel::Error, &line);
    }
}
