// provider.mjs — a real OpenID Connect provider for the tests: the
// `oidc-provider` package (9.x) on a free loopback port, with one confidential
// client (labshare), RS256 keys made here, the package's own login page, and
// switches that make it misbehave one way at a time:
//   mode 'wrong-signature'  the ID token re-signed by another key under the same kid
//   mode 'wrong-aud'        aud changed to another client, properly signed
//   mode 'expired'          exp an hour ago, properly signed
//   mode 'wrong-nonce'      a nonce labshare never sent, properly signed
// and people whose e-mail the provider has not verified (see PEOPLE).
//
// Started in the test process (startProvider), or by hand for a look:
//   node tests/oidc/provider.mjs http://127.0.0.1:8080/auth/oidc/callback
import http from 'node:http';
import { pathToFileURL } from 'node:url';
import * as jose from 'jose';

// oidc-provider announces its development defaults (in-memory storage, its
// own login pages, Node 20) on the console at import and on first use: all
// expected here, so they are kept out of the test output.
for (const level of ['info', 'warn']) {
  const original = console[level];
  console[level] = (...args) => {
    if (typeof args[0] === 'string' && args[0].startsWith('oidc-provider ')) return;
    original(...args);
  };
}
const { default: Provider } = await import('oidc-provider');

/** Logins the provider knows; any other login is an address, verified. */
export const PEOPLE = {
  'unverified@uj.edu.pl': { email: 'unverified@uj.edu.pl', email_verified: false, name: 'Niepotwierdzony Adres' },
};

function claimsOf(login) {
  const p = PEOPLE[login] || { email: login, email_verified: true, name: nameOf(login) };
  return { sub: login, ...p };
}

// "ewa.nowak@uj.edu.pl" → "Ewa Nowak"
function nameOf(login) {
  return login.split('@')[0].split(/[._-]/).filter(Boolean)
    .map((w) => w[0].toUpperCase() + w.slice(1)).join(' ');
}

async function makeKey(kid, alg = 'RS256') {
  const { privateKey } = await jose.generateKeyPair(alg, { extractable: true });
  const jwk = { ...(await jose.exportJWK(privateKey)), kid, alg, use: 'sig' };
  return { kid, alg, jwk, privateKey };
}

/**
 * Starts the provider's socket; `register(redirectUri)` then builds the
 * provider for labshare's callback address (labshare needs the issuer
 * before it starts, the provider needs labshare's port).
 */
