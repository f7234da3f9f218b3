// soak.test.mjs — a bounded soak: several concurrent clients run a mixed
// workload against the demo data (catalogue lists with filters, search,
// availability, booking, approve/decline/cancel, feeds with and without
// If-None-Match, statistics, signing in and out) for SOAK_SECONDS (default
// 90). No answer may be a 5xx or an unexpected 4xx; the server's resident
// memory, sampled every few seconds, must stay flat after a warm-up (the
// rule is at the end); and on SIGTERM it must exit 0 with no sanitizer or
// leak report (lib.mjs stop()).
//
// Run longer before a release: SOAK_SECONDS=3600 node --test tests/http/soak.test.mjs
// (LABSHARE_BIN=build-asan/labshare for the sanitizer build, as ./dev test does).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { startServer, Client, addUser, DEMO_PASSWORD } from './lib.mjs';

const SECONDS = Number(process.env.SOAK_SECONDS || 90);
const SAMPLE_MS = 3000;
// civetweb's worker threads (128 by default). Fewer warm up sooner: under
// ASan each thread keeps allocator caches of its own, which fill as that
// thread first works and look like growth. Not too few: a keep-alive
// connection holds a thread, and with the clients' pooled sockets above the
// thread count civetweb closes idle ones that a client may be reusing at
// that instant (8 threads gave a rare "fetch failed").
const THREADS = process.env.SOAK_THREADS || '32';

const rnd = (n) => Math.floor(Math.random() * n);
const pick = (a) => a[rnd(a.length)];
const pad = (n) => String(n).padStart(2, '0');
function day(n) {
  const d = new Date();
  const today = ((d.getUTCDay() + 6) % 7) + 1;
  d.setUTCDate(d.getUTCDate() + (8 - today) + n);
  return d.toISOString().slice(0, 10);
}

// A request that fails below HTTP (a pooled keep-alive socket the server
// closed as the client reused it: seen a few times under ./dev test's
// parallel load, never alone) is counted and printed, not thrown; a crashed
// server still fails the test at stop().
const netErrors = [];
class SoakClient extends Client {
  async req(...args) {
    try {
      return await super.req(...args);
    } catch (e) {
      netErrors.push(`${args[0]} ${String(args[1]).split('?')[0]}: ${e.cause?.code || e.cause?.message || e.message}`);
      return { status: 0, headers: new Headers(), text: '', json: null };
    }
  }
}

function rss(pid) {
  const r = spawnSync('ps', ['-o', 'rss=', '-p', String(pid)], { encoding: 'utf8' });
  return Number(r.stdout.trim()) / 1024; // MiB
}

