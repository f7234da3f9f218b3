// raw.mjs — HTTP over a bare socket, for requests fetch() will not send
// (dot segments, encoded NULs, oversize heads, chunked bodies that stall).
import net from 'node:net';

/**
 * Sends `data` (string or Buffer; or an array of pieces written in turn) to
 * the server at base URL and collects the answer until the server closes,
 * a full response has arrived, or `timeout` ms pass.
 * With waitClose, waits for the server to close the connection (closed
 * tells whether it did within the timeout). localAddress picks the client's
 * address (any of 127.0.0.0/8 on Linux), to act as another client.
 * Returns {status, headers (lower-case names), body, json, raw, closed,
 * errorCode} (status 0 when no answer arrived).
 */
export function rawRequest(base, data, { timeout = 5000, keepOpen = false, waitClose = false, localAddress } = {}) {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const sock = net.connect({ port: Number(port), host: hostname, localAddress });
    const chunks = [];
    let done = false;
    let errorCode = null;
    const finish = (closed) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (!keepOpen) sock.destroy();
      const raw = Buffer.concat(chunks).toString('latin1');
      const sep = raw.indexOf('\r\n\r\n');
      if (sep < 0) { resolve({ status: 0, headers: {}, body: raw, json: null, raw, closed, sock, errorCode }); return; }
      const [statusLine, ...lines] = raw.slice(0, sep).split('\r\n');
      const headers = {};
      for (const l of lines) {
        const i = l.indexOf(':');
        const k = l.slice(0, i).trim().toLowerCase();
        headers[k] = headers[k] ? `${headers[k]}, ${l.slice(i + 1).trim()}` : l.slice(i + 1).trim();
      }
      const body = raw.slice(sep + 4);
      let json = null;
      try { json = JSON.parse(body); } catch { /* not JSON */ }
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body, json, raw, closed, sock, errorCode });
    };
    const complete = () => {
      const raw = Buffer.concat(chunks).toString('latin1');
      const sep = raw.indexOf('\r\n\r\n');
      if (sep < 0) return false;
      const m = raw.slice(0, sep).match(/\r\ncontent-length:\s*(\d+)/i);
      if (/^HTTP\/1\.1 304/.test(raw)) return true;
      return m ? raw.length - sep - 4 >= Number(m[1]) : false;
    };
    const timer = setTimeout(() => finish(false), timeout);
    sock.on('data', (d) => { chunks.push(d); if (!waitClose && complete()) finish(false); });
    sock.on('end', () => finish(true));
    sock.on('close', () => finish(true));
    // A server that closes while we still write (an oversize body) shows as
    // EPIPE/ECONNRESET: keep what arrived; with nothing, report the code.
    sock.on('error', (e) => {
      if (chunks.length || ['EPIPE', 'ECONNRESET'].includes(e.code)) { errorCode = e.code; finish(true); } else if (!done) { done = true; clearTimeout(timer); reject(e); }
    });
    sock.on('connect', () => {
      for (const piece of Array.isArray(data) ? data : [data]) sock.write(piece);
    });
  });
}

/** Opens a socket, writes `data` and leaves it open (for stalled clients). */
export function openStalled(base, data, { localAddress } = {}) {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const sock = net.connect({ port: Number(port), host: hostname, localAddress }, () => { if (data) sock.write(data); resolve(sock); });
    sock.on('error', () => { /* the server may time us out */ });
    sock.once('error', reject);
  });
}
