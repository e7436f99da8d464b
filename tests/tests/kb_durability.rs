//! Durability: an edit is stored before anyone else sees it. Kill -9 the server in the middle of
//! a burst of edits; after the restart every edit another client had received is still there.

mod kb_common;

use std::io::{BufRead, BufReader};
use std::process::Stdio;

use kb_common::World;
use weft_e2e::kb_node::{run_json, script};

#[tokio::test]
async fn every_acknowledged_edit_survives_kill_9() {
    let mut w = World::start().await;
    let article = w.create_article("ana", "Burst", "", &[]).await;
    let id = article["id"].as_str().unwrap_or_default().to_string();

    let mut burst = script("burst.mjs", &[&w.ws(), w.token("ana"), &id]).stdout(Stdio::piped()).spawn().expect("node");
    let stdout = burst.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut acked: Vec<String> = Vec::new();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    // Crash once a few hundred edits have been acknowledged, while the writer is still typing.
    while acked.len() < 300 {
        let line =
            rx.recv_timeout(deadline.saturating_duration_since(std::time::Instant::now())).expect("burst output");
        if let Some(n) = line.strip_prefix("ACK ") {
            acked.push(n.to_string());
        }
    }
    w.server.crash_and_restart();
    // Pooled keep-alive connections died with the old process.
    w.http = reqwest::Client::new();
    // Markers the observer printed before it noticed the crash were acknowledged too.
    while let Ok(line) = rx.recv_timeout(std::time::Duration::from_secs(20)) {
        if line == "CLOSED" {
            break;
        }
        if let Some(n) = line.strip_prefix("ACK ") {
            acked.push(n.to_string());
        }
    }
    let _ = burst.wait();

    let out = run_json("read.mjs", &[&w.ws(), w.token("ana"), &id]);
    let body = out["body"].as_str().unwrap_or_default();
    let lost: Vec<&String> = acked.iter().filter(|n| !body.contains(&format!("<m{n}>"))).collect();
    assert!(lost.is_empty(), "{} of {} acknowledged edits lost: {:?}", lost.len(), acked.len(), lost);
    assert!(acked.len() >= 300);
    let stored = w.article("ana", &id).await;
    assert_eq!(stored["body"].as_str(), Some(body));
}
