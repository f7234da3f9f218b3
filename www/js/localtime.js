// localtime.js — wall-clock arithmetic in the site's zone (Europe/Warsaw),
// whatever zone the browser runs in. Pure functions on Intl: no DOM, so node
// can import it (tests/http/localtime.test.mjs).
//
// A local date is a plain {y, m, d} (month 1–12); an instant is a Date.
// Local dates are added and compared as UTC calendar days (no zone involved);
// only the step from a wall time to an instant consults the zone, where a
// wall time may not exist (spring forward: 29 March 2026 02:30) or exist
// twice (fall back: 25 October 2026 02:30).

export const ZONE = 'Europe/Warsaw';

const partsFmt = new Intl.DateTimeFormat('en-US', {
  timeZone: ZONE, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric',
  hour: 'numeric', minute: 'numeric', second: 'numeric',
});

export class LocalTimeError extends Error {
  /** code: 'nonexistent' (in a DST gap), 'ambiguous' (occurs twice), 'invalid'. */
  constructor(code, message) { super(message); this.code = code; }
}

/** The wall-clock fields of an instant in the site zone, with ISO weekday
 * (Monday 1 … Sunday 7) and the UTC offset in minutes (+60 or +120). */
export function zonedParts(date) {
  const ms = date instanceof Date ? date.getTime() : new Date(date).getTime();
  if (!Number.isFinite(ms)) throw new LocalTimeError('invalid', 'invalid instant');
  const p = {};
  for (const { type, value } of partsFmt.formatToParts(new Date(ms))) if (type !== 'literal') p[type] = Number(value);
  const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  const offset = Math.round((wall - Math.floor(ms / 1000) * 1000) / 60000);
  return {
    year: p.year, month: p.month, day: p.day, hour: p.hour, minute: p.minute, second: p.second,
    weekday: isoWeekday(p.year, p.month, p.day), offset,
  };
}

/** UTC offset of the site zone at an instant, in minutes. */
export function offsetAt(date) { return zonedParts(date).offset; }

/** Normalises a possibly overflowing local date (d = 32, m = 0 …). */
export function normDate(y, m, d) {
  const t = new Date(Date.UTC(y, m - 1, d));
  return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() };
}

export function addDays({ y, m, d }, n) { return normDate(y, m, d + n); }

/** ISO weekday of a local date: Monday 1 … Sunday 7. */
export function isoWeekday(y, m, d) { return ((new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7) + 1; }

/** Whole days from a to b (local dates). */
export function daysBetween(a, b) { return Math.round((Date.UTC(b.y, b.m - 1, b.d) - Date.UTC(a.y, a.m - 1, a.d)) / 86400000); }

/** 'YYYY-MM-DD' of a local date, and back. */
export function dateKey({ y, m, d }) { return `${String(y).padStart(4, '0')}-${pad(m)}-${pad(d)}`; }
export function parseDateKey(s) {
  const mt = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(s || ''));
  if (!mt) return null;
  const v = { y: +mt[1], m: +mt[2], d: +mt[3] };
  const n = normDate(v.y, v.m, v.d);
  return n.y === v.y && n.m === v.m && n.d === v.d ? v : null;
}

/** The local date of an instant. */
export function localDate(date) { const p = zonedParts(date); return { y: p.year, m: p.month, d: p.day }; }

/** Every instant whose wall time in the zone is y-m-d hh:mm (0, 1 or 2 of them), earliest first. */
export function localCandidates(y, m, d, hh, mm) {
  const guess = Date.UTC(y, m - 1, d, hh, mm);
  if (!Number.isFinite(guess)) throw new LocalTimeError('invalid', 'invalid local time');
  const want = new Date(guess);
  const offsets = new Set([offsetAt(new Date(guess - 86400000)), offsetAt(new Date(guess)), offsetAt(new Date(guess + 86400000))]);
  const out = [];
  for (const o of offsets) {
    const t = new Date(guess - o * 60000);
    const p = zonedParts(t);
    if (p.year === want.getUTCFullYear() && p.month === want.getUTCMonth() + 1 && p.day === want.getUTCDate() &&
        p.hour === want.getUTCHours() && p.minute === want.getUTCMinutes() && !out.some((x) => x.getTime() === t.getTime()))
      out.push(t);
  }
  return out.sort((a, b) => a - b);
}

/**
 * The instant of a wall time in the site zone. A time in the spring-forward
 * gap throws LocalTimeError 'nonexistent'. A time that occurs twice resolves
 * by opts.ambiguous: 'earlier' (default, summer time), 'later', or 'reject'
 * (throws 'ambiguous').
 */
