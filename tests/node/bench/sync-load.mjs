// Sync fan-out load generator: stock Yjs clients (yjs + y-websocket's WebsocketProvider) typing
// into articles on the weft server and, in the same run, on the reference y-websocket server from
// npm (`y-websocket/bin/server.cjs`, in memory, no persistence), with the ratios.
//
//   node tests/node/bench/sync-load.mjs --weft $CARGO_TARGET_DIR/release/weft [--secs 15] [--idle 500]
//
// It starts both servers itself on 127.0.0.1 (weft on a fresh temporary data directory, seeded
// through its CLI and REST API: one admin user, a token, a space, the articles), then for each
// scenario and each server in turn:
//   one-article: 50 clients on one article;   many-articles: 500 articles with 2 clients each;
//   steady: every client types one character every 200 ms (5 chars/s), at its own random phase;
//   burst: every client types 40 characters back to back (40 updates) every 3 s, random phase.
// Fan-out latency: every client lives in this process, so the sender records performance.now()
// under (Yjs client id, clock) before each keystroke and every other client, when that struct
// arrives, looks it up (Y.parseUpdateMeta) and records the difference. Server
// CPU is utime+stime from /proc/<pid>/stat over the typing window; RSS is VmRSS from
// /proc/<pid>/status. Memory per idle document: RSS with N articles each held open by one idle
// client, minus RSS before, over N. Prints one JSON object per line and Markdown tables at the end.
import { spawn, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { performance, monitorEventLoopDelay } from 'node:perf_hooks'
import WebSocket from 'ws'
import * as Y from 'yjs'
import * as encoding from 'lib0/encoding'
import * as decoding from 'lib0/decoding'

const here = path.dirname(fileURLToPath(import.meta.url))
// Every WebsocketProvider adds a process 'exit' listener; a thousand of them are expected here.
process.setMaxListeners(0)
const opts = parseArgs(process.argv.slice(2))
const SECS = Number(opts.secs ?? 15)
const IDLE = Number(opts.idle ?? 500)
const ONE_CLIENTS = Number(opts['one-clients'] ?? 50)
const MANY_ARTICLES = Number(opts['many-articles'] ?? 500)
const BURST_CHARS = 40
const BURST_EVERY_MS = 3000
const STEADY_EVERY_MS = 200
const only = opts.only ? String(opts.only).split(',') : null
if (!opts.weft) {
  console.error('usage: node sync-load.mjs --weft PATH_TO_RELEASE_WEFT [--secs 15] [--idle 500] [--only weft,y-websocket]')
  process.exit(2)
}

function parseArgs (argv) {
  const out = {}
  for (let i = 0; i < argv.length; i++) {
    if (argv[i].startsWith('--')) out[argv[i].slice(2)] = argv[i + 1]?.startsWith('--') || argv[i + 1] === undefined ? true : argv[++i]
  }
  return out
}

const sleep = ms => new Promise(resolve => setTimeout(resolve, ms))
const loadavg = () => os.loadavg().map(x => x.toFixed(2)).join(' ')

function freePort () {
  return new Promise((resolve, reject) => {
    const srv = net.createServer()
    srv.listen(0, '127.0.0.1', () => { const { port } = srv.address(); srv.close(() => resolve(port)) })
    srv.on('error', reject)
  })
}

async function waitListening (port, what) {
  const deadline = Date.now() + 60000
  while (Date.now() < deadline) {
    const ok = await new Promise(resolve => {
      const s = net.connect(port, '127.0.0.1', () => { s.end(); resolve(true) })
      s.on('error', () => resolve(false))
    })
    if (ok) return
    await sleep(50)
  }
  throw new Error(`${what} did not listen on ${port} within 60 s`)
}

function rssKb (pid) {
  const m = fs.readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+) kB/)
  return m ? Number(m[1]) : NaN
}

const TICKS = Number(spawnSync('getconf', ['CLK_TCK']).stdout.toString().trim()) || 100
function cpuSeconds (pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) / TICKS // utime, stime (fields 14, 15)
}

function pct (sorted, p) {
  if (sorted.length === 0) return NaN
  return sorted[Math.max(0, Math.ceil(sorted.length * p) - 1)]
}

