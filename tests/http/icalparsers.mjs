// icalparsers.mjs — every calendar the tests fetch, parsed back by four
// independent readers: ical.js (Thunderbird's), libical (build/icalcheck,
// Evolution's and KDE's), python-icalendar and vobject (Debian packages;
// Python calendar servers and tools). Each must read the file without a
// warning and find the same events at the same instants, DST weeks and
// the repeated October hour included.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import ICAL from 'ical.js';
import { BIN, ROOT } from './lib.mjs';

const ICALCHECK = join(dirname(BIN), 'icalcheck');
const PY = '/usr/bin/python3'; // Debian's, with python3-icalendar and python3-vobject

/** ical.js: {uid: [start, end]} in UTC seconds, resolving with the file's VTIMEZONEs. */
function withIcalJs(text) {
  const comp = new ICAL.Component(ICAL.parse(text));
  for (const tz of comp.getAllSubcomponents('vtimezone')) ICAL.TimezoneService.register(tz);
  const out = {};
  for (const v of comp.getAllSubcomponents('vevent')) {
    const e = new ICAL.Event(v);
    out[e.uid] = [e.startDate.toUnixTime(), e.endDate.toUnixTime()];
  }
  return out;
}

/**
 * Parses each text with the four readers and asserts they agree.
 * Returns the events as ical.js read them ({uid: [start, end]}), one map per text.
 */
export function parseEverywhere(texts, what = 'calendar') {
  assert.ok(existsSync(ICALCHECK), `${ICALCHECK} missing: build the tree with meson first`);
  const dir = mkdtempSync(join(tmpdir(), 'labshare-ical-'));
  try {
    const files = texts.map((t, i) => {
      const f = join(dir, `${i}.ics`);
      writeFileSync(f, t);
      return f;
    });
    const py = spawnSync(PY, [join(ROOT, 'tests', 'http', 'icalcheck.py'), ...files], { encoding: 'utf8' });
    assert.equal(py.status, 0, `python-icalendar/vobject refused a ${what}: ${py.stderr}`);
    const pyOut = JSON.parse(py.stdout);
    return texts.map((t, i) => {
      const js = withIcalJs(t);
      const lib = spawnSync(ICALCHECK, [], { input: t, encoding: 'utf8' });
      assert.equal(lib.status, 0, `libical refused a ${what}: ${lib.stderr}`);
      const libOut = {};
      for (const line of lib.stdout.split('\n').filter(Boolean)) {
        const e = JSON.parse(line);
        libOut[e.uid] = [e.start, e.end];
      }
      assert.deepEqual(libOut, js, `libical and ical.js disagree on a ${what}`);
      assert.deepEqual(pyOut[i].icalendar, js, `python-icalendar and ical.js disagree on a ${what}`);
      assert.deepEqual(pyOut[i].vobject, js, `vobject and ical.js disagree on a ${what}`);
      return js;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