export function localToInstant(y, m, d, hh = 0, mm = 0, { ambiguous = 'earlier' } = {}) {
  const c = localCandidates(y, m, d, hh, mm);
  if (c.length === 0) throw new LocalTimeError('nonexistent', `${dateKey(normDate(y, m, d))} ${pad(hh)}:${pad(mm)} does not exist in ${ZONE} (clocks go forward)`);
  if (c.length === 2) {
    if (ambiguous === 'reject') throw new LocalTimeError('ambiguous', `${dateKey(normDate(y, m, d))} ${pad(hh)}:${pad(mm)} occurs twice in ${ZONE} (clocks go back)`);
    return ambiguous === 'later' ? c[1] : c[0];
  }
  return c[0];
}

/** Local midnight starting y-m-d (midnight always exists in Warsaw; a zone
 * whose gap swallowed it would get the first instant after the gap). */
export function localMidnight(y, m, d) { return windowInstant(y, m, d, 0); }

/**
 * The instant `minute` minutes after midnight on a local date, the way the
 * server lays out opening hours (src/hours.c minute_to_utc): 1440 is the
 * next midnight, a time occurring twice is its first occurrence, and a time
 * in the gap is read with the offset in force before the gap (02:30 on
 * 29 March 2026 → 03:30 CEST).
 */
export function windowInstant(y, m, d, minute) {
  if (minute >= 1440) { const n = normDate(y, m, d + 1); return windowInstant(n.y, n.m, n.d, 0); }
  const c = localCandidates(y, m, d, Math.floor(minute / 60), minute % 60);
  if (c.length) return c[0];
  const before = offsetAt(new Date(Date.UTC(y, m - 1, d) - 12 * 3600000));
  return new Date(Date.UTC(y, m - 1, d, 0, minute) - before * 60000);
}

/** Monday (local date) of the ISO week containing an instant or a local date. */
export function weekStart(v) {
  const ld = v instanceof Date ? localDate(v) : v;
  return addDays(ld, 1 - isoWeekday(ld.y, ld.m, ld.d));
}

/**
 * One local day: {date, start, end, minutes (1380, 1440 or 1500), weekday,
 * transition}. transition is null, or {at, offsetBefore, offsetAfter,
 * wallBefore, wallAfter}: the instant the offset changes and the wall
 * minute-of-day just before and after it (fall back: 180 → 120).
 */
export function dayInfo({ y, m, d }) {
  const date = normDate(y, m, d);
  const start = localMidnight(date.y, date.m, date.d);
  const nx = addDays(date, 1);
  const end = localMidnight(nx.y, nx.m, nx.d);
  const minutes = Math.round((end - start) / 60000);
  let transition = null;
  const o0 = offsetAt(start), o1 = offsetAt(new Date(end.getTime() - 1000));
  if (o0 !== o1) {
    let lo = start.getTime(), hi = end.getTime() - 1000; // offset(lo) = o0, offset(hi) = o1
    while (hi - lo > 60000) { const mid = lo + Math.floor((hi - lo) / 120000) * 60000; if (offsetAt(new Date(mid)) === o0) lo = mid; else hi = mid; }
    const at = new Date(hi);
    const pa = zonedParts(at);
    const wallAfter = pa.hour * 60 + pa.minute;
    transition = { at, offsetBefore: o0, offsetAfter: o1, wallBefore: wallAfter + o0 - o1, wallAfter };
  }
  return { date, start, end, minutes, weekday: isoWeekday(date.y, date.m, date.d), transition };
}

/** The seven days of the week starting at a Monday (local date). */
export function weekDays(monday) { return Array.from({ length: 7 }, (_, i) => dayInfo(addDays(monday, i))); }

/** Slot starts every slotMinutes of elapsed time from local midnight to the next (46/48/50 for 30 min). */
export function daySlots(date, slotMinutes) {
  const { start, end } = dayInfo(date);
  const out = [];
  for (let t = start.getTime(); t < end.getTime(); t += slotMinutes * 60000) out.push(new Date(t));
  return out;
}

/**
 * Lays a resource's week out as slots for a week view. openingHours:
 * [{weekday, open: 'HH:MM', close: 'HH:MM'}]. Each window's grid starts at
 * its opening instant and steps slotMinutes of elapsed time (as the server
 * checks it), so a 24-hour day has 46 or 50 half-hour slots across DST.
 *
 * Returns {days: [{...dayInfo, slots: [{start, end, key}]}], rows: [{key,
 * minute, repeat}]}: rows are the union of the slots' wall times in
 * chronological order; `repeat` marks the second occurrence of a wall time
 * on the fall-back night. A day has no slot for a row when it is closed then
 * or the wall time does not exist that day.
 */
