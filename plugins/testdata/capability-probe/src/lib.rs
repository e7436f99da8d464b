//! Exercises the two halves of capability enforcement, chosen by the ticket's subject:
//!
//! - `kv`: calls `host::kv_set` and propagates a denial (`capability-denied`, host's message);
//! - `credit`: returns a credit effect, which the host must refuse to apply unless granted;
//! - `swallow`: calls `host::kv_get`, ignores a denial and proceeds, so the host can check that a
//!   denied call has no side effect and that the plugin may recover from it;
//! - `echo`: returns the customer's name and email as outputs, so the host can check that they
//!   arrive masked without `pii.raw`;
//! - `wasi`: tries the filesystem, the environment, a socket and the wall clock through plain
//!   `std`, and reports what it got, so the host can show WASI is deny-by-default;
//! - anything else: proceeds with nothing.

use weft_plugin::prelude::*;

fn decide(input: StepInput) -> Result<Decision, StepError> {
    match input.ticket.subject.as_str() {
        "kv" => {
            host::kv_set("k", "v")?;
            Ok(Decision::proceed().reason("kv written"))
        }
        "credit" => Ok(Decision::proceed().reason("credit requested").effect(
            effect::credit(input.ticket.customer.id, 500, "EUR").reason("capability probe").key(input.ticket.id),
        )),
        "swallow" => {
            let outcome = match host::kv_get("k") {
                Ok(_) => "kv readable",
                Err(HostError::Denied(_)) => "kv denied, carried on",
                Err(_) => "kv failed, carried on",
            };
            Ok(Decision::proceed().reason(outcome))
        }
        "echo" => {
            let customer = &input.ticket.customer;
            Ok(Decision::proceed()
                .reason("customer echoed")
                .output("name", &customer.name)
                .output("email", &customer.email))
        }
        "wasi" => {
            let fs_denied = std::fs::read_dir("/").is_err() && std::fs::read("/etc/passwd").is_err();
            let env_vars = std::env::vars().count();
            let tcp_denied = std::net::TcpStream::connect("127.0.0.1:8080").is_err();
            let wall_ms = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_millis() as i64)
                .unwrap_or(-1);
            Ok(Decision::proceed()
                .reason("wasi probed")
                .output("fs_denied", &fs_denied)
                .output("env_vars", &env_vars)
                .output("tcp_denied", &tcp_denied)
                .output("wall_ms", &wall_ms)
                .output("host_now_ms", &host::now()))
        }
        _ => Ok(Decision::proceed().reason("nothing probed")),
    }
}

weft_plugin::export_step!(decide);

// Unit tests run natively against the SDK's test host; a wasm32 build has none.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use weft_plugin::testing::{TestHost, denial_message, ticket};

    #[test]
    fn a_kv_denial_propagates_with_the_hosts_message() {
        let run = TestHost::new().run(decide, ticket("T-1").subject("kv"));
        assert_eq!(run.error().kind, StepErrorKind::CapabilityDenied);
        assert_eq!(run.error().message, denial_message("kv"));
    }

    #[test]
    fn a_granted_kv_write_is_kept() {
        let run = TestHost::new().grant("kv").run(decide, ticket("T-1").subject("kv"));
        assert_eq!(run.kv.get("k").map(String::as_str), Some("v"));
    }

    #[test]
    fn an_ungranted_credit_effect_is_refused() {
        let run = TestHost::new().run(decide, ticket("T-1").subject("credit"));
        assert_eq!(run.error().message, denial_message("effect.credit"));
        let run = TestHost::new().grant("effect.credit").run(decide, ticket("T-1").subject("credit"));
        assert_eq!(run.decision().effects.len(), 1);
    }

    #[test]
    fn a_swallowed_denial_lets_the_step_proceed() {
        let run = TestHost::new().run(decide, ticket("T-1").subject("swallow"));
        assert_eq!(run.decision().reasons, ["kv denied, carried on"]);
    }
}
