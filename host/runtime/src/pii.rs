//! Masking of customer PII for deployments without `pii.raw`.
//!
//! Masking keeps enough shape for a plugin to decide on (the email domain, the last digits of a
//! phone number, the first letter of a name) without handing over the identity.

use crate::model::StepInput;

pub(crate) fn mask_customer(input: &mut StepInput) {
    let customer = &mut input.ticket.customer;
    customer.name = mask_name(&customer.name);
    if let Some(email) = customer.email.as_mut() {
        *email = mask_email(email);
    }
    if let Some(phone) = customer.phone.as_mut() {
        *phone = mask_phone(phone);
    }
}

fn mask_name(name: &str) -> String {
    match name.chars().next() {
        Some(first) => format!("{first}***"),
        None => String::new(),
    }
}

fn mask_email(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => format!("{}***@{domain}", local.chars().next().map(String::from).unwrap_or_default()),
        None => "***".to_string(),
    }
}

fn mask_phone(phone: &str) -> String {
    let digits: Vec<char> = phone.chars().filter(char::is_ascii_digit).collect();
    let keep = digits.len().saturating_sub(4);
    let tail: String = digits[keep..].iter().collect();
    format!("{}{tail}", "*".repeat(keep))
}

#[cfg(test)]
mod tests {
    use super::*;

    // Masks keep the shape a plugin needs and drop the identity.
    #[test]
    fn masks_keep_shape_only() {
        assert_eq!(mask_email("li.lei@example.cn"), "l***@example.cn");
        assert_eq!(mask_phone("+86 138 0013 8000"), "*********8000");
        assert_eq!(mask_name("李雷"), "李***");
        assert_eq!(mask_name(""), "");
        assert_eq!(mask_email("not-an-email"), "***");
    }
}