// Text of a typical support article (~1.5 KB), so idle documents are not empty.
function articleBody (i) {
  const en = 'If your parcel has not arrived within five working days, check the tracking link in your confirmation email. '
  const zh = '如果您的包裹在五个工作日内仍未送达，请查看确认邮件中的物流链接，或联系在线客服。'
  let s = `# Article ${i}\n\n`
  while (s.length < 1400) s += (s.length % 3 === 0 ? zh : en)
  return s
}

// ---------- servers ----------

async function startWeft () {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'weft-sync-bench-'))
  const data = path.join(dir, 'data')
  fs.mkdirSync(data)
  const add = spawnSync(opts.weft, ['user', 'add', 'bench', '--role', 'admin', '--data', data], { input: 'bench-load-password' })
  if (add.status !== 0) throw new Error(`weft user add: ${add.stderr}`)
  const tok = spawnSync(opts.weft, ['token', 'create', 'bench', '--data', data])
  if (tok.status !== 0) throw new Error(`weft token create: ${tok.stderr}`)
  const token = tok.stdout.toString().trim()
  const port = await freePort()
  const child = spawn(opts.weft, ['serve', '--listen', `127.0.0.1:${port}`, '--data', data], {
    env: { ...process.env, RUST_LOG: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit']
  })
  await waitListening(port, 'weft serve')
  const http = `http://127.0.0.1:${port}`
  const call = async (method, p, body) => {
    const res = await fetch(http + p, {
      method,
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: body ? JSON.stringify(body) : undefined
    })
    const text = await res.text()
    if (res.status >= 300) throw new Error(`${method} ${p}: ${res.status} ${text}`)
    return JSON.parse(text)
  }
  await call('POST', '/v1/kb/spaces', { id: 'bench', name: 'Bench' })
  const create = async i => (await call('POST', '/v1/kb/spaces/bench/articles', { title: `Article ${i}`, body: articleBody(i), tags: ['bench'] })).id
  const ids = []
  const total = 1 + MANY_ARTICLES + IDLE
  for (let i = 0; i < total; i += 8) {
    const batch = []
    for (let k = i; k < Math.min(total, i + 8); k++) batch.push(create(k))
    ids.push(...await Promise.all(batch))
  }
  return {
    name: 'weft',
    pid: child.pid,
    child,
    dir,
    ws: `ws://127.0.0.1:${port}/v1/kb/sync`,
    token,
    one: ids[0],
    many: ids.slice(1, 1 + MANY_ARTICLES),
    idle: ids.slice(1 + MANY_ARTICLES),
    seeded: true
  }
}

async function startReference () {
  const port = await freePort()
  const bin = path.join(here, '..', 'node_modules', 'y-websocket', 'bin', 'server.cjs')
  const child = spawn(process.execPath, [bin], { env: { ...process.env, HOST: '127.0.0.1', PORT: String(port) }, stdio: ['ignore', 'ignore', 'inherit'] })
  await waitListening(port, 'y-websocket server')
  const names = n => Array.from({ length: n }, (_, i) => `r-${i}`)
  return {
    name: 'y-websocket',
    pid: child.pid,
    child,
    ws: `ws://127.0.0.1:${port}/v1/kb/sync`,
    token: null,
    one: 'one',
    many: names(MANY_ARTICLES).map(n => `many-${n}`),
    idle: names(IDLE).map(n => `idle-${n}`),
    seeded: false
  }
}

// ---------- clients ----------
//
// A load-generator client speaks y-sync itself over `ws` (the same frames y-websocket's provider
// sends: SyncStep1 on open, SyncStep2 in answer, one Update per local transaction) so that a
// thousand of them fit in this one process on a 2-core machine: the first run with a full
// Y.Doc + WebsocketProvider per client measured this process, not the servers (event loop
// delay p99 0.8 s). Each client holds a Y.Doc that takes the initial state and its own typing;
// once synced, updates from others are only parsed (Y.parseUpdateMeta) to time them, not
// applied. Its inserts are still valid CRDT operations (concurrent with the others'). No
// awareness is sent, to either server.

const MSG_SYNC = 0
const STEP1 = 0
const STEP2 = 1
const UPDATE = 2