export function layoutWeek(monday, openingHours, slotMinutes) {
  const step = Math.max(1, slotMinutes | 0) * 60000;
  const rowMap = new Map();
  const days = weekDays(monday).map((day) => {
    const slots = [];
    for (const w of openingHours || []) {
      if (Number(w.weekday) !== day.weekday) continue;
      const o = hhmm(w.open), c = hhmm(w.close);
      if (o === null || c === null || c <= o) continue;
      const s = windowInstant(day.date.y, day.date.m, day.date.d, o).getTime();
      const e = windowInstant(day.date.y, day.date.m, day.date.d, c).getTime();
      for (let t = s; t + step <= e; t += step) {
        const p = zonedParts(new Date(t));
        const minute = p.hour * 60 + p.minute;
        const tr = day.transition;
        const repeat = !!(tr && tr.offsetAfter < tr.offsetBefore && t >= tr.at.getTime() && minute >= tr.wallAfter && minute < tr.wallBefore);
        const key = repeat ? `${pad(p.hour)}:${pad(p.minute)}+` : `${pad(p.hour)}:${pad(p.minute)}`;
        // Order value: a repeated wall time sorts after every first-pass
        // time of the repeated hour and before the hour that follows it.
        const order = repeat ? tr.wallBefore - 1 + (minute - tr.wallAfter + 1) / (tr.wallBefore - tr.wallAfter + 1) : minute;
        if (!rowMap.has(key)) rowMap.set(key, { key, minute, repeat, order });
        if (!slots.some((x) => x.start.getTime() === t)) slots.push({ start: new Date(t), end: new Date(t + step), key });
      }
    }
    slots.sort((a, b) => a.start - b.start);
    return { ...day, slots };
  });
  const rows = [...rowMap.values()].sort((a, b) => a.order - b.order);
  return { days, rows };
}

/** 'HH:MM' → minutes after midnight ('24:00' = 1440), or null. */
export function hhmm(s) {
  const mt = /^(\d{2}):(\d{2})$/.exec(String(s || ''));
  if (!mt) return null;
  const v = +mt[1] * 60 + +mt[2];
  return +mt[2] < 60 && v <= 1440 ? v : null;
}

/** RFC 3339 with the site zone's offset: 2026-03-29T09:00:00+02:00. */
export function toOffsetString(date) {
  const p = zonedParts(date);
  const o = Math.abs(p.offset);
  return `${dateKey({ y: p.year, m: p.month, d: p.day })}T${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}` +
    `${p.offset < 0 ? '-' : '+'}${pad(Math.floor(o / 60))}:${pad(o % 60)}`;
}

/** The value for an <input type="datetime-local"> showing an instant in site time. */
export function toLocalInput(date) {
  const p = zonedParts(date);
  return `${dateKey({ y: p.year, m: p.month, d: p.day })}T${pad(p.hour)}:${pad(p.minute)}`;
}

/** Parses 'YYYY-MM-DDTHH:MM' (datetime-local) as site wall time → Date.
 * Throws LocalTimeError ('invalid', 'nonexistent', or 'ambiguous' when
 * opts.ambiguous is 'reject'). */
export function fromLocalInput(s, opts) {
  const mt = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::\d{2})?$/.exec(String(s || ''));
  if (!mt) throw new LocalTimeError('invalid', 'expected a date and time');
  const [y, m, d, hh, mm] = mt.slice(1).map(Number);
  if (!parseDateKey(`${mt[1]}-${mt[2]}-${mt[3]}`) || hh > 23 || mm > 59) throw new LocalTimeError('invalid', 'expected a date and time');
  return localToInstant(y, m, d, hh, mm, opts);
}

/** RRULE value for a weekly repeat: {count} or {until: local date (inclusive)}.
 * UNTIL is given in UTC (RFC 5545 §3.3.10: with a zoned DTSTART it must be),
 * as the last second of the local day. */
export function weeklyRrule({ count, until }) {
  if (count) return `FREQ=WEEKLY;COUNT=${count}`;
  const n = addDays(until, 1);
  const t = new Date(localMidnight(n.y, n.m, n.d).getTime() - 1000);
  const iso = t.toISOString();
  return `FREQ=WEEKLY;UNTIL=${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
}

function pad(n) { return String(n).padStart(2, '0'); }
