//! The index on its own (in memory): what is found, how it ranks, filters, replacement, snippets.

use super::{ArticleDoc, SearchIndex, SearchRequest};

fn doc(id: &str, version: u64, space: &str, title: &str, body: &str, tags: &[&str]) -> ArticleDoc {
    ArticleDoc {
        article_id: id.into(),
        version,
        space: space.into(),
        title: title.into(),
        body: body.into(),
        tags: tags.iter().map(|t| t.to_string()).collect(),
    }
}

fn world() -> SearchIndex {
    let index = SearchIndex::in_ram().unwrap_or_else(|e| panic!("{e}"));
    let docs = vec![
        doc("a-1", 1, "support", "Refund policy", "Refunds take five working days.", &["billing"]),
        doc("a-2", 1, "support", "如何申请退款", "在订单页面点击申请退款，我们会在五天内处理。", &["billing", "zh"]),
        doc("a-3", 1, "support", "Shipping times", "Parcels ship in two days. A chargeback is not a refund.", &[]),
        doc("a-4", 1, "internal", "Chargeback handling", "Escalate to finance.", &["billing"]),
    ];
    index.apply(docs, &[], true).unwrap_or_else(|e| panic!("{e}"));
    index
}

fn ids(index: &SearchIndex, text: &str, space: Option<&str>, tags: &[&str], spaces: Option<&[String]>) -> Vec<String> {
    let request = SearchRequest {
        text: text.into(),
        space: space.map(str::to_owned),
        tags: tags.iter().map(|t| t.to_string()).collect(),
        limit: 10,
    };
    index.search(&request, spaces).unwrap_or_else(|e| panic!("{text}: {e}")).into_iter().map(|h| h.article_id).collect()
}

// English words are found whatever their inflection; Chinese words inside unspaced text are found.
#[test]
fn finds_english_and_chinese() {
    let index = world();
    assert_eq!(ids(&index, "refunding", None, &[], None)[0], "a-1");
    assert_eq!(ids(&index, "退款", None, &[], None), ["a-2"]);
    // A Chinese query without spaces is a bag of words, not one exact phrase.
    assert_eq!(ids(&index, "订单退款流程", None, &[], None), ["a-2"]);
}

// A title match outranks a body match of the same word.
#[test]
fn title_outranks_body() {
    let index = world();
    assert_eq!(ids(&index, "chargeback", None, &[], None), ["a-4", "a-3"]);
}

// Space and tag filters narrow; the readable-spaces list hides everything else.
#[test]
fn filters_by_space_tag_and_readable_spaces() {
    let index = world();
    assert_eq!(ids(&index, "chargeback", Some("support"), &[], None), ["a-3"]);
    assert_eq!(ids(&index, "refund OR chargeback", None, &["billing"], None).len(), 2);
    assert_eq!(ids(&index, "chargeback", None, &[], Some(&["support".to_string()])), ["a-3"]);
    assert!(ids(&index, "chargeback", None, &[], Some(&[])).is_empty());
}

// A newer version replaces the old text; an older one arriving late is ignored.
#[test]
fn a_new_version_replaces_the_old_text() {
    let index = world();
    index
        .upsert(doc("a-1", 2, "support", "Refund policy", "Store credit only.", &[]))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(ids(&index, "working", None, &[], None).is_empty());
    assert_eq!(ids(&index, "credit", None, &[], None), ["a-1"]);
    index.upsert(doc("a-1", 1, "support", "Refund policy", "Working days.", &[])).unwrap_or_else(|e| panic!("{e}"));
    assert!(ids(&index, "working", None, &[], None).is_empty());
    assert_eq!(index.len(), 4);
}

// Quoted text is a phrase: words in that order only.
#[test]
fn quoted_text_is_a_phrase() {
    let index = world();
    assert_eq!(ids(&index, "\"five working days\"", None, &[], None), ["a-1"]);
    assert!(ids(&index, "\"days working five\"", None, &[], None).is_empty());
    assert_eq!(ids(&index, "\"申请退款\"", None, &[], None), ["a-2"]);
}

// Snippets escape everything but the <b> highlights.
#[test]
fn snippets_escape_markup() {
    let index = SearchIndex::in_ram().unwrap_or_else(|e| panic!("{e}"));
    let body = "Never paste <script>alert('x')</script> & \"quotes\" into a refund form.";
    index.upsert(doc("x", 1, "s", "XSS", body, &[])).unwrap_or_else(|e| panic!("{e}"));
    let hits = index
        .search(&SearchRequest { text: "script refund".into(), limit: 5, ..Default::default() }, None)
        .unwrap_or_else(|e| panic!("{e}"));
    let html = &hits[0].snippet_html;
    assert!(html.contains("&lt;<b>script</b>&gt;"), "{html}");
    assert!(html.contains("<b>refund</b>") && !html.contains("<script"), "{html}");
    assert_eq!(html.replace("<b>", "").replace("</b>", "").matches('<').count(), 0, "{html}");
    assert!(hits[0].snippet_text.contains("<script>"), "plain text keeps the original characters");
}

// Regression (100k benchmark): overlapping search-mode tokens near a fragment edge made tantivy's
// snippet code panic; snippets now re-tokenize without overlaps.
#[test]
fn snippets_of_long_chinese_words_do_not_panic() {
    let index = SearchIndex::in_ram().unwrap_or_else(|e| panic!("{e}"));
    let body = "共和国身份会员验证优先级配送可以中华人民共和国 receipt 会员。客服运费银行卡手续费收据应该问卷 days \
                密码登录 payment 会员订单欺诈 priority 配送 trial。扣款回电如何重置退款"
        .repeat(4);
    index.upsert(doc("z", 1, "s", "会员", &body, &[])).unwrap_or_else(|e| panic!("{e}"));
    for q in ["共和国 会员", "中华人民共和国", "人民 payment", "共和 退款"] {
        let hits = index
            .search(&SearchRequest { text: q.into(), limit: 5, ..Default::default() }, None)
            .unwrap_or_else(|e| panic!("{q}: {e}"));
        assert_eq!(hits.len(), 1, "{q}");
    }
}
