// psql.mjs — what the PostgreSQL tests do to a node's database from outside
// it: hold a transaction open (a lock, a row not yet committed, another
// node's writer under way) for as long as the test needs, and see what the
// node's own connections are waiting for.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';

/** A psql session that runs `sql` inside a transaction and keeps it open
 * until commit(); resolves once psql has printed `marker` (the status word
 * of the last command, or a value it selects). commit() again does nothing:
 * a test ends its sessions in `finally`, as a session left open would keep
 * its database from being dropped. */
export async function openTransaction(db, sql, marker) {
  const psql = spawn('psql', ['-X', '-v', 'ON_ERROR_STOP=1', db], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  psql.stdout.setEncoding('utf8');
  const exited = new Promise((resolve) => psql.on('exit', resolve));
  const ready = new Promise((resolve, reject) => {
    psql.stdout.on('data', (d) => { out += d; if (out.includes(marker)) resolve(); });
    exited.then((code) => reject(new Error(`psql exited with ${code} before '${marker}': ${out}`)));
  });
  psql.stdin.write(`BEGIN;\n${sql}\n`);
  await ready;
  let ended;
  return {
    commit: () => {
      ended ??= (async () => { psql.stdin.end('COMMIT;\n'); assert.equal(await exited, 0, out); })();
      return ended;
    },
  };
}

/** How many of the nodes' statements wait for a lock now, of one kind of
 * lock if given ('advisory', 'transactionid', 'relation'). No event says
 * so: tests poll it through eventually(). */
export function waitingOnLocks(db, kind) {
  const r = spawnSync('psql', ['-X', '-At', db, '-c',
    "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'labshare' AND wait_event_type = 'Lock'" +
    (kind ? ` AND wait_event = '${kind}'` : '')], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return Number(r.stdout.trim());
}
