// desks.mjs — what the PostgreSQL tests book on (nodes behind nginx,
// failover, an outage, arrival, turns): two desks open day and night that
// approve at once, and one distinct hour for each request, so that every
// booking can be granted and a missing one means a lost write, not a
// conflict.
import { sqlite as sql } from '../lib.mjs';

/** Organisation 1 with lab 1 holding desks 1 and 2, open 24/7, no approval. */
export function seedDesks(db, orgName) {
  sql(db, `
    INSERT INTO organisations(id, name, grp, created, updated) VALUES (1, '${orgName}', 'BIZ', 0, 0);
    INSERT INTO labs(id, organisation_id, name, kind, area_m2, created, updated) VALUES (1, 1, 'Lab', 'scientific', 50, 0, 0);
    INSERT INTO resources(id, lab_id, type, name, shared, requires_approval, requires_training, created, updated) VALUES
      (1, 1, 'desk', 'Desk one', 1, 0, 0, 0, 0), (2, 1, 'desk', 'Desk two', 1, 0, 0, 0, 0);
    WITH RECURSIVE d(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM d WHERE n < 7)
      INSERT INTO opening_hours(resource_id, weekday, open_min, close_min) SELECT r.id, d.n, 0, 1440 FROM d, resources r;
  `);
}

/** The k-th request's booking body: distinct hours on the two desks from 20 days ahead. */
export function deskSlot(k) {
  const day = (n) => new Date(Date.now() + n * 86400000).toISOString().slice(0, 10);
  const d = 20 + Math.floor(k / 48), h = Math.floor(k / 2) % 24;
  const hm = (x) => `${String(x).padStart(2, '0')}:00`;
  return { resource_id: 1 + (k % 2), start: `${day(d)}T${hm(h)}:00`, end: h === 23 ? `${day(d + 1)}T00:00:00` : `${day(d)}T${hm(h + 1)}:00` };
}
