//! Search benchmark: N generated articles mixing Chinese and English (100k by default;
//! `WEFT_BENCH_ARTICLES` overrides, `--test` uses 2k), deterministic and built from real words.
//! Measures index time and query latency p50/p99 through the production path
//! (`SearchIndex::apply` / `SearchIndex::search`: parse, top 10, stored fields, snippets), and the
//! same over a baseline in the same run: tantivy's default tokenizer and `QueryParser` (English
//! only) on the same articles and queries, with the same top-10 + snippet work. Prints a table;
//! criterion then times a representative query on both.
//!
//! `cargo bench -p weft-kb --bench search`

use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use tantivy::collector::TopDocs;
use tantivy::query::QueryParser;
use tantivy::schema::{STORED, STRING, Schema, TEXT, Value};
use tantivy::snippet::SnippetGenerator;
use tantivy::{Index, IndexReader, ReloadPolicy, TantivyDocument, doc};
use weft_kb::search::{ArticleDoc, SearchIndex, SearchRequest};

const EN: &str = "\
    refund order account password delivery invoice payment shipping return warranty subscription cancel \
    upgrade discount voucher credit card bank transfer receipt customer support agent ticket escalate \
    priority urgent billing charge chargeback dispute fraud verify identity email phone address parcel \
    courier tracking damaged missing replacement exchange size colour product device battery screen \
    login reset locked security privacy consent data export delete profile premium plan trial renewal \
    price tax currency exchange rate fee store branch opening hours holiday weekend contact chat \
    callback survey the a to of and in is for on with within days after before please check make sure \
    your our team will can may must should processed approved rejected pending delayed shipped delivered \
    confirmed updated closed";

const ZH: &str = "\
    退款 订单 账户 密码 配送 发票 支付 运费 退货 保修 订阅 取消 升级 折扣 优惠券 积分 银行卡 转账 收据 客户 客服 工单 升级处理 优先级 紧急 账单 扣款 争议 欺诈 验证 身份 邮箱 \
    手机 地址 包裹 快递 物流 损坏 丢失 更换 换货 尺码 颜色 产品 设备 电池 屏幕 登录 重置 锁定 安全 隐私 同意 数据 导出 删除 资料 会员 套餐 试用 续费 价格 税费 汇率 手续费 \
    门店 营业 时间 节假日 周末 联系 在线 回电 问卷 我们 您的 请 如何 申请 处理 工作日 之内 之后 之前 确认 检查 已经 可以 需要 必须 应该 审核 通过 拒绝 等待 延迟 发货 签收 \
    更新 关闭 中华人民共和国 北京 上海 广州 深圳";

/// The two word lists, split once.
struct Vocab {
    en: Vec<&'static str>,
    zh: Vec<&'static str>,
}

impl Vocab {
    fn new() -> Vocab {
        Vocab { en: EN.split_whitespace().collect(), zh: ZH.split_whitespace().collect() }
    }
}

/// splitmix64: a deterministic, dependency-free generator, so every run indexes the same text.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// Skewed towards the front of the list, like word frequencies.
    fn word<'a>(&mut self, words: &[&'a str]) -> &'a str {
        let u = (self.next() % 10_000) as f64 / 10_000.0;
        words[((u * u) * words.len() as f64) as usize % words.len()]
    }
}

/// Half the articles are mostly Chinese, half mostly English; each carries some of the other.
fn article(rng: &mut Rng, i: usize, v: &Vocab) -> ArticleDoc {
    let chinese = i.is_multiple_of(2);
    let sentence = |rng: &mut Rng, words: usize| {
        let mut out = String::new();
        for _ in 0..words {
            let zh = if chinese { rng.below(10) < 8 } else { rng.below(10) < 1 };
            if zh {
                out.push_str(rng.word(&v.zh));
            } else {
                if !out.is_empty() && !out.ends_with(' ') {
                    out.push(' ');
                }
                out.push_str(rng.word(&v.en));
                out.push(' ');
            }
        }
        out.trim_end().to_owned()
    };
    let title_len = 3 + rng.below(5);
    let title = sentence(rng, title_len);
    let mut body = String::new();
    let sentences = 6 + rng.below(10);
    for _ in 0..sentences {
        let len = 8 + rng.below(12);
        body.push_str(&sentence(rng, len));
        body.push_str(if chinese { "。" } else { ". " });
    }
    ArticleDoc {
        article_id: format!("a-{i:06}"),
        version: 1,
        space: ["support", "billing", "internal"][i % 3].to_owned(),
        title,
        body,
        tags: vec![["billing", "shipping", "account", "zh", "en"][i % 5].to_owned()],
    }
}

fn queries(rng: &mut Rng, v: &Vocab) -> Vec<String> {
    let mut out = Vec::new();
    for i in 0..200 {
        out.push(match i % 5 {
            0 => rng.word(&v.en).to_owned(),
            1 => rng.word(&v.zh).to_owned(),
            2 => format!("{} {}", rng.word(&v.en), rng.word(&v.en)),
            3 => format!("{}{}", rng.word(&v.zh), rng.word(&v.zh)),
            _ => format!("{} {}", rng.word(&v.en), rng.word(&v.zh)),
        });
    }
    out
}

fn articles_wanted() -> usize {
    if std::env::args().any(|a| a == "--test") {
        return 2_000;
    }
    std::env::var("WEFT_BENCH_ARTICLES").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000)
}

