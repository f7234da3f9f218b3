import { startServer, Client, addUser } from './lib.mjs';
import { startSmtpSink } from './smtp-sink.mjs';
const sink = await startSmtpSink();
const srv = await startServer({ env: { LABSHARE_SMTP_URL: sink.url, LABSHARE_SMTP_FROM: 'labshare <noreply@changes.test>', LABSHARE_NOTIFY_INTERVAL_MS: '100', LABSHARE_NOTIFY_BACKOFF_S: '1' } });
for (const name of ['a', 'b', 'c', 'd', 'e', 'f', 'g']) {
  addUser(srv, { email: `${name}@x.test`, role: 'staff' });
  const c = new Client(srv.url);
  const t0 = Date.now();
  try { await c.login(`${name}@x.test`); console.log(name, 'ok', Date.now() - t0); } catch (e) { console.log(name, 'fail', Date.now() - t0, e.message, e.cause); }
}
console.log(srv.stderr().slice(-3000));
await srv.stop().catch((e) => console.log(String(e).slice(0, 2000)));
await sink.close();
