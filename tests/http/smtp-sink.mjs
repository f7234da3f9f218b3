// smtp-sink.mjs — a small ESMTP server on loopback for the notification
// tests: EHLO/HELO, optional AUTH PLAIN, MAIL, RCPT, DATA (with dot
// unstuffing), RSET, NOOP, QUIT. It records every accepted message and can
// be told to refuse MAIL with a given reply (451 temporary, 550 permanent)
// until told otherwise, and records each refusal. Tests wait on what the sink
// sees (a message, a refusal), never on the clock. Also a minimal MIME
// reader for the assertions.
import net from 'node:net';

export async function startSmtpSink({ user, password } = {}) {
  const messages = [];
  const refusals = []; // {reply, from}: every MAIL answered with the refusal
  const listeners = new Set(); // called whenever messages or refusals grow
  const changed = () => { for (const l of [...listeners]) l(); };
  let refuse = null; // e.g. '451 4.3.0 try later'
  const sockets = new Set();

  const server = net.createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => {});
    let buf = '';
    let state = 'cmd';
    let mail = null;
    let data = [];
    let authed = !user;
    const reply = (line) => { if (!sock.destroyed) sock.write(line + '\r\n'); };
    const checkAuth = (b64) => {
      const parts = Buffer.from(b64, 'base64').toString('utf8').split('\0');
      if (parts[1] === user && parts[2] === password) { authed = true; reply('235 2.7.0 ok'); }
      else reply('535 5.7.8 bad credentials');
    };
    reply('220 sink.test ESMTP labshare-test-sink');
    sock.on('data', (chunk) => {
      buf += chunk.toString('latin1');
      let i;
      while ((i = buf.indexOf('\r\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 2);
        if (state === 'data') {
          if (line === '.') {
            state = 'cmd';
            const raw = Buffer.from(data.join('\r\n') + '\r\n', 'latin1').toString('utf8');
            const m = { from: mail.from, to: mail.to, raw, ...parseMime(raw) };
            messages.push(m);
            reply('250 2.0.0 queued');
            changed();
            mail = null;
            data = [];
          } else {
            data.push(line.startsWith('..') ? line.slice(1) : line);
          }
          continue;
        }
        if (state === 'auth') { state = 'cmd'; checkAuth(line); continue; }
        const [verb] = line.split(' ');
        switch (verb.toUpperCase()) {
          case 'EHLO':
            reply('250-sink.test');
            if (user) reply('250-AUTH PLAIN');
            reply('250 8BITMIME');
            break;
          case 'HELO': reply('250 sink.test'); break;
          case 'AUTH': {
            const [, mech, initial] = line.split(' ');
            if ((mech || '').toUpperCase() !== 'PLAIN') { reply('504 5.5.4 unsupported'); break; }
            if (initial) checkAuth(initial);
            else { state = 'auth'; reply('334 '); }
            break;
          }
          case 'MAIL':
            if (!authed) { reply('530 5.7.0 authentication required'); break; }
            if (refuse) {
              reply(refuse);
              refusals.push({ reply: refuse, from: (line.match(/<([^>]*)>/) || [])[1] });
              changed();
              break;
            }
            mail = { from: (line.match(/<([^>]*)>/) || [])[1], to: [] };
            reply('250 2.1.0 ok');
            break;
          case 'RCPT':
            if (!mail) { reply('503 5.5.1 MAIL first'); break; }
            mail.to.push((line.match(/<([^>]*)>/) || [])[1]);
            reply('250 2.1.5 ok');
            break;
          case 'DATA':
            if (!mail || !mail.to.length) { reply('503 5.5.1 RCPT first'); break; }
            state = 'data';
            reply('354 end with .');
            break;
          case 'RSET': mail = null; reply('250 2.0.0 ok'); break;
          case 'NOOP': reply('250 2.0.0 ok'); break;
          case 'QUIT': reply('221 2.0.0 bye'); sock.end(); break;
          default: reply('502 5.5.2 unknown command');
        }
      }
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = server.address().port;
  // Resolves with the entries of `list` that satisfy pred as soon as there is
  // one (checked on every arrival); fails after `timeout` ms.
  const waitIn = (list, pred, timeout, what) => new Promise((resolve, reject) => {
    const check = () => {
      const found = list.filter(pred);
      if (!found.length) return;
      listeners.delete(check);
      clearTimeout(timer);
      resolve(found);
    };
    const timer = setTimeout(() => {
      listeners.delete(check);
      reject(new Error(`${what} within ${timeout} ms; have ${messages.map((m) => `${m.to} ${m.subject}`).join(' | ')}` +
        `; refused ${refusals.length}`));
    }, timeout);
    listeners.add(check);
    check();
  });
  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    messages,
    refusals,
    /** Refuse MAIL with this reply ('451 …' or '550 …'); null accepts again. */
    refuse(line) { refuse = line; },
    /** Resolves with the accepted messages matching pred once there is one. */
    waitFor(pred, { timeout = 15000 } = {}) {
      return waitIn(messages, pred, timeout, 'no matching mail');
    },
    /** Resolves once the n-th refusal (counting from 1) has been answered. */
    waitForRefusals(n, { timeout = 15000 } = {}) {
      return waitIn(refusals, (_, i) => i === n - 1, timeout, `no refusal number ${n}`);
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

function decodeWords(v) {
  // Space between adjacent encoded-words is not part of the text (RFC 2047).
  return v.replace(/\?=\s+=\?/g, '?==?').replace(/=\?UTF-8\?B\?([^?]*)\?=/gi,
    (_, b) => Buffer.from(b, 'base64').toString('utf8'));
}

/** The display name of a "name <addr>" mailbox, decoded and unquoted; null without one. */
function displayName(v) {
  const m = (v || '').match(/^(.*?)\s*<[^<>]*>$/);
  if (!m || !m[1]) return null;
  const name = decodeWords(m[1]);
  return name.startsWith('"') ? name.slice(1, -1).replace(/\\(.)/g, '$1') : name;
}

function headersOf(text) {
  const h = {};
  const unfolded = text.replace(/\r\n[ \t]/g, ' ');
  for (const line of unfolded.split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) h[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
  }
  return h;
}

/** Splits an entity into {headers, type, params, body, parts[]} recursively. */
export function parseEntity(raw) {
  const sep = raw.indexOf('\r\n\r\n');
  const head = sep >= 0 ? raw.slice(0, sep) : raw;
  const body = sep >= 0 ? raw.slice(sep + 4) : '';
  const headers = headersOf(head);
  const [type, ...rest] = (headers['content-type'] || 'text/plain').split(';');
  const params = {};
  for (const p of rest) {
    const m = p.trim().match(/^([^=]+)=("?)(.*)\2$/);
    if (m) params[m[1].toLowerCase()] = m[3];
  }
  const e = { headers, rawHeaders: head, type: type.trim().toLowerCase(), params, parts: [] };
  if (e.type.startsWith('multipart/')) {
    const b = '--' + params.boundary;
    const chunks = body.split(b);
    for (const c of chunks.slice(1)) {
      if (c.startsWith('--')) break;
      e.parts.push(parseEntity(c.replace(/^\r\n/, '').replace(/\r\n$/, '')));
    }
  } else {
    const enc = (headers['content-transfer-encoding'] || '').toLowerCase();
    e.text = enc === 'base64' ? Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8') : body;
  }
  return e;
}

/** The parts a test looks at: subject (decoded), text, html, calendar. */
export function parseMime(raw) {
  const root = parseEntity(raw);
  const flat = [];
  const walk = (e) => { if (e.parts.length) e.parts.forEach(walk); else flat.push(e); };
  walk(root);
  const find = (t) => flat.find((p) => p.type === t);
  return {
    root,
    subject: decodeWords(root.headers.subject || ''),
    fromName: displayName(root.headers.from),
    toName: displayName(root.headers.to),
    rawSubject: root.headers.subject || '',
    text: find('text/plain')?.text,
    html: find('text/html')?.text,
    calendar: find('text/calendar'),
  };
}
