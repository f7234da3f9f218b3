// messages.test.mjs — every message the server can answer exists in Polish
// and English (../shared/API.md § Errors in the user's language); see
// messages.mjs for how they are read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { messages, polish } from './messages.mjs';

test('every message of the API has its Polish form', () => {
  const all = messages();
  assert.ok(all.length > 200, `found only ${all.length} messages: the reader is broken`);
  const pl = polish();
  assert.ok(pl.size > 50, `read only ${pl.size} Polish forms: the reader is broken`);
  const missing = all.filter((m) => !pl.has(m.format));
  assert.deepEqual(missing.map((m) => `${m.file}:${m.line}: ${m.format}`), []);
});

test('no message of the API quotes a JSON name: fields are named by their label', () => {
  // The command line's messages name its options and commands as typed.
  const quoted = messages().filter((m) => m.kind === 'api' && /'[a-z_%][a-z_0-9]*'/.test(m.format));
  assert.deepEqual(quoted.map((m) => `${m.file}:${m.line}: ${m.format}`), []);
});

test('every Polish form belongs to a message the code still writes', () => {
  const used = new Set(messages().map((m) => m.format));
  const stale = [...polish().keys()].filter((en) => !used.has(en));
  assert.deepEqual(stale, []);
});
