// messages.mjs — reads the messages of src/*.c and their Polish forms in
// src/msg_pl.c (used by messages.test.mjs). Run it alone to list what has
// no Polish form yet: `node tests/lint/messages.mjs`.
//
// Every message the server can answer exists in Polish
// and English (../shared/API.md § Errors in the user's language).
//
// Reads src/*.c as text: every format passed to ls_err_set(), and every text
// marked MSG_TEXT("…") in src/*.c and src/*.h, must have its
// Polish form in src/msg_pl.c, and no format may quote a JSON name (a field
// is named as {field}, which the HTTP layer replaces with its label in the
// caller's language). tests/test_msg.c checks that each pair takes the same
// printf arguments.
import { readFileSync, readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src');

/** C source split into tokens that matter here: string literals, brackets, commas. */
function* tokens(text, from) {
  let i = from;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1, s = '';
      while (text[j] !== '"') {
        if (text[j] === '\\') {
          const n = text[j + 1];
          s += n === 'n' ? '\n' : n === 't' ? '\t' : n === '"' ? '"' : n === '\\' ? '\\' : '\\' + n;
          j += 2;
        } else s += text[j++];
      }
      yield { type: 'str', value: s, at: i };
      i = j + 1;
    } else if (c === '/' && text[i + 1] === '*') {
      i = text.indexOf('*/', i + 2) + 2;
    } else if (c === '/' && text[i + 1] === '/') {
      i = text.indexOf('\n', i);
    } else if (c === "'") {
      i = text.indexOf("'", i + (text[i + 1] === '\\' ? 3 : 2)) + 1;
    } else {
      yield { type: c, at: i };
      i++;
    }
  }
}

/** The arguments of the call whose '(' is at `open`, each as its tokens. */
function callArgs(text, open) {
  const args = [[]];
  let depth = 0;
  for (const t of tokens(text, open)) {
    if (t.type === '(') { depth++; if (depth === 1) continue; }
    if (t.type === ')') { depth--; if (depth === 0) return args; }
    if (t.type === ',' && depth === 1) { args.push([]); continue; }
    if (t.type === 'str' || '(),?:'.includes(t.type)) args[args.length - 1].push(t);
    else if (!/\s/.test(t.type)) args[args.length - 1].push({ type: 'x' });
  }
  return args;
}

/** The string formats an argument can be: runs of adjacent literals. */
function formats(arg) {
  const out = [];
  let cur = null;
  for (const t of arg) {
    if (t.type === 'str') cur = (cur ?? '') + t.value;
    else if (cur !== null) { out.push(cur); cur = null; }
  }
  if (cur !== null) out.push(cur);
  return out;
}

export function sources(ext = '.c') {
  return readdirSync(SRC).filter((f) => f.endsWith(ext)).map((f) => ({ file: f, text: readFileSync(join(SRC, f), 'utf8') }));
}

// The calls whose format (or text) is a message, and which argument it is:
// the API's errors, and what the command line writes for people (cli.h).
const CALLS = [
  { name: 'ls_err_set', arg: 3, kind: 'api' },
  { name: 'cli_say', arg: 1, kind: 'cli' },
  { name: 'cli_usage', arg: 1, kind: 'cli' },
];

export function messages() {
  const found = [];
  for (const { file, text } of sources()) {
    for (const { name, arg, kind } of CALLS) {
      for (let at = text.indexOf(`${name}(`); at >= 0; at = text.indexOf(`${name}(`, at + 1)) {
        if (/[\w]/.test(text[at - 1] || '')) continue; // another name ending so
        const before = text.slice(text.lastIndexOf('\n', at) + 1, at);
        if (/^(int|void|enum \w+|const char \*) $/.test(before) || text.slice(at - 6, at).includes('*')) continue; // its definition
        const args = callArgs(text, at + name.length);
        if (args.length <= arg) continue;
        const line = text.slice(0, at).split('\n').length;
        for (const f of formats(args[arg])) found.push({ file, line, format: f, kind });
      }
    }
  }
  // Texts put into Polish later by msg_pl(): MSG_TEXT("…") in a source or header.
  for (const { file, text } of [...sources('.c'), ...sources('.h')]) {
    for (let at = text.indexOf('MSG_TEXT('); at >= 0; at = text.indexOf('MSG_TEXT(', at + 1)) {
      if (/[\w]/.test(text[at - 1] || '') || text.slice(at - 8, at) === '#define ') continue;
      const args = callArgs(text, at + 'MSG_TEXT'.length);
      const line = text.slice(0, at).split('\n').length;
      for (const f of formats(args[0])) found.push({ file, line, format: f, kind: 'api' });
    }
  }
  return found;
}

export function polish() {
  const text = readFileSync(join(SRC, 'msg_pl.c'), 'utf8');
  const start = text.indexOf('msg_pairs[][MSG_NLANGS] = {');
  const end = text.indexOf('};', start);
  const map = new Map();
  let pair = null, depth = 0, cur = null;
  for (const t of tokens(text.slice(0, end), start + 'msg_pairs[][MSG_NLANGS] = '.length)) {
    if (t.type === '{') { depth++; if (depth === 2) pair = []; continue; }
    if (t.type === '}') {
      if (cur !== null) { pair.push(cur); cur = null; }
      if (depth === 2 && pair.length === 2) map.set(pair[0], pair[1]);
      depth--;
      continue;
    }
    if (depth !== 2) continue;
    if (t.type === 'str') cur = (cur ?? '') + t.value;
    else if (t.type === ',' && cur !== null) { pair.push(cur); cur = null; }
  }
  return map;
}


if (process.argv[1] && process.argv[1].endsWith('messages.mjs')) {
  const pl = polish();
  for (const m of messages()) if (!pl.has(m.format)) console.log(`${m.file}:${m.line}: ${m.format}`);
}
