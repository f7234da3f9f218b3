// localtime.test.mjs — the browser's site-time arithmetic (www/js/localtime.js),
// run in node: DST gap and overlap, week layout across the changes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as lt from '../../www/js/localtime.js';

const iso = (d) => d.toISOString();

test('zonedParts reads Warsaw wall time and offset whatever the process zone', () => {
  const p = lt.zonedParts(new Date('2026-11-24T09:00:00Z'));
  assert.deepEqual([p.year, p.month, p.day, p.hour, p.minute, p.weekday, p.offset], [2026, 11, 24, 10, 0, 2, 60]);
  const s = lt.zonedParts(new Date('2026-07-01T22:30:00Z'));
  assert.deepEqual([s.month, s.day, s.hour, s.minute, s.weekday, s.offset], [7, 2, 0, 30, 4, 120]);
});

test('localToInstant: ordinary times in winter and summer', () => {
  assert.equal(iso(lt.localToInstant(2026, 11, 24, 10, 0)), '2026-11-24T09:00:00.000Z');
  assert.equal(iso(lt.localToInstant(2026, 7, 1, 10, 0)), '2026-07-01T08:00:00.000Z');
  // Month/day overflow normalises like Date.UTC.
  assert.equal(iso(lt.localToInstant(2026, 12, 32, 0, 0)), '2026-12-31T23:00:00.000Z');
});

test('29 March 2026 02:30 does not exist: error; the hour around the gap does', () => {
  assert.throws(() => lt.localToInstant(2026, 3, 29, 2, 30), (e) => e instanceof lt.LocalTimeError && e.code === 'nonexistent');
  assert.throws(() => lt.localToInstant(2026, 3, 29, 2, 0), (e) => e.code === 'nonexistent');
  assert.deepEqual(lt.localCandidates(2026, 3, 29, 2, 30), []);
  assert.equal(iso(lt.localToInstant(2026, 3, 29, 1, 59)), '2026-03-29T00:59:00.000Z');
  assert.equal(iso(lt.localToInstant(2026, 3, 29, 3, 0)), '2026-03-29T01:00:00.000Z');
  assert.throws(() => lt.fromLocalInput('2026-03-29T02:30'), (e) => e.code === 'nonexistent');
  // Opening hours inside the gap read with the winter offset, as the server does.
  assert.equal(iso(lt.windowInstant(2026, 3, 29, 150)), '2026-03-29T01:30:00.000Z');
});

test('25 October 2026 02:30 occurs twice: earlier by default, later or reject on request', () => {
  const c = lt.localCandidates(2026, 10, 25, 2, 30);
  assert.deepEqual(c.map(iso), ['2026-10-25T00:30:00.000Z', '2026-10-25T01:30:00.000Z']);
  assert.equal(iso(lt.localToInstant(2026, 10, 25, 2, 30)), '2026-10-25T00:30:00.000Z');
  assert.equal(iso(lt.localToInstant(2026, 10, 25, 2, 30, { ambiguous: 'later' })), '2026-10-25T01:30:00.000Z');
  assert.throws(() => lt.localToInstant(2026, 10, 25, 2, 30, { ambiguous: 'reject' }), (e) => e.code === 'ambiguous');
  assert.equal(lt.toOffsetString(c[0]), '2026-10-25T02:30:00+02:00');
  assert.equal(lt.toOffsetString(c[1]), '2026-10-25T02:30:00+01:00');
});

test('toOffsetString / toLocalInput / fromLocalInput round-trip with the offset of that date', () => {
  assert.equal(lt.toOffsetString(new Date('2026-03-29T07:00:00Z')), '2026-03-29T09:00:00+02:00');
  assert.equal(lt.toOffsetString(new Date('2026-03-28T08:00:00Z')), '2026-03-28T09:00:00+01:00');
  assert.equal(lt.toLocalInput(new Date('2026-11-24T09:00:00Z')), '2026-11-24T10:00');
  assert.equal(iso(lt.fromLocalInput('2026-11-24T10:00')), '2026-11-24T09:00:00.000Z');
  assert.throws(() => lt.fromLocalInput('2026-02-30T10:00'), (e) => e.code === 'invalid');
  assert.throws(() => lt.fromLocalInput('garbage'), (e) => e.code === 'invalid');
});

