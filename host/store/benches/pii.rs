//! What sealing personal data costs: one value sealed and opened (a realistic ticket, ~1 KB of
//! JSON), and the run hot path, storing one step attempt with and without encryption against
//! the same SQLite file in the same run.
//!
//! `cargo bench -p weft-store --bench pii`. The baseline ("plain") is the pre-encryption write:
//! the same run-cursor update and attempt insert, in one transaction, through the same entities,
//! without sealing. Besides Criterion's groups (which run one after the other), an interleaved
//! loop alternates the two writes and prints p50/p99 and their ratio, which is what the README
//! reports: on a shared machine interleaving keeps the ratio honest when absolute times drift.

use std::time::{Duration, Instant};

use chrono::Utc;
use criterion::{Criterion, criterion_group, criterion_main};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, TransactionTrait};
use serde_json::{Value, json};
use weft_store::entity::{workflow_attempt, workflow_run};
use weft_store::pii::seal::{self, DataKey, Slot};
use weft_store::{NewAttempt, NewRun, RunRecord, RunStatus, StepCommit, Store};

fn ticket() -> Value {
    json!({
        "id": "T-1042", "channel": "email", "subject": "Invoice INV-2291 charged twice",
        "body": "Hello, I was charged twice for my March invoice (INV-2291). Please refund the duplicate \
                 payment to my card ending 4242 or call me on +34 600 111 222. Thanks, Ana",
        "language": "en", "priority": "high", "tags": ["billing"], "created_at": 1_763_800_000_000i64,
        "conversation": [{"author": "customer", "text": "Is anyone there? This is urgent.", "at": 1_763_800_100_000i64}],
        "incident": null, "fields": {"order": "A-77120"},
        "customer": {"id": "C-881", "name": "Ana Example", "email": "ana@example.com", "phone": "+34 600 111 222",
            "tier": "premium", "language": "en", "consent": {"service": true, "marketing": false, "analytics": false},
            "lifetime_value_cents": 129_900, "fields": {}}
    })
}

fn attempt(n: i32) -> NewAttempt {
    NewAttempt {
        step: "route".into(),
        kind: "step".into(),
        attempt: n,
        status: "succeeded".into(),
        plugin: "router@0.1.0".into(),
        input: json!({"run_id": "run-bench", "step": "route", "attempt": n, "ticket": ticket(), "prior": []}),
        decision: Some(json!({"outcome": "proceed", "reasons": ["billing, premium"], "outputs": {"queue": "billing"}})),
        effects: json!([{"type": "assign", "queue": "billing", "agent": null, "reason": "billing"}]),
        error: None,
        fuel: 24_260,
        duration_us: 60,
        started_at: Utc::now(),
    }
}

/// The pre-encryption write path, verbatim: cursor update and attempt insert in one transaction.
async fn store_plain(store: &Store, run: &RunRecord, n: i32) {
    let a = attempt(n);
    let txn = store.connection().begin().await.expect("begin");
    workflow_run::Entity::update_many()
        .col_expr(workflow_run::Column::State, Expr::value(json!({"next": n})))
        .col_expr(workflow_run::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(workflow_run::Column::Id.eq(&run.id))
        .exec(&txn)
        .await
        .expect("update");
    workflow_attempt::ActiveModel {
        run_id: Set(run.id.clone()),
        step: Set(a.step),
        kind: Set(a.kind),
        attempt: Set(a.attempt),
        status: Set(a.status),
        plugin: Set(a.plugin),
        input: Set(a.input),
        decision: Set(a.decision),
        effects: Set(a.effects),
        error: Set(a.error),
        fuel: Set(a.fuel),
        duration_us: Set(a.duration_us),
        started_at: Set(a.started_at),
        finished_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .expect("insert");
    txn.commit().await.expect("commit");
}

async fn store_sealed(store: &Store, run: &RunRecord, n: i32) {
    let commit = StepCommit {
        attempt: attempt(n),
        outbox: Vec::new(),
        state: json!({"next": n}),
        status: RunStatus::Running,
        if_unchanged_since: None,
    };
    store.commit_step(run, commit).await.expect("commit_step");
}

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    samples[((samples.len() - 1) as f64 * p) as usize]
}

fn benches(c: &mut Criterion) {
    let key = DataKey::new("dek-bench", &[7; seal::KEY_LEN]);
    let slot = Slot { table: "workflow_attempts", row: "run-bench/step/route/1", field: "input" };
    let value = json!({"ticket": ticket()});
    let sealed = key.seal_json(slot, &value).expect("seal");
    let (_, bytes) = seal::parse_sealed_json(&sealed).expect("sealed").expect("parsed");
    println!("value: {} bytes of JSON, {} bytes sealed", value.to_string().len(), sealed.to_string().len());
    c.bench_function("seal_json ticket", |b| b.iter(|| key.seal_json(slot, &value).expect("seal")));
    c.bench_function("open_json ticket", |b| b.iter(|| seal::open_json(&key, slot, &bytes).expect("open")));

    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let dir = tempfile::tempdir().expect("tempdir");
    let store = rt.block_on(Store::open(&Store::sqlite_url(dir.path()))).expect("store");
    let new = NewRun {
        id: "run-bench".into(),
        workflow: "bench".into(),
        version: 1,
        ticket_id: "T-1042".into(),
        ticket: ticket(),
        idempotency_key: None,
        state: json!({}),
        deadline_ms: None,
        timers: Vec::new(),
    };
    let (run, _) = rt.block_on(store.create_run(new)).expect("run");
    let mut n = 0;
    let mut group = c.benchmark_group("store attempt");
    group.bench_function("plain (baseline)", |b| {
        b.to_async(&rt).iter(|| {
            n += 1;
            store_plain(&store, &run, n)
        })
    });
    group.bench_function("sealed", |b| {
        b.to_async(&rt).iter(|| {
            n += 1;
            store_sealed(&store, &run, n)
        })
    });
    group.finish();

    // Interleaved: plain, sealed, plain, sealed... so both see the same machine.
    const ROUNDS: usize = 2_000;
    let (mut plain, mut sealed_t) = (Vec::with_capacity(ROUNDS), Vec::with_capacity(ROUNDS));
    rt.block_on(async {
        for _ in 0..ROUNDS {
            n += 1;
            let t = Instant::now();
            store_plain(&store, &run, n).await;
            plain.push(t.elapsed());
            n += 1;
            let t = Instant::now();
            store_sealed(&store, &run, n).await;
            sealed_t.push(t.elapsed());
        }
    });
    let (p50, p99) = (percentile(&mut plain, 0.5), percentile(&mut plain, 0.99));
    let (s50, s99) = (percentile(&mut sealed_t, 0.5), percentile(&mut sealed_t, 0.99));
    println!(
        "interleaved, {ROUNDS} each: plain p50 {p50:?} p99 {p99:?}; sealed p50 {s50:?} p99 {s99:?}; ratio p50 {:.2} p99 {:.2}",
        s50.as_secs_f64() / p50.as_secs_f64(),
        s99.as_secs_f64() / p99.as_secs_f64()
    );
}

criterion_group! {
    name = pii;
    config = Criterion::default().sample_size(30).measurement_time(Duration::from_secs(5));
    targets = benches
}
criterion_main!(pii);
