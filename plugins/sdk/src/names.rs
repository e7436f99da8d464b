//! `as_str()` for the contract's enums: the lower snake_case names of the host's JSON model
//! (`vip`, `account_credit`, ...), for reasons and log lines an operator reads.

use crate::{
    AuthorKind, Channel, CreditKind, EscalationLevel, LogLevel, NotifyChannel, Outcome, Presence, Priority, Tier,
};

macro_rules! names {
    ($type:ident { $($variant:ident => $name:literal),+ $(,)? }) => {
        impl $type {
            /// The value's name in the host's JSON model and API.
            pub fn as_str(self) -> &'static str {
                match self { $($type::$variant => $name),+ }
            }
        }
    };
}

names!(Channel { Email => "email", Chat => "chat", Phone => "phone", Web => "web", Social => "social", Api => "api" });
names!(Priority { Low => "low", Normal => "normal", High => "high", Urgent => "urgent" });
names!(Tier { Free => "free", Standard => "standard", Premium => "premium", Vip => "vip" });
names!(AuthorKind { Customer => "customer", Agent => "agent", Bot => "bot", System => "system" });
names!(Presence { Online => "online", Busy => "busy", Away => "away", Offline => "offline" });
names!(Outcome { Proceed => "proceed", Complete => "complete", Block => "block" });
names!(EscalationLevel { General => "general", Important => "important", Major => "major" });
names!(NotifyChannel { Email => "email", Sms => "sms", Chat => "chat", Webhook => "webhook", Internal => "internal" });
names!(CreditKind { AccountCredit => "account_credit", Voucher => "voucher" });
names!(LogLevel { Trace => "trace", Debug => "debug", Info => "info", Warn => "warn", Error => "error" });