test('weekStart is the local Monday, also late on a Sunday evening in UTC terms', () => {
  // Sunday 29 Nov 2026 23:30 UTC is Monday 30 Nov 00:30 in Kraków.
  assert.deepEqual(lt.weekStart(new Date('2026-11-29T23:30:00Z')), { y: 2026, m: 11, d: 30 });
  assert.deepEqual(lt.weekStart(new Date('2026-11-29T22:30:00Z')), { y: 2026, m: 11, d: 23 });
  assert.deepEqual(lt.weekStart({ y: 2027, m: 1, d: 3 }), { y: 2026, m: 12, d: 28 });
});

test('weeks containing the DST changes have a 23-hour and a 25-hour day', () => {
  const spring = lt.weekDays({ y: 2026, m: 3, d: 23 });
  assert.deepEqual(spring.map((d) => d.minutes / 60), [24, 24, 24, 24, 24, 24, 23]);
  assert.equal(iso(spring[6].start), '2026-03-28T23:00:00.000Z');
  assert.equal(iso(spring[6].end), '2026-03-29T22:00:00.000Z');
  assert.equal(iso(spring[6].transition.at), '2026-03-29T01:00:00.000Z');
  const autumn = lt.weekDays({ y: 2026, m: 10, d: 19 });
  assert.deepEqual(autumn.map((d) => d.minutes / 60), [24, 24, 24, 24, 24, 24, 25]);
  const tr = autumn[6].transition;
  assert.deepEqual([iso(tr.at), tr.wallBefore, tr.wallAfter], ['2026-10-25T01:00:00.000Z', 180, 120]);
  assert.equal(lt.daySlots({ y: 2026, m: 3, d: 29 }, 30).length, 46);
  assert.equal(lt.daySlots({ y: 2026, m: 10, d: 25 }, 30).length, 50);
  assert.equal(lt.daySlots({ y: 2026, m: 10, d: 26 }, 30).length, 48);
});

test('layoutWeek of a 24/7 resource across the autumn change keeps rows aligned', () => {
  const hours = [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, open: '00:00', close: '24:00' }));
  const { days, rows } = lt.layoutWeek({ y: 2026, m: 10, d: 19 }, hours, 30);
  assert.deepEqual(days.map((d) => d.slots.length), [48, 48, 48, 48, 48, 48, 50]);
  assert.equal(rows.length, 50);
  const keys = rows.map((r) => r.key);
  assert.deepEqual(keys.slice(3, 9), ['01:30', '02:00', '02:30', '02:00+', '02:30+', '03:00']);
  // Sunday's slots in row order are strictly increasing instants, one hour apart around 02:00.
  const sun = days[6].slots;
  assert.deepEqual(sun.slice(4, 8).map((s) => s.key), ['02:00', '02:30', '02:00+', '02:30+']);
  assert.equal(sun[6].start - sun[4].start, 3600000);
  // A weekday has no slot in the repeated rows.
  assert.ok(!days[0].slots.some((s) => s.key.endsWith('+')));
});

test('layoutWeek across the spring change leaves the missing hour empty', () => {
  const hours = [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, open: '00:00', close: '24:00' }));
  const { days, rows } = lt.layoutWeek({ y: 2026, m: 3, d: 23 }, hours, 60);
  assert.equal(rows.length, 24);
  assert.equal(days[6].slots.length, 23);
  assert.ok(!days[6].slots.some((s) => s.key === '02:00'));
  assert.ok(days[5].slots.some((s) => s.key === '02:00'));
});

test('layoutWeek with office hours: grid starts at the opening time, closed days empty', () => {
  const hours = [{ weekday: 1, open: '08:15', close: '10:00' }, { weekday: 3, open: '08:00', close: '09:00' }];
  const { days, rows } = lt.layoutWeek({ y: 2026, m: 11, d: 23 }, hours, 30);
  assert.deepEqual(days[0].slots.map((s) => s.key), ['08:15', '08:45', '09:15']); // 09:45–10:15 would overrun
  assert.deepEqual(days[2].slots.map((s) => s.key), ['08:00', '08:30']);
  assert.deepEqual(rows.map((r) => r.key), ['08:00', '08:15', '08:30', '08:45', '09:15']);
  assert.deepEqual(days.map((d) => d.slots.length), [3, 0, 2, 0, 0, 0, 0]);
});

test('weeklyRrule: count, or until the end of a local day in UTC', () => {
  assert.equal(lt.weeklyRrule({ count: 10 }), 'FREQ=WEEKLY;COUNT=10');
  assert.equal(lt.weeklyRrule({ until: { y: 2027, m: 1, d: 31 } }), 'FREQ=WEEKLY;UNTIL=20270131T225959Z');
  assert.equal(lt.weeklyRrule({ until: { y: 2026, m: 7, d: 31 } }), 'FREQ=WEEKLY;UNTIL=20260731T215959Z');
});
