// lib.mjs — the HTTP test driver: starts the real labshare binary on an
// ephemeral loopback port with a temporary database, and a small client that
// keeps the session cookie and CSRF token like a browser would.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = process.env.LABSHARE_BIN || join(ROOT, 'build', 'labshare');
export const PASSWORD = 'correct horse battery';
export const DEMO_PASSWORD = 'lifescience-demo';

// Cheap argon2 in tests (the unit tests cover the production cost).
const baseEnv = {
  ...process.env,
  LABSHARE_ARGON2_MEMLIMIT: '65536',
  LABSHARE_TZ: 'Europe/Warsaw',
  LABSHARE_SYNC: 'normal',
  // The command line writes for people in the locale's language; the tests
  // read its English (core.test.mjs checks the Polish), whatever this
  // machine's locale.
  LC_ALL: 'C.UTF-8',
};

// The PostgreSQL pass of ./dev test sets LABSHARE_TEST_PG to the admin URI
// of a throwaway cluster (tests/pg/cluster): each server then gets a new
// database of its own there instead of a file, and tests/pg/bin/sqlite3
// answers the tests' sqlite3 calls on it.
const PG_ADMIN = process.env.LABSHARE_TEST_PG || '';
export const ENGINE = PG_ADMIN ? 'postgresql' : 'sqlite';
let databases = 0;