class Recorder {
  constructor () { this.sent = new Map(); this.lat = []; this.closes = new Map(); this.denied = 0 }
}

function frame (type, payload) {
  const e = encoding.createEncoder()
  encoding.writeVarUint(e, MSG_SYNC)
  encoding.writeVarUint(e, type)
  encoding.writeVarUint8Array(e, payload)
  return encoding.toUint8Array(e)
}

function connect (server, article, rec) {
  const doc = new Y.Doc()
  const headers = server.token ? { Authorization: `Bearer ${server.token}` } : {}
  const ws = new WebSocket(`${server.ws}/${article}`, { headers })
  ws.binaryType = 'arraybuffer'
  const c = { doc, ws, body: doc.getText('body'), synced: false, open: false, closed: false }
  doc.on('update', (update, origin) => {
    if (origin !== 'remote' && c.open) ws.send(frame(UPDATE, update))
  })
  ws.on('open', () => {
    c.open = true
    ws.send(frame(STEP1, Y.encodeStateVector(doc)))
  })
  ws.on('message', data => {
    const d = decoding.createDecoder(new Uint8Array(data))
    if (decoding.readVarUint(d) !== MSG_SYNC) { return } // awareness, auth, query: not timed
    const type = decoding.readVarUint(d)
    const payload = decoding.readVarUint8Array(d)
    if (type === STEP1) {
      ws.send(frame(STEP2, Y.encodeStateAsUpdate(doc, payload)))
    } else if (!c.synced) {
      Y.applyUpdate(doc, payload, 'remote')
      if (type === STEP2) c.synced = true
    } else if (rec.sent.size > 0) {
      const now = performance.now()
      const meta = Y.parseUpdateMeta(payload)
      for (const [client, from] of meta.from) {
        if (client === doc.clientID) continue // y-websocket's server echoes updates to their sender
        const to = meta.to.get(client) ?? from
        if (to - from > 10000) continue
        for (let k = from; k < to; k++) {
          const t = rec.sent.get(client * 4294967296 + k)
          if (t !== undefined) rec.lat.push(now - t)
        }
      }
    }
  })
  ws.on('close', (code, reason) => {
    c.closed = true
    c.open = false
    const key = `${code} ${reason}`.trim()
    rec.closes.set(key, (rec.closes.get(key) ?? 0) + 1)
  })
  ws.on('error', () => {})
  return c
}

async function allSynced (clients, what) {
  const deadline = Date.now() + 120000
  while (Date.now() < deadline) {
    if (clients.every(c => c.synced && c.open)) return
    await sleep(20)
  }
  const n = clients.filter(c => c.synced).length
  throw new Error(`${what}: only ${n} of ${clients.length} clients synced within 120 s`)
}

function type (c, rec, n) {
  for (let i = 0; i < n; i++) {
    const clock = Y.getState(c.doc.store, c.doc.clientID)
    rec.sent.set(c.doc.clientID * 4294967296 + clock, performance.now())
    const len = c.body.length
    c.body.insert(Math.floor(Math.random() * (len + 1)), String.fromCharCode(97 + Math.floor(Math.random() * 26)))
  }
}

/** Writes the article text weft holds into the reference server's empty documents. */
function seed (pairs) {
  for (const [c, i] of pairs) {
    c.doc.transact(() => {
      c.doc.getText('title').insert(0, `Article ${i}`)
      c.body.insert(0, articleBody(i))
      c.doc.getMap('meta').set('tags', Y.Array.from(['bench']))
    })
  }
}

async function closeAll (clients) {
  for (const c of clients) { c.ws.close(); c.doc.destroy() }
  await sleep(1500)
}

// ---------- phases ----------

