//! CRDT trace benchmark: the automerge-paper editing trace (259,778 single-character edits, see
//! `benches/data/README.md`) typed by one Yjs client, each edit sent as one y-sync `Update`
//! frame, applied through the server's document path — `Room::handle`, the call the WebSocket
//! handler makes for every frame: decode, integrate into the article's yrs document, re-encode
//! what was integrated, hash the content, append to the SQLite log (on disk, WAL) and broadcast.
//! In the same run, the same updates applied to a plain `yrs::Doc` (decode + apply, one
//! transaction each, nothing else) as the baseline, and the server's in-memory document work
//! without the store, to show where the time goes. Every document built is checked against the
//! trace's `endContent`, including the one reloaded from the store afterwards.
//!
//! `cargo bench -p weft-kb --bench trace`
//!
//! `WEFT_BENCH_TRACE_OPS` replays only the first N edits (without `--bench`, e.g. under
//! `cargo test --benches`, 2,000); the end-content check then compares against the replayed
//! prefix applied to a plain string.

#[path = "../tests/support/article.rs"]
mod support;

use std::collections::BTreeSet;
use std::io::Read;
use std::path::Path;
use std::time::{Duration, Instant};

use weft_kb::doc;
use weft_kb::{Access, Kb, KbConfig};
use yrs::sync::{Message, SyncMessage};
use yrs::updates::decoder::Decode;
use yrs::updates::encoder::Encode;
use yrs::{Doc, GetString, OffsetKind, Options, ReadTxn, StateVector, Text, Transact, Update};

struct Trace {
    /// (position, deleted count, inserted text), positions in code points (the trace is ASCII).
    patches: Vec<(u32, u32, String)>,
    end: String,
}

fn load_trace() -> Trace {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/data/automerge-paper.json.gz");
    let file = std::fs::File::open(&path).expect("trace file");
    let mut json = String::new();
    flate2::read::GzDecoder::new(file).read_to_string(&mut json).expect("gunzip trace");
    let value: serde_json::Value = serde_json::from_str(&json).expect("trace json");
    let mut patches = Vec::new();
    for txn in value["txns"].as_array().expect("txns") {
        for p in txn["patches"].as_array().expect("patches") {
            let pos = p[0].as_u64().expect("position") as u32;
            let del = p[1].as_u64().expect("delete count") as u32;
            let ins = p[2].as_str().expect("inserted text").to_owned();
            patches.push((pos, del, ins));
        }
    }
    Trace { patches, end: value["endContent"].as_str().expect("endContent").to_owned() }
}

/// The text after the first `n` patches, applied to a plain string (the trace is ASCII).
fn expected_after(trace: &Trace, n: usize) -> String {
    if n == trace.patches.len() {
        return trace.end.clone();
    }
    let mut s = String::new();
    for (pos, del, ins) in &trace.patches[..n] {
        let pos = *pos as usize;
        s.replace_range(pos..pos + *del as usize, ins);
    }
    s
}

/// One browser client typing the trace into the article's `body`: one update per edit, exactly
/// what y-websocket sends.
fn client_updates(trace: &Trace, n: usize) -> Vec<Vec<u8>> {
    let client = Doc::with_options(Options {
        client_id: yrs::ClientID::new(0xB3_7C4),
        offset_kind: OffsetKind::Utf16,
        ..Options::default()
    });
    let body = client.get_or_insert_text("body");
    let mut out = Vec::with_capacity(n);
    for (pos, del, ins) in &trace.patches[..n] {
        let mut txn = client.transact_mut();
        if *del > 0 {
            body.remove_range(&mut txn, *pos, *del);
        }
        if !ins.is_empty() {
            body.insert(&mut txn, *pos, ins);
        }
        out.push(txn.encode_update_v1());
    }
    out
}

struct Run {
    total: Duration,
    per_update_ns: Vec<u64>,
}

impl Run {
    fn pct_us(&mut self, p: f64) -> f64 {
        self.per_update_ns.sort_unstable();
        let i = ((self.per_update_ns.len() as f64 * p).ceil() as usize).saturating_sub(1);
        self.per_update_ns.get(i).copied().unwrap_or(0) as f64 / 1000.0
    }

