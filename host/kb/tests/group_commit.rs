//! Group commit against a real SQLite file: many editors writing into one room at once have their
//! updates integrated and committed together in rounds; every update that was answered is in the
//! store, the article row describes the final content, and a reload equals the live document.

#[path = "support/article.rs"]
mod support;

use std::collections::BTreeSet;
use std::sync::Arc;

use weft_kb::doc;
use weft_kb::{Access, Kb, KbConfig};
use yrs::sync::{Message, SyncMessage};
use yrs::updates::encoder::Encode;
use yrs::{Doc, GetString, Options, Text, Transact};

const EDITORS: u64 = 12;
const EDITS_EACH: usize = 40;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_editors_lose_nothing_across_group_commits() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = support::store_with_article(dir.path(), "s", "a1", "together").await;
    let kb = Arc::new(Kb::open(store, KbConfig::new(dir.path().join("index"))).await.expect("kb"));

    let mut tasks = Vec::new();
    for editor in 0..EDITORS {
        let kb = kb.clone();
        tasks.push(tokio::spawn(async move {
            let user = format!("editor-{editor}");
            let access =
                Access { username: user.clone(), admin: false, roles: BTreeSet::from(["kb-author".to_owned()]) };
            let (room, mut conn, _outbox, _greeting) = kb.connect("a1", &access).await.expect("connect");
            // Each editor types into its own document (its own Yjs client), appending its marks.
            let own = Doc::with_options(Options { client_id: yrs::ClientID::new(1000 + editor), ..Options::default() });
            let body = own.get_or_insert_text("body");
            for i in 0..EDITS_EACH {
                let update = {
                    let mut txn = own.transact_mut();
                    let end = body.len(&txn);
                    body.insert(&mut txn, end, &format!("<{editor}:{i}>"));
                    txn.encode_update_v1()
                };
                let frame = Message::Sync(SyncMessage::Update(update)).encode_v1();
                let replies = room.handle(&mut conn, &frame).await.expect("update accepted");
                assert!(replies.is_empty());
            }
            let typed = body.get_string(&own.transact());
            kb.disconnect(room, conn).await;
            typed
        }));
    }
    let mut typed = Vec::new();
    for task in tasks {
        typed.push(task.await.expect("editor task"));
    }

    let stored = kb.store().kb_load_doc("a1").await.expect("load");
    assert_eq!(stored.updates.len(), 1 + (EDITORS as usize) * EDITS_EACH, "one log entry per update, none lost");
    let reloaded = doc::read_content(&doc::load("a1", &stored).expect("reload"));
    // Every editor's marks are there, each editor's in the order typed.
    for (editor, own) in typed.iter().enumerate() {
        let marks: String =
            reloaded.body.split_inclusive('>').filter(|mark| mark.starts_with(&format!("<{editor}:"))).collect();
        assert_eq!(&marks, own, "editor {editor}'s text");
    }
    let row = kb.store().kb_article("a1").await.expect("read").expect("exists");
    assert_eq!(row.content_hash, reloaded.hash(), "the row describes the final content");
}