async function idlePhase (server) {
  global.gc?.()
  await sleep(1000)
  const before = rssKb(server.pid)
  const rec = new Recorder()
  const clients = []
  for (let i = 0; i < server.idle.length; i++) {
    clients.push(connect(server, server.idle[i], rec))
    if (i % 50 === 49) await sleep(50)
  }
  await allSynced(clients, `${server.name} idle`)
  if (!server.seeded) seed(clients.map((c, i) => [c, i]))
  await sleep(3000)
  const loaded = rssKb(server.pid)
  // A second idle connection to each document: what one connection costs on its own.
  const seconds = []
  for (let i = 0; i < server.idle.length; i++) {
    seconds.push(connect(server, server.idle[i], rec))
    if (i % 50 === 49) await sleep(50)
  }
  await allSynced(seconds, `${server.name} idle (second connections)`)
  await sleep(3000)
  const twice = rssKb(server.pid)
  await closeAll([...clients, ...seconds])
  const after = rssKb(server.pid)
  const n = server.idle.length
  const perDocKb = (loaded - before) / n
  const perConnKb = (twice - loaded) / n
  return {
    server: server.name,
    phase: 'idle',
    docs: n,
    rss_before_kb: before,
    rss_loaded_kb: loaded,
    rss_two_connections_kb: twice,
    rss_after_close_kb: after,
    per_idle_doc_kb: +perDocKb.toFixed(1),
    per_extra_connection_kb: +perConnKb.toFixed(1),
    per_doc_without_connection_kb: +(perDocKb - perConnKb).toFixed(1),
    closes: Object.fromEntries(rec.closes),
    load: loadavg()
  }
}

async function loadPhase (server, scenario, mode) {
  const rec = new Recorder()
  const rooms = scenario === 'one-article' ? [[server.one, ONE_CLIENTS]] : server.many.map(a => [a, 2])
  const clients = []
  // The reference server starts empty: the first client of each room writes the text weft's
  // articles were created with before the others join, so both servers start from the same state.
  const firsts = rooms.map(([article, n]) => Object.assign(connect(server, article, rec), { peers: n - 1 }))
  await allSynced(firsts, `${server.name} ${scenario} (first clients)`)
  server.seededScenarios ??= new Set()
  if (!server.seeded && !server.seededScenarios.has(scenario)) seed(firsts.map((c, i) => [c, i]))
  server.seededScenarios.add(scenario)
  await sleep(1000)
  clients.push(...firsts)
  for (const [article, n] of rooms) {
    for (let k = 1; k < n; k++) {
      clients.push(Object.assign(connect(server, article, rec), { peers: n - 1 }))
      if (clients.length % 50 === 0) await sleep(50)
    }
  }
  await allSynced(clients, `${server.name} ${scenario}`)
  await sleep(2000)
  rec.lat = []
  const loop = monitorEventLoopDelay({ resolution: 5 })
  loop.enable()
  const rss0 = rssKb(server.pid)
  const cpu0 = cpuSeconds(server.pid)
  const own0 = process.cpuUsage()
  const t0 = performance.now()
  let typed = 0
  let expected = 0
  let peakRss = rss0
  const timers = []
  const stopAt = t0 + SECS * 1000
  for (const c of clients) {
    const every = mode === 'steady' ? STEADY_EVERY_MS : BURST_EVERY_MS
    const n = mode === 'steady' ? 1 : BURST_CHARS
    const start = setTimeout(() => {
      const tick = () => {
        if (performance.now() >= stopAt) return
        type(c, rec, n)
        typed += n
        expected += n * c.peers
      }
      tick()
      timers.push(setInterval(tick, every))
    }, Math.random() * (mode === 'steady' ? STEADY_EVERY_MS : BURST_EVERY_MS))
    timers.push(start)
  }
  const sampler = setInterval(() => { peakRss = Math.max(peakRss, rssKb(server.pid)) }, 250)
  await sleep(SECS * 1000)
  const window = (performance.now() - t0) / 1000
  const cpu1 = cpuSeconds(server.pid)
  const own = process.cpuUsage(own0)
  for (const t of timers) { clearTimeout(t); clearInterval(t) }
  // Let what is in flight arrive (latencies keep counting), up to 10 s.
  const drainUntil = Date.now() + 10000
  while (rec.lat.length < expected && Date.now() < drainUntil) await sleep(50)
  clearInterval(sampler)
  loop.disable()
  const lat = Float64Array.from(rec.lat).sort()
  const out = {
    server: server.name,
    phase: `${scenario} ${mode}`,
    clients: clients.length,
    typed,
    updates_per_s: +(typed / window).toFixed(0),
    deliveries_expected: expected,
    deliveries_seen: lat.length,
    p50_ms: +pct(lat, 0.5).toFixed(2),
    p99_ms: +pct(lat, 0.99).toFixed(2),
    max_ms: +pct(lat, 1).toFixed(2),
    server_cpu_pct: +(100 * (cpu1 - cpu0) / window).toFixed(1),
    server_rss_kb: rss0,
    server_peak_rss_kb: peakRss,
    client_cpu_pct: +(100 * (own.user + own.system) / 1e6 / window).toFixed(1),
    client_loop_delay_p99_ms: +(loop.percentile(99) / 1e6).toFixed(1),
    closes: Object.fromEntries(rec.closes),
    load: loadavg()
  }
  rec.sent.clear()
  await closeAll(clients)
  return out
}