    fn per_second(&self) -> f64 {
        self.per_update_ns.len() as f64 / self.total.as_secs_f64()
    }
}

/// Baseline: a plain yrs document (default options) applying each update in its own transaction.
fn plain_yrs(updates: &[Vec<u8>]) -> (Run, Doc) {
    let doc = Doc::new();
    let mut per = Vec::with_capacity(updates.len());
    let began = Instant::now();
    for u in updates {
        let t = Instant::now();
        let update = Update::decode_v1(u).expect("decode");
        doc.transact_mut().apply_update(update).expect("apply");
        per.push(t.elapsed().as_nanos() as u64);
    }
    (Run { total: began.elapsed(), per_update_ns: per }, doc)
}

/// The room's in-memory work per update without the store (see `Room::apply`): decode the
/// frame, apply in one transaction on an article document, encode what was integrated, check it
/// is not empty, read the content and hash it.
fn doc_work_without_store(updates: &[Vec<u8>]) -> (Run, Duration, Doc) {
    let doc = doc::new_doc();
    let mut per = Vec::with_capacity(updates.len());
    let mut content_time = Duration::ZERO;
    let began = Instant::now();
    for u in updates {
        let t = Instant::now();
        let frame = Message::Sync(SyncMessage::Update(u.clone())).encode_v1();
        let Ok(Message::Sync(SyncMessage::Update(bytes))) = Message::decode_v1(&frame) else { panic!("frame") };
        let update = Update::decode_v1(&bytes).expect("decode");
        let delta = {
            let mut txn = doc.transact_mut();
            txn.apply_update(update).expect("apply");
            assert!(!txn.has_missing_updates());
            txn.encode_update_v1()
        };
        assert!(!Update::decode_v1(&delta).expect("delta").is_empty());
        let c = Instant::now();
        let content = doc::read_content(&doc);
        std::hint::black_box(content.hash());
        content_time += c.elapsed();
        let _broadcast = Message::Sync(SyncMessage::Update(delta)).encode_v1();
        per.push(t.elapsed().as_nanos() as u64);
    }
    (Run { total: began.elapsed(), per_update_ns: per }, content_time, doc)
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

fn text_of(doc: &Doc) -> String {
    let body = doc.get_or_insert_text("body");
    body.get_string(&doc.transact())
}

fn main() {
    let bench = std::env::args().any(|a| a == "--bench");
    let trace = load_trace();
    let n = std::env::var("WEFT_BENCH_TRACE_OPS")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(if bench { trace.patches.len() } else { 2_000 })
        .min(trace.patches.len());
    let expected = expected_after(&trace, n);
    println!("trace: automerge-paper, replaying {n} of {} edits; load average {}", trace.patches.len(), load_average());
    let updates = client_updates(&trace, n);
    let update_bytes: usize = updates.iter().map(Vec::len).sum();
    println!("client updates: {} frames, {} bytes in all", updates.len(), update_bytes);

    // Baseline: three replays, the median by total time is reported.
    let mut plain_runs: Vec<(Run, Doc)> = (0..3).map(|_| plain_yrs(&updates)).collect();
    plain_runs.sort_by_key(|(r, _)| r.total);
    let (mut plain, plain_doc) = plain_runs.swap_remove(1);
    assert_eq!(text_of(&plain_doc), expected, "plain yrs replay diverged from the trace");
    let plain_v1 = plain_doc.transact().encode_state_as_update_v1(&StateVector::default()).len();
    let plain_v2 = plain_doc.transact().encode_state_as_update_v2(&StateVector::default()).len();
    println!("plain yrs done ({:.2?}); load average {}", plain.total, load_average());

    let (mut memory, content_time, memory_doc) = doc_work_without_store(&updates);
    assert_eq!(text_of(&memory_doc), expected, "article document diverged from the trace");
    println!("server document work without the store done ({:.2?}); load average {}", memory.total, load_average());

    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    let (mut server, reload, stored_v1, log_entries) = rt.block_on(server_path(&updates, &expected));
    let load_after = load_average();

    let plain_secs = plain.total.as_secs_f64();
    let ratio = |r: &Run| r.total.as_secs_f64() / plain_secs;
    println!();
    println!("| path | total | updates/s | p50 per update | p99 per update | time × plain yrs |");
    println!("|---|---:|---:|---:|---:|---:|");
    let plain_p50 = plain.pct_us(0.50);
    let plain_p99 = plain.pct_us(0.99);
    println!(
        "| plain yrs (baseline) | {:.2?} | {:.0} | {:.1} µs | {:.1} µs | 1.00 |",
        plain.total,
        plain.per_second(),
        plain_p50,
        plain_p99
    );
    let (m50, m99, mr) = (memory.pct_us(0.50), memory.pct_us(0.99), ratio(&memory));
    println!(
        "| server doc work, no store | {:.2?} | {:.0} | {m50:.1} µs | {m99:.1} µs | {mr:.1} |",
        memory.total,
        memory.per_second()
    );
    let (s50, s99, sr) = (server.pct_us(0.50), server.pct_us(0.99), ratio(&server));
    println!(
        "| server path (Room::handle, SQLite) | {:.2?} | {:.0} | {s50:.1} µs | {s99:.1} µs | {sr:.1} |",
        server.total,
        server.per_second()
    );
    println!();
    println!(
        "of the in-memory work, reading + hashing the whole content after every update: {content_time:.2?} ({:.0} %)",
        100.0 * content_time.as_secs_f64() / memory.total.as_secs_f64()
    );
    println!("final text: {} chars, equal to the trace's end content on every path (and after reload)", expected.len());
    println!(
        "final encoded size: server document (history kept, skip_gc) {stored_v1} bytes v1; \
         plain yrs (gc) {plain_v1} bytes v1, {plain_v2} bytes v2; text itself {} bytes",
        expected.len()
    );
    println!("store log after the run: {log_entries} entries beyond the snapshot; reload from the store: {reload:.2?}");
    println!("load average after: {load_after}");
}

/// The server's path: a real `Kb` on a SQLite file, one article, one writing connection, every
/// frame through `Room::handle`.
async fn server_path(updates: &[Vec<u8>], expected: &str) -> (Run, Duration, usize, usize) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = support::store_with_article(dir.path(), "bench", "a-trace", "automerge-paper").await;
    // Production compaction settings, so the compactor runs during the replay as it would live.
    let kb = Kb::open(store, KbConfig::new(dir.path().join("index"))).await.expect("kb");
    let access = Access { username: "ana".into(), admin: false, roles: BTreeSet::from(["kb-author".to_owned()]) };
    let (room, mut conn, _outbox, _greeting) = kb.connect("a-trace", &access).await.expect("connect");
    let frames: Vec<Vec<u8>> =
        updates.iter().map(|u| Message::Sync(SyncMessage::Update(u.clone())).encode_v1()).collect();
    let mut per = Vec::with_capacity(frames.len());
    let began = Instant::now();
    for (i, frame) in frames.iter().enumerate() {
        let t = Instant::now();
        let replies = room.handle(&mut conn, frame).await.expect("update accepted");
        assert!(replies.is_empty());
        per.push(t.elapsed().as_nanos() as u64);
        if (i + 1) % 50_000 == 0 {
            println!("  server path: {} updates in {:.1?}; load average {}", i + 1, began.elapsed(), load_average());
        }
    }
    let total = began.elapsed();
    assert_eq!(room.content().body, expected, "server document diverged from the trace");
    kb.disconnect(room, conn).await;

    let stored = kb.store().kb_load_doc("a-trace").await.expect("load");
    let log_entries = stored.updates.len();
    let t = Instant::now();
    let reloaded = doc::load("a-trace", &stored).expect("reload");
    let reload = t.elapsed();
    assert_eq!(doc::read_content(&reloaded).body, expected, "document reloaded from the store differs");
    let size = doc::encode_state(&reloaded).len();
    (Run { total, per_update_ns: per }, reload, size, log_entries)
}
