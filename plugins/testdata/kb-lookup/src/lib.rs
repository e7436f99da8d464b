//! Searches the knowledge base for the ticket's subject (capability `kb.read`), narrowed to the
//! space in the ticket field `kb_space` and to the ticket's tags, and returns the hits as outputs:
//! `count`, and `hits` as `[article, version, title, snippet]` rows, best first. A host error
//! (a denial, a bad query) fails the step with the host's message.

use weft_plugin::prelude::*;

fn decide(input: StepInput) -> Result<Decision, StepError> {
    let mut query = KbQuery::new(input.ticket.subject.clone()).limit(5);
    if let Some(space) = input.ticket.field("kb_space").and_then(|v| v.as_str().map(str::to_owned)) {
        query = query.space(space);
    }
    for tag in &input.ticket.tags {
        query = query.tag(tag.clone());
    }
    let hits = host::kb_search(query)?;
    let rows: Vec<(String, u32, String, String)> =
        hits.into_iter().map(|h| (h.article, h.version, h.title, h.snippet)).collect();
    Ok(Decision::proceed().reason("knowledge base searched").output("count", &rows.len()).output("hits", &rows))
}

weft_plugin::export_step!(decide);

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use weft_plugin::testing::{TestHost, ticket};

    #[test]
    fn without_the_capability_the_search_is_denied() {
        let run = TestHost::new().run(decide, ticket("T-1").subject("refund"));
        assert_eq!(run.error().kind, StepErrorKind::CapabilityDenied);
    }
}