// ---------- main ----------

const servers = []
const cleanup = () => { for (const s of servers) { try { s.child.kill('SIGKILL') } catch {} } }
process.on('exit', cleanup)
process.on('SIGINT', () => process.exit(130))
const results = []
try {
  console.error(`starting servers; load average ${loadavg()}`)
  if (!only || only.includes('weft')) servers.push(await startWeft())
  if (!only || only.includes('y-websocket')) servers.push(await startReference())
  for (const s of servers) {
    const r = await idlePhase(s)
    console.log(JSON.stringify(r))
    results.push(r)
  }
  for (const scenario of ['one-article', 'many-articles']) {
    for (const mode of ['steady', 'burst']) {
      for (const s of servers) {
        const r = await loadPhase(s, scenario, mode)
        console.log(JSON.stringify(r))
        results.push(r)
      }
    }
  }
} finally {
  cleanup()
  for (const s of servers) if (s.dir) fs.rmSync(s.dir, { recursive: true, force: true })
}

// Markdown summary with weft / y-websocket ratios.
const by = (server, phase) => results.find(r => r.server === server && r.phase === phase)
const ratio = (a, b) => (a && b && b !== 0 ? (a / b).toFixed(2) : 'n/a')
console.log('\n| scenario | server | updates/s | deliveries seen/expected | p50 ms | p99 ms | max ms | server CPU % | server RSS MB (peak) | client loop p99 ms |')
console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|')
for (const r of results.filter(r => r.phase !== 'idle')) {
  console.log(`| ${r.phase} | ${r.server} | ${r.updates_per_s} | ${r.deliveries_seen}/${r.deliveries_expected} | ${r.p50_ms} | ${r.p99_ms} | ${r.max_ms} | ${r.server_cpu_pct} | ${(r.server_peak_rss_kb / 1024).toFixed(1)} | ${r.client_loop_delay_p99_ms} |`)
}
console.log('\n| scenario | p50 weft/y-websocket | p99 weft/y-websocket | CPU weft/y-websocket |')
console.log('|---|---:|---:|---:|')
for (const phase of [...new Set(results.filter(r => r.phase !== 'idle').map(r => r.phase))]) {
  const w = by('weft', phase); const y = by('y-websocket', phase)
  console.log(`| ${phase} | ${ratio(w?.p50_ms, y?.p50_ms)} | ${ratio(w?.p99_ms, y?.p99_ms)} | ${ratio(w?.server_cpu_pct, y?.server_cpu_pct)} |`)
}
console.log('\n| server | idle docs | RSS before MB | RSS loaded MB | + 2nd connection MB | KB per idle document (with its one connection) | KB per extra connection | KB per document alone |')
console.log('|---|---:|---:|---:|---:|---:|---:|---:|')
for (const r of results.filter(r => r.phase === 'idle')) {
  console.log(`| ${r.server} | ${r.docs} | ${(r.rss_before_kb / 1024).toFixed(1)} | ${(r.rss_loaded_kb / 1024).toFixed(1)} | ${(r.rss_two_connections_kb / 1024).toFixed(1)} | ${r.per_idle_doc_kb} | ${r.per_extra_connection_kb} | ${r.per_doc_without_connection_kb} |`)
}
const wi = by('weft', 'idle'); const yi = by('y-websocket', 'idle')
if (wi && yi) console.log(`\nmemory per idle document, weft/y-websocket: ${ratio(wi.per_idle_doc_kb, yi.per_idle_doc_kb)}`)
console.log(`load average at the end: ${loadavg()}`)