test(`soak: ${SECONDS} s of mixed load, no 5xx, flat memory, clean exit`, { timeout: (SECONDS + 120) * 1000 }, async (t) => {
  // Under ASan, the sanitizer's own memory must not pass for the server's
  // (ignored by the plain build):
  // - quarantine_size_mb=16: ASan holds freed memory back to catch use
  //   after free, 256 MB by default, which would fill during the soak;
  // - thread_local_quarantine_size_kb=64: each thread's share of it before
  //   it moves to the global one, 1 MB by default: 32 MB more with 32
  //   workers, filling as each thread first works;
  // - fast_unwind_on_malloc=0, malloc_context_size=10: ASan records a stack
  //   per malloc and free, and the frame-pointer walk goes astray in
  //   Debian's libraries (SQLite, libical, civetweb: built without frame
  //   pointers), recording ever new garbage stacks (380,000 stacks, 20 MB
  //   in 90 s, without end); unwinding by DWARF gives some 3,500 stacks,
  //   all real, at about half the request rate.
  const asan = [process.env.ASAN_OPTIONS, 'quarantine_size_mb=16', 'thread_local_quarantine_size_kb=64',
    'fast_unwind_on_malloc=0', 'malloc_context_size=10', 'detect_leaks=1'].filter(Boolean).join(':');
  const srv = await startServer({ demo: true, env: { ASAN_OPTIONS: asan, LABSHARE_SYNC: 'full', LABSHARE_THREADS: THREADS } });
  let stopped = false;
  t.after(() => { if (!stopped) srv.child.kill('SIGKILL'); }); // a failed assertion must not leave it running
  const sql = (q) => {
    const r = spawnSync('sqlite3', ['-cmd', '.timeout 10000', srv.db, q], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.trim();
  };
  // Two 24/7 resources of the soak's own (one confirmed at once, one by
  // approval) so that bookings never meet opening hours or training rules.
  const labId = Number(sql('SELECT min(id) FROM labs;'));
  const orgId = Number(sql(`SELECT organisation_id FROM labs WHERE id = ${labId};`));
  // The feeds subscribe to a third one, in a lab of its own, that changes
  // about once a second: a feed keeps cancelled bookings for 30 days, so
  // feeds of the two busy resources (some 27 cancellations a second) would
  // grow by some 16 KiB of text a second, and the soak would measure that
  // data growing, not the server's memory.
  sql(`INSERT INTO labs(organisation_id, name, kind, area_m2, created, updated)
         VALUES (${orgId}, 'Soak feeds', 'scientific', 10, 0, 0);
       INSERT INTO resources(lab_id, type, name, category, shared, requires_approval, requires_training, created, updated) VALUES
         (${labId}, 'instrument', 'Soak auto', 'soak', 1, 0, 0, 0, 0),
         (${labId}, 'instrument', 'Soak approval', 'soak', 1, 1, 0, 0, 0),
         ((SELECT max(id) FROM labs), 'instrument', 'Soak feed', 'soak-feed', 1, 0, 0, 0, 0);
       WITH RECURSIVE d(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM d WHERE n < 7)
         INSERT INTO opening_hours(resource_id, weekday, open_min, close_min)
         SELECT r.id, d.n, 0, 1440 FROM d, resources r WHERE r.category IN ('soak', 'soak-feed');`);
  const soakRes = sql("SELECT id FROM resources WHERE category = 'soak' ORDER BY id;").split('\n').map(Number);
  const feedRes = Number(sql("SELECT id FROM resources WHERE category = 'soak-feed';"));
  const feedLab = Number(sql(`SELECT lab_id FROM resources WHERE id = ${feedRes};`));
  const allRes = sql('SELECT id FROM resources;').split('\n').map(Number);
  const labs = sql('SELECT id FROM labs;').split('\n').map(Number);
  const orgs = sql('SELECT id FROM organisations;').split('\n').map(Number);
  const researchers = [];
  for (let i = 0; i < 4; i++) {
    const email = `soak${i}@soak.test`;
    addUser(srv, { email, role: 'researcher', organisation: orgId });
    researchers.push(email);
  }

  const counts = {};
  const failures = [];
  const note = (what, r, ok) => {
    counts[what] = (counts[what] || 0) + 1;
    if (r.status === 0) return; // in netErrors
    if (r.status >= 500 || !ok.includes(r.status)) {
      failures.push(`${what}: ${r.status} ${r.text.slice(0, 200)}`);
    }
  };
  const deadline = Date.now() + SECONDS * 1000;
  const bookings = []; // {id, owner client}
  const feedBookings = []; // the same, on feedRes
  const year = new Date().getUTCFullYear();

  async function browse(c) {
    const f = pick([
      `/api/v1/resources?type=${pick(['room', 'instrument', 'desk'])}`,
      `/api/v1/resources?q=${encodeURIComponent(pick(['confocal', 'mikroskop', 'NMR', 'desk', 'zzz', 'BSL-2']))}`,
      `/api/v1/resources?organisation_id=${pick(orgs)}&limit=5`,
      `/api/v1/resources?lab_id=${pick(labs)}`,
      `/api/v1/resources?free_from=${day(3)}T10:00:00&free_to=${day(3)}T12:00:00&offset=${rnd(40)}`,
      `/api/v1/labs?organisation_id=${pick(orgs)}`,
      `/api/v1/labs?q=lab`,
      '/api/v1/organisations',
      `/api/v1/organisations/${pick(orgs)}`,
      `/api/v1/resources/${pick(allRes)}`,
      `/api/v1/labs/${pick(labs)}`,
      '/api/v1/services?q=analysis',
      `/api/v1/resources/${pick(allRes)}/availability?from=${day(rnd(10))}T00:00:00`,
      '/api/v1/bookings?mine=1',
      `/api/v1/bookings?status=${pick(['pending', 'approved', 'cancelled'])}&from=${day(0)}T00:00:00`,
      '/api/v1/me',
      '/api/v1/feeds',
    ]);
    note('browse', await c.get(f), [200]);
  }

  async function book(c, list = bookings, resources = soakRes) {
    // Two weeks of slots: they fill within the warm-up, after which most
    // requests are 409 and cancels make room, so the data stops growing
    // much and memory can be judged on a steady workload.
    const date = day(rnd(14));
    const h = 7 + rnd(12);
    const len = 1 + rnd(3);
    const r = await c.post('/api/v1/bookings', {
      resource_id: pick(resources), start: `${date}T${pad(h)}:00:00`, end: `${date}T${pad(h + len)}:00:00`, purpose: 'soak',
    });
    note('book', r, [201, 409]);
    if (r.status === 201) list.push({ id: r.json.id, c });
  }

  async function cancelOwn(c, list = bookings, resources = soakRes) {
    const mine = list.filter((b) => b.c === c);
    if (mine.length === 0) return book(c, list, resources);
    const b = pick(mine);
    list.splice(list.indexOf(b), 1);
    // 409 when staff declined it meanwhile.
    note('cancel', await c.post(`/api/v1/bookings/${b.id}/cancel`, {}), [200, 409]);
  }

  async function feed(c, state) {
    if (!state.feed) {
      const r = await c.post('/api/v1/feeds', rnd(2) ? { scope: 'resource', id: feedRes } : { scope: 'lab', id: feedLab });
      note('feed-create', r, [201]);
      if (r.status !== 201) return;
      state.feed = new URL(r.json.url).pathname;
    }
    const plain = new SoakClient(c.base);
    const r = await plain.get(state.feed);
    note('feed', r, [200]);
    const etag = r.headers.get('etag');
    if (etag) note('feed-etag', await plain.get(state.feed, { headers: { 'if-none-match': etag } }), [200, 304]);
  }

  async function relogin(c, email, password) {
    note('sign-out', await c.del('/api/v1/session'), [204]);
    const r = await c.post('/api/v1/session', { email, password });
    note('sign-in', r, [200]);
    if (r.status === 200) c.csrf = r.json.csrf;
  }

  async function researcher(email) {
    const c = new SoakClient(srv.url);
    await c.login(email);
    const state = {};
    while (Date.now() < deadline) {
      const x = Math.random() * 100;
      if (x < 45) await browse(c);
      else if (x < 75) await book(c);
      else if (x < 85) await cancelOwn(c);
      else if (x < 97) await feed(c, state);
      // The feeds' resource: about one change a second, so feeds re-render.
      else if (x < 97.5) await (rnd(2) ? book(c, feedBookings, [feedRes]) : cancelOwn(c, feedBookings, [feedRes]));
      else await relogin(c, email, 'correct horse battery');
    }
  }

  async function staff() {
    const c = new SoakClient(srv.url);
    await c.login('staff@labshare.demo', DEMO_PASSWORD);
    while (Date.now() < deadline) {
      const x = rnd(100);
      if (x < 40) {
        const r = await c.get(`/api/v1/bookings?resource_id=${soakRes[1]}&status=pending&limit=20`);
        note('pending', r, [200]);
        const items = r.json?.items || [];
        if (items.length) {
          const b = pick(items);
          // 409: it now conflicts, or a researcher cancelled it meanwhile.
          if (rnd(3)) note('approve', await c.post(`/api/v1/bookings/${b.id}/approve`, {}), [200, 409]);
          else note('decline', await c.post(`/api/v1/bookings/${b.id}/decline`, { reason: 'soak' }), [200, 409]);
        }
      } else if (x < 60) {
        note('utilisation', await c.get(`/api/v1/stats/utilisation?from=${day(-30)}T00:00:00&to=${day(30)}T00:00:00&group_by=${pick(['resource', 'lab', 'organisation', 'group', 'kind'])}`), [200]);
      } else if (x < 70) {
        note('indicators', await c.get(`/api/v1/stats/indicators?year=${year}`), [200]);
      } else if (x < 75) {
        note('users', await c.get('/api/v1/users?limit=10'), [200]);
      } else if (x < 80) {
        note('audit', await c.get('/api/v1/audit?limit=10'), [200]);
      } else if (x < 83) {
        await relogin(c, 'staff@labshare.demo', DEMO_PASSWORD);
      } else {
        await browse(c);
      }
    }
  }

  // RSS from ps, and the heap the server's code holds from its staff-only
  // diagnostics (glibc's bytes in use, or ASan's allocator count, less what
  // SQLite holds), sampled together. A sample that fails below HTTP is
  // skipped. SQLite's part is its page caches filling as the database grows
  // (the bookings' covering list index makes it grow faster): judged apart,
  // against its bounds, not as a leak of the server's code.
  const samples = [];
  const heap = [];
  const dbHeap = [];
  let heapSource = '';
  const diag = new SoakClient(srv.url);
  await diag.login('staff@labshare.demo', DEMO_PASSWORD);
  const sample = async () => {
    samples.push(rss(srv.child.pid));
    const d = await diag.get('/api/v1/diagnostics');
    if (d.status === 200) {
      heap.push((d.json.heap_in_use_bytes - d.json.database_heap_bytes) / 1048576);
      dbHeap.push(d.json.database_heap_bytes / 1048576);
      heapSource = d.json.heap_source;
    }
  };
  const sampler = setInterval(sample, SAMPLE_MS);
  try {
    await Promise.all([...researchers.map(researcher), staff(), staff()]);
  } finally {
    clearInterval(sampler);
  }
  await sample();
  t.diagnostic(`requests: ${JSON.stringify(counts)}`);
  t.diagnostic(`RSS MiB every ${SAMPLE_MS / 1000} s: ${samples.map((s) => s.toFixed(1)).join(' ')}`);
  t.diagnostic(`heap in use MiB (${heapSource}): ${heap.map((s) => s.toFixed(1)).join(' ')}`);
  t.diagnostic(`requests that failed below HTTP: ${netErrors.length} ${netErrors.slice(0, 5).join('; ')}`);
  assert.deepEqual(failures.slice(0, 20), [], `${failures.length} unexpected answers`);
  assert.ok(netErrors.length <= 5, `${netErrors.length} requests failed below HTTP`);
  for (const k of ['browse', 'book', 'feed', 'approve', 'utilisation', 'sign-in']) assert.ok(counts[k] > 0, `no ${k} ran`);

  // Memory must be flat after a warm-up. The first quarter of the samples
  // is the warm-up (page caches, the answer and feed caches, malloc's
  // arenas, civetweb's threads); the rest is cut in thirds, and the mean of
  // the last third must stay within 10 % of the mean of the middle third.
  // Bounded caches fill before that (they are capped: tests/README.md,
  // "Soak memory note") and the data grows little (the feeds' resource
  // changes about once a second, and its cancelled bookings stay in its
  // feeds for 30 days: ~1 KB a second), whereas a leak or an unbounded
  // structure grows with time and fails: at 90 s the thirds' middles are
  // some 22 s apart, and 10 % of the plain build's ~28 MiB is ~0.13 MiB/s,
  // some 200 bytes per request at ~800 a second (a leak of 256 bytes per
  // request, tried, fails at +17 %). The first third is printed for
  // comparison, not judged. Under ASan the same rule holds with the options
  // above; LeakSanitizer at exit (stop()) catches what is unreachable.
  //
  // The rule is applied to the heap the server's code holds (exact under
  // both builds, and blind to the allocator's caching) and to RSS. Under ASan, RSS also carries the sanitizer's
  // own allocator (per-thread caches, quarantine, stack records), which
  // still creeps some 0.2 MiB/s at 90 s while the heap stays flat, so there
  // RSS gets 20 %: a ceiling against runaway growth, with the heap as the
  // exact measure.
  const pct = (a, b) => `${(100 * (b - a) / a).toFixed(1)} %`;
  const flat = (what, series, limit, slackMiB = 0) => {
    const warm = series.slice(Math.floor(series.length / 4));
    const third = Math.max(1, Math.floor(warm.length / 3));
    const mean = (a) => a.reduce((x, y) => x + y, 0) / a.length;
    const first = mean(warm.slice(0, third));
    const middle = mean(warm.slice(third, Math.max(third + 1, warm.length - third)));
    const last = mean(warm.slice(-third));
    t.diagnostic(`${what} after warm-up: thirds ${first.toFixed(1)}, ${middle.toFixed(1)}, ${last.toFixed(1)} MiB ` +
      `(last over middle ${pct(middle, last)}, over first ${pct(first, last)})`);
    assert.ok(last < middle * limit || last - middle < slackMiB, `${what} grew from ${middle.toFixed(1)} to ${last.toFixed(1)} MiB (${pct(middle, last)}) after warm-up`);
  };
  assert.ok(heap.length >= samples.length - 5, `only ${heap.length} of ${samples.length} diagnostics samples answered`);
  // The heap is small (~8 MiB) and each sample catches whatever requests
  // are in flight (±1.5 MiB), so it may also move by 2 MiB: a leak of 256
  // bytes a request still moves it 2–4 MiB between the thirds' middles.
  flat('heap in use', heap, 1.1, 2);
  // SQLite's caches: 1 MB for each of at most 8 pooled connections, 16 MB
  // the writer's, and some for schemas and statements.
  t.diagnostic(`SQLite's part MiB: ${dbHeap.map((s) => s.toFixed(1)).join(' ')}`);
  assert.ok(Math.max(...dbHeap) < 8 + 16 + 8, `SQLite held ${Math.max(...dbHeap).toFixed(1)} MiB`);
  flat('RSS', samples, heapSource === 'asan' ? 1.2 : 1.1);

  stopped = true;
  await srv.stop();
});