export async function startProvider({ clientId = 'labshare', clientSecret = 'provider-test-secret-0123' } = {}) {
  const server = http.createServer();
  const sockets = new Set();
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const state = {
    mode: null,
    keys: [await makeKey('key-1')],
    forger: await makeKey('key-1'), // same kid, a key the provider never published
    redirectUri: null,
    provider: null,
    jwksFetches: 0,
  };

  // Re-signs an ID token after changing its claims.
  async function tamper(idToken) {
    const claims = jose.decodeJwt(idToken);
    const header = jose.decodeProtectedHeader(idToken);
    const now = Math.floor(Date.now() / 1000);
    let key = state.keys[0];
    if (state.mode === 'wrong-signature') key = state.forger;
    if (state.mode === 'wrong-aud') claims.aud = 'another-client';
    if (state.mode === 'expired') { claims.iat = now - 7200; claims.exp = now - 3600; }
    if (state.mode === 'wrong-nonce') claims.nonce = 'a-nonce-labshare-never-sent';
    return new jose.SignJWT(claims).setProtectedHeader({ alg: header.alg, kid: header.kid, typ: header.typ }).sign(key.privateKey);
  }

  function build() {
    const provider = new Provider(issuer, {
      clients: [{
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [state.redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      }],
      jwks: { keys: state.keys.map((k) => k.jwk) },
      findAccount: async (ctx, id) => ({ accountId: id, claims: async () => claimsOf(id) }),
      claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
      cookies: { keys: ['labshare-test-cookie-key'] },
      pkce: { required: () => true },
      // A first-party client: no consent screen after the login.
      async loadExistingGrant(ctx) {
        const id = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
        if (id) return ctx.oidc.provider.Grant.find(id);
        const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
        grant.addOIDCScope('openid email profile');
        await grant.save();
        return grant;
      },
    });
    provider.use(async (ctx, next) => {
      if (ctx.path === '/jwks') state.jwksFetches++;
      await next();
      if (ctx.method === 'POST' && ctx.path === '/token' && ctx.status === 200 && state.mode && ctx.body?.id_token)
        ctx.body = { ...ctx.body, id_token: await tamper(ctx.body.id_token) };
    });
    // Quiet: oidc-provider logs its development warnings to the console.
    provider.on('server_error', () => {});
    return provider;
  }

  function serve() {
    state.provider = build();
    server.removeAllListeners('request');
    server.on('request', state.provider.callback());
  }

  return {
    issuer,
    clientId,
    clientSecret,
    /** Serves the provider for this labshare callback address. */
    register(redirectUri) { state.redirectUri = redirectUri; serve(); },
    /** How the next token answers misbehave (null = they don't). */
    set mode(m) { state.mode = m; },
    get mode() { return state.mode; },
    /** How often the key set was fetched. */
    get jwksFetches() { return state.jwksFetches; },
    /** A new signing key first in the set (the old one still published). */
    async rotate() { state.keys.unshift(await makeKey(`key-${state.keys.length + 1}`)); serve(); },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Cookies of one site, as a browser keeps them (paths ignored). */
class Jar {
  constructor() { this.map = new Map(); }
  take(res) {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair.indexOf('=');
      const name = pair.slice(0, i), value = pair.slice(i + 1);
      if (value === '' || /max-age=0/i.test(c) || /expires=thu, 01 jan 1970/i.test(c)) this.map.delete(name);
      else this.map.set(name, value);
    }
  }
  header() { return [...this.map].map(([k, v]) => `${k}=${v}`).join('; '); }
  get(name) { return this.map.get(name); }
}

/**
 * The whole redirect flow without a browser, for the HTTP tests: labshare's
 * /auth/oidc/start, the provider's login form as `login`, back to labshare's
 * callback. Returns { callback (URL), labshare (its cookie jar) } just before
 * the callback is requested, so a test can request it (again) as it likes.
 */
export async function driveToCallback(labshareUrl, login, labshare = new Jar()) {
  const idp = new Jar();
  const go = async (url, jar, init = {}) => {
    const res = await fetch(url, { ...init, redirect: 'manual', headers: { ...(init.headers || {}), cookie: jar.header() } });
    jar.take(res);
    return res;
  };
  let res = await go(`${labshareUrl}/auth/oidc/start`, labshare);
  if (res.status !== 302) throw new Error(`start answered ${res.status}: ${await res.text()}`);
  let url = res.headers.get('location');
  for (let hops = 0; hops < 10; hops++) {
    if (url.startsWith(labshareUrl)) return { callback: url, labshare };
    res = await go(url, idp);
    if (res.status === 200 && /name="login"/.test(await res.clone().text())) {
      const action = new URL(url).pathname;
      res = await go(new URL(action, url).href, idp, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ prompt: 'login', login, password: 'any' }).toString(),
      });
    }
    if (![302, 303].includes(res.status)) throw new Error(`provider answered ${res.status} at ${url}: ${await res.text()}`);
    url = new URL(res.headers.get('location'), url).href;
  }
  throw new Error('too many redirects');
}
export { Jar };

// By hand: node tests/oidc/provider.mjs <labshare callback URL>
if (import.meta.url === pathToFileURL(process.argv[1] || '').href) {
  const idp = await startProvider();
  idp.register(process.argv[2] || 'http://127.0.0.1:8080/auth/oidc/callback');
  console.log(`issuer ${idp.issuer} client ${idp.clientId} secret ${idp.clientSecret}`);
}