/// tantivy out of the box: default tokenizer, `QueryParser` over title (boosted) and body.
struct Baseline {
    reader: IndexReader,
    parser: QueryParser,
    body: tantivy::schema::Field,
    title: tantivy::schema::Field,
}

fn baseline(dir: &std::path::Path, docs: &[ArticleDoc]) -> tantivy::Result<Baseline> {
    let mut b = Schema::builder();
    let id = b.add_text_field("article_id", STRING | STORED);
    let title = b.add_text_field("title", TEXT | STORED);
    let body = b.add_text_field("body", TEXT | STORED);
    let index = Index::create_in_dir(dir, b.build())?;
    let mut writer = index.writer(64 * 1024 * 1024)?;
    for chunk in docs.chunks(5_000) {
        for d in chunk {
            writer.add_document(doc!(id => d.article_id.clone(), title => d.title.clone(), body => d.body.clone()))?;
        }
        writer.commit()?;
    }
    let reader: IndexReader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
    let mut parser = QueryParser::for_index(&index, vec![title, body]);
    parser.set_field_boost(title, 3.0);
    Ok(Baseline { reader, parser, body, title })
}

impl Baseline {
    fn search(&self, q: &str) -> usize {
        let searcher = self.reader.searcher();
        let (query, _) = self.parser.parse_query_lenient(q);
        let top = searcher.search(&query, &TopDocs::with_limit(10).order_by_score()).unwrap_or_default();
        let Ok(generator) = SnippetGenerator::create(&searcher, &*query, self.body) else { return 0 };
        let mut n = 0;
        for (_, address) in top {
            if let Ok(d) = searcher.doc::<TantivyDocument>(address) {
                let body = d.get_first(self.body).and_then(|v| v.as_str()).unwrap_or_default().to_owned();
                let title = d.get_first(self.title).and_then(|v| v.as_str()).unwrap_or_default().len();
                n += generator.snippet(&body).to_html().len() + title;
            }
        }
        n
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn latencies(rounds: usize, queries: &[String], mut run: impl FnMut(&str)) -> (Duration, Duration) {
    for q in queries {
        run(q); // warm the page cache and the analyzers
    }
    let mut all = Vec::with_capacity(rounds * queries.len());
    for _ in 0..rounds {
        for q in queries {
            let t = Instant::now();
            run(q);
            all.push(t.elapsed());
        }
    }
    all.sort();
    (percentile(&all, 0.50), percentile(&all, 0.99))
}

fn bench(c: &mut Criterion) {
    let n = articles_wanted();
    let mut rng = Rng(0x5EED_CAFE);
    let vocab = Vocab::new();
    let docs: Vec<ArticleDoc> = (0..n).map(|i| article(&mut rng, i, &vocab)).collect();
    let queries = queries(&mut rng, &vocab);
    let bytes: usize = docs.iter().map(|d| d.title.len() + d.body.len()).sum();
    let dirs = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));

    let t = Instant::now();
    let (index, _) = SearchIndex::open(&dirs.path().join("weft")).unwrap_or_else(|e| panic!("{e}"));
    for chunk in docs.chunks(5_000) {
        index.apply(chunk.to_vec(), &[], true).unwrap_or_else(|e| panic!("{e}"));
    }
    let weft_index = t.elapsed();
    let t = Instant::now();
    let base_dir = dirs.path().join("baseline");
    std::fs::create_dir_all(&base_dir).unwrap_or_else(|e| panic!("{e}"));
    let base = baseline(&base_dir, &docs).unwrap_or_else(|e| panic!("baseline: {e}"));
    let base_index = t.elapsed();

    let request = |q: &str| SearchRequest { text: q.to_owned(), limit: 10, ..Default::default() };
    let mut found = 0usize;
    let (weft_p50, weft_p99) = latencies(5, &queries, |q| {
        found += index.search(&request(q), None).map(|h| h.len()).unwrap_or_default();
    });
    let (base_p50, base_p99) = latencies(5, &queries, |q| {
        base.search(q);
    });
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "\nkb-search: {n} articles ({:.1} MB of text), {} queries x 5 rounds, top 10 with snippets",
        bytes as f64 / 1e6,
        queries.len()
    );
    println!("{:<34}{:>12}{:>12}{:>12}", "", "index (s)", "p50 (ms)", "p99 (ms)");
    println!(
        "{:<34}{:>12.1}{:>12.3}{:>12.3}",
        "weft (jieba + English)",
        weft_index.as_secs_f64(),
        ms(weft_p50),
        ms(weft_p99)
    );
    println!(
        "{:<34}{:>12.1}{:>12.3}{:>12.3}",
        "baseline (tantivy default)",
        base_index.as_secs_f64(),
        ms(base_p50),
        ms(base_p99)
    );
    println!(
        "{:<34}{:>12.2}{:>12.2}{:>12.2}",
        "ratio weft / baseline",
        weft_index.as_secs_f64() / base_index.as_secs_f64(),
        ms(weft_p50) / ms(base_p50),
        ms(weft_p99) / ms(base_p99)
    );
    println!("hits returned by weft over all rounds: {found}\n");

    let mut group = c.benchmark_group("kb-search");
    group.bench_function("weft: refund 退款", |b| b.iter(|| index.search(&request("refund 退款"), None)));
    group.bench_function("baseline: refund 退款", |b| b.iter(|| base.search("refund 退款")));
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(Duration::from_secs(3));
    targets = bench
}
criterion_main!(benches);