/** A new empty database: a file in dir (SQLite) or a database of the test cluster. */
export function newDatabase(dir, engine = ENGINE) {
  if (engine !== 'postgresql') return join(dir, 'test.db');
  assert.ok(PG_ADMIN, 'the PostgreSQL pass needs LABSHARE_TEST_PG (tests/pg/cluster start)');
  const name = `t${process.pid}_${++databases}_${Math.random().toString(36).slice(2, 8)}`;
  const r = spawnSync('psql', ['-X', '-q', PG_ADMIN, '-c', `CREATE DATABASE ${name}`], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return PG_ADMIN.replace(/\/[^/?]*(\?|$)/, `/${name}$1`);
}

/**
 * The same PostgreSQL database reached through the cluster's Unix socket, as
 * a node on the database's own machine is set up (README, "More than one node").
 */
export function overSocket(uri) {
  const r = spawnSync('psql', ['-X', '-Atq', uri, '-c', 'SHOW unix_socket_directories'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const u = new URL(uri);
  const folder = r.stdout.trim().split(',')[0];
  return `postgresql://${u.username}@/${u.pathname.slice(1)}?host=${encodeURIComponent(folder)}&port=${u.port}`;
}

/** Drops a database newDatabase() made on the test cluster (a file goes with its folder). */
export function dropDatabase(db) {
  const m = /^postgres(?:ql)?:\/\/[^/]*\/([^?]+)/.exec(db);
  if (!m || !PG_ADMIN) return;
  spawnSync('psql', ['-X', '-q', PG_ADMIN, '-c', `DROP DATABASE IF EXISTS ${m[1]} WITH (FORCE)`], { encoding: 'utf8' });
}

/** Runs the CLI synchronously; returns {status, stdout, stderr}. */
export function cli(args, { input, env = {} } = {}) {
  const r = spawnSync(BIN, args, { input, env: { ...baseEnv, ...env }, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Starts a server. With demo: true the demo data is loaded first.
 * Returns {url, db, dir, stop(), stderr()}; stop() sends SIGTERM, waits, and
 * asserts a clean exit with no sanitizer report.
 */
export async function startServer({ demo = false, env = {}, args = [], engine = ENGINE, db: given } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'labshare-http-'));
  const db = given || newDatabase(dir, engine);
  if (demo) {
    const r = cli(['demo', '--db', db], { env });
    assert.equal(r.status, 0, `demo failed: ${r.stderr}`);
  }
  const child = spawn(BIN, ['serve', '--db', db, '--listen', '127.0.0.1:0', '--www', join(ROOT, 'www'), ...args], {
    env: { ...baseEnv, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; if (process.env.LABSHARE_TEST_SERVER_LOG) process.stderr.write(d); });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${stderr}`)), 15000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/127\.0\.0\.1:\d+)\//);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`server exited ${code}: ${stderr}`)); });
  });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return {
    url, db, dir, child,
    stderr: () => stderr,
    async stop({ keep = false } = {}) {
      child.kill('SIGTERM');
      const { code, signal } = await exited;
      assert.equal(signal, null, `server died by ${signal}\n${stderr}`);
      assert.equal(code, 0, `server exit code ${code}\n${stderr}`);
      assert.doesNotMatch(stderr, /ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:/, stderr);
      if (!keep) {
        rmSync(dir, { recursive: true, force: true });
        if (!given) dropDatabase(db);
      }
    },
  };
}

/** Adds a user through the CLI (as an operator would); returns its id. */
export function addUser(srv, { email, name = 'Test Person', role = 'researcher', organisation, password = PASSWORD }) {
  const args = ['user', 'add', '--db', srv.db, '--email', email, '--name', name, '--role', role, '--password-stdin'];
  if (organisation) args.push('--organisation', String(organisation));
  const r = cli(args, { input: password + '\n' });
  assert.equal(r.status, 0, r.stderr);
  return Number(r.stdout.match(/created user (\d+)/)[1]);
}

/** Fails (rather than hangs) when `promise` takes longer than `ms`. */
export function within(ms, promise) {
  let timer;
  const late = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms); });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/**
 * Polls `check` (sync or async) until it returns a truthy value, which is
 * returned; fails after `timeout` ms. Only for a state that no event
 * announces (a row the server writes after an SMTP dialogue, say): wherever
 * there is an event or a response to wait for, wait for that instead.
 */
export async function eventually(check, { timeout = 15000, what = 'the condition' } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`${what} did not hold within ${timeout} ms`);
    await new Promise((res) => setTimeout(res, 50));
  }
}

/** Runs SQL on a database file with the sqlite3 CLI; the trimmed output.
 * Waits for a running server's writers rather than failing busy. */
export function sqlite(db, q) {
  const r = spawnSync('sqlite3', ['-batch', '-cmd', '.timeout 10000', db, q], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

/** One sqlite3 process kept open for many queries: a test that reads the
 * database after every request pays a process start once, not each time.
 * Each statement runs on its own (autocommit), so no read snapshot is held
 * between queries. */
export class SqliteShell {
  constructor(db) {
    this.proc = spawn('sqlite3', ['-batch', '-bail', '-cmd', '.timeout 10000', db], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.out = '';
    this.err = '';
    this.waiting = null;
    this.n = 0;
    this.proc.stdout.setEncoding('utf8');
    this.proc.stderr.setEncoding('utf8');
    this.proc.stdout.on('data', (d) => { this.out += d; this.check(); });
    this.proc.stderr.on('data', (d) => { this.err += d; this.check(); });
    this.proc.on('exit', (code) => { this.err ||= `sqlite3 exited with ${code}`; this.check(); });
  }

  check() {
    const w = this.waiting;
    if (!w) return;
    if (this.err) {
      this.waiting = null;
      w.reject(new Error(this.err));
      return;
    }
    const at = this.out.indexOf(w.mark);
    if (at < 0) return;
    const text = this.out.slice(0, at);
    this.out = this.out.slice(at + w.mark.length);
    this.waiting = null;
    w.resolve(text.trim());
  }

  /** The output of `q` (one statement or several), as sqlite() gives it. */
  query(q) {
    assert.equal(this.waiting, null, 'one query at a time');
    const mark = `__labshare_end_${++this.n}__\n`;
    return new Promise((resolve, reject) => {
      this.waiting = { mark, resolve, reject };
      this.proc.stdin.write(`${q.trim().replace(/;$/, '')};\nSELECT '${mark.trim()}';\n`);
    });
  }

  close() {
    this.proc.stdin.end();
    return new Promise((resolve) => (this.proc.exitCode !== null ? resolve() : this.proc.on('exit', resolve)));
  }
}

/** The date (YYYY-MM-DD) of ISO weekday `weekday` (1 = Monday) in the week
 * `weeks` after next week: always ahead and never today, so tests keep
 * working as the calendar moves on. */
export function futureDay(weeks, weekday = 1) {
  const d = new Date();
  const today = ((d.getUTCDay() + 6) % 7) + 1;
  d.setUTCDate(d.getUTCDate() + (8 - today) + 7 * weeks + (weekday - 1));
  return d.toISOString().slice(0, 10);
}

/** A site-local wall time, as the API reads a time without an offset. */
export const localAt = (date, hm) => `${date}T${hm}:00`;

/**
 * Everything the database holds, as bytes, for checks that a secret is
 * nowhere in it: SQLite's file and its write-ahead log (old frames too); on
 * PostgreSQL a full pg_dump of the database (its files are the cluster's,
 * shared by every test).
 */
export function databaseBytes(db) {
  if (/^postgres(ql)?:/.test(db)) {
    const r = spawnSync('pg_dump', ['--no-owner', db], { maxBuffer: 1 << 28 });
    assert.equal(r.status, 0, String(r.stderr));
    return r.stdout;
  }
  return Buffer.concat([db, db + '-wal'].filter((f) => existsSync(f)).map((f) => readFileSync(f)));
}

/**
 * The engine's own consistency check of a database: 'ok', or what it found.
 * SQLite: integrity_check and foreign_key_check. PostgreSQL enforces keys
 * and constraints at every statement; what could be left broken is a
 * constraint or index it has not validated.
 */
export function integrity(db) {
  if (!/^postgres(ql)?:/.test(db)) {
    const found = sqlite(db, 'PRAGMA integrity_check; PRAGMA foreign_key_check;');
    return found;
  }
  const bad = sqlite(db, `SELECT 'constraint ' || conname FROM pg_constraint WHERE NOT convalidated
    UNION ALL SELECT 'index ' || indexrelid::regclass::text FROM pg_index WHERE NOT indisvalid OR NOT indisready`);
  return bad || 'ok';
}

/**
 * fetch, sent a second time when the server had already closed the pooled
 * keep-alive socket it went out on. The server drops idle connections after
 * 3 s; a test that blocks Node's event loop (spawnSync of the CLI, sqlite3)
 * keeps undici from noticing, and the next request then meets a socket
 * closed before a byte of it was read — the request never ran, so sending
 * it again is safe for every method. Any other failure is thrown as is.
 */
const nativeFetch = globalThis.fetch;
export async function fetchOnce(url, init) {
  try {
    return await nativeFetch(url, init);
  } catch (e) {
    const code = e?.cause?.code;
    if (code !== 'UND_ERR_SOCKET' && code !== 'ECONNRESET') throw e;
    return nativeFetch(url, init);
  }
}

// On the PostgreSQL pass the tests' SQL goes through `labshare sql`, slower
// than sqlite3, so it blocks the event loop past the server's keep-alive more
// often: there every fetch of the tests (the raw ones of feeds and single
// sign-on too) is fetchOnce.
if (PG_ADMIN) globalThis.fetch = fetchOnce;

/** A browser-like client: cookie jar of one session cookie plus the CSRF token. */
export class Client {
  constructor(base) { this.base = base; this.cookie = null; this.csrf = null; this.user = null; }

  async login(email, password = PASSWORD) {
    const r = await this.post('/api/v1/session', { email, password });
    assert.equal(r.status, 200, `login ${email}: ${r.text}`);
    this.csrf = r.json.csrf;
    this.user = r.json.user;
    return r;
  }

  /** Raw request. body: object (sent as JSON), string (sent as is) or undefined. */
  async req(method, path, body, { headers = {}, csrf = true, signal } = {}) {
    const h = { ...headers };
    if (this.cookie) h.cookie = this.cookie;
    if (csrf && this.csrf && !['GET', 'HEAD'].includes(method)) h['x-csrf-token'] = this.csrf;
    let payload;
    if (body !== undefined) {
      payload = typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body);
      if (!('content-type' in h)) h['content-type'] = 'application/json';
    }
    const res = await fetchOnce(this.base + path, { method, headers: h, body: payload, redirect: 'manual', signal });
    const set = res.headers.get('set-cookie');
    if (set) {
      const m = set.match(/labshare_session=([^;]*)/);
      if (m) this.cookie = m[1] ? `labshare_session=${m[1]}` : null;
    }
    const text = method === 'HEAD' ? '' : await res.text();
    let json = null;
    if ((res.headers.get('content-type') || '').startsWith('application/json') && text) {
      try { json = JSON.parse(text); } catch { json = null; }
    }
    return { status: res.status, headers: res.headers, text, json };
  }

  get(path, opts) { return this.req('GET', path, undefined, opts); }
  post(path, body, opts) { return this.req('POST', path, body ?? {}, opts); }
  patch(path, body, opts) { return this.req('PATCH', path, body, opts); }
  put(path, body, opts) { return this.req('PUT', path, body, opts); }
  del(path, opts) { return this.req('DELETE', path, undefined, opts); }
}

/** Asserts an API error shape with the given status, code and (optional) field. */
export function assertError(r, status, code, field) {
  assert.equal(r.status, status, `expected ${status} ${code}, got ${r.status}: ${r.text}`);
  assert.ok(r.json, `error body is not JSON: ${r.text}`);
  assert.equal(r.json.error, code, r.text);
  assert.equal(typeof r.json.message, 'string');
  if (field !== undefined) assert.equal(r.json.field, field, r.text);
}

/** RFC 4180 with a given separator: quoted fields, doubled quotes, CRLF records. */
export function parseCsv(text, sep = ',') {
  const rows = [];
  let row = [], f = '', i = 0, quoted = false;
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { f += '"'; i += 2; continue; }
      if (c === '"') { quoted = false; i++; continue; }
      f += c; i++; continue;
    }
    if (c === '"') { quoted = true; i++; continue; }
    if (c === sep) { row.push(f); f = ''; i++; continue; }
    if (c === '\r' && text[i + 1] === '\n') { row.push(f); rows.push(row); row = []; f = ''; i += 2; continue; }
    assert.notEqual(c, '\n', 'bare LF in CSV');
    f += c; i++;
  }
  assert.equal(f, '', 'last record must end with CRLF');
  return rows;
}
