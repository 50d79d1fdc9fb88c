// An @automerge/automerge (JS) peer driven over stdin/stdout, one JSON object per line, so Java
// tests can check that the Java binding and the browser's library edit the same documents.
// Bytes cross as base64. Requests: {op, name, ...}; answers: {ok: true, ...} or {ok: false, error}.
//   make {name, doc}        a new document from JSON: strings become Text, {"$str": "x"} an
//                           ImmutableString (ids, enums, dates), integers ints
//   load {name, bytes}      Automerge save() bytes
//   apply {name, changes}   concatenated change chunks, in one batch (loadIncremental)
//   change {name, edits: [{path: [..], text | str | int | bool | mark | block}]}   one change;
//                           answers its bytes. mark: {start, end, name, value, expand} (rich-text
//                           mark on a Text); block: {index, type} (a block marker, splitBlock)
//   typing {name, path, count}   count single-character edits, each its own change (~10 % deletes)
//   read {name}             {json, heads}
//   marks {name, path}      {marks: [{name, value, start, end}]} of the Text at path
//   save {name}             {bytes}
//   since {name, heads}     {changes}: everything after heads, concatenated
import { createInterface } from 'node:readline';
import * as A from '@automerge/automerge';

const docs = new Map();
const b64 = (bytes) => Buffer.from(bytes).toString('base64');
const bytes = (text) => new Uint8Array(Buffer.from(text, 'base64'));
const concat = (chunks) => new Uint8Array(Buffer.concat(chunks.map((c) => Buffer.from(c))));

function build(value) {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(build);
  if (value && typeof value === 'object') {
    if ('$str' in value) return new A.ImmutableString(value.$str);
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, build(v)]));
  }
  return value;
}

/** Plain JSON: Text and ImmutableString both as strings, as Java's DocumentEngine reads them. */
function plain(value) {
  if (A.isImmutableString(value)) return value.toString();
  if (Array.isArray(value)) return value.map(plain);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  }
  return value;
}

function doc(name) {
  const found = docs.get(name);
  if (!found) throw new Error(`no document ${name}`);
  return found;
}

function edit(d, { path, ...value }) {
  const parent = path.slice(0, -1).reduce((object, key) => object[key], d);
  const key = path[path.length - 1];
  if ('text' in value) {
    if (typeof parent[key] === 'string') A.updateText(d, path, value.text);
    else parent[key] = value.text;
  } else if ('str' in value) parent[key] = new A.ImmutableString(value.str);
  else if ('int' in value) parent[key] = new A.Int(value.int);
  else if ('bool' in value) parent[key] = value.bool;
  else if ('mark' in value) {
    const { start, end, name, value: markValue, expand } = value.mark;
    A.mark(d, path, { start, end, expand: expand ?? 'after' }, name, markValue);
  } else if ('block' in value) A.splitBlock(d, path, value.block.index, { type: value.block.type, parents: [], attrs: {} });
  else throw new Error('an edit sets text, str, int or bool');
}

function handle(request) {
  const { op, name } = request;
  switch (op) {
    case 'make':
      docs.set(name, A.from(build(request.doc)));
      return { heads: A.getHeads(doc(name)) };
    case 'load':
      docs.set(name, A.load(bytes(request.bytes)));
      return { heads: A.getHeads(doc(name)) };
    case 'apply':
      docs.set(name, A.loadIncremental(doc(name), bytes(request.changes)));
      return { heads: A.getHeads(doc(name)) };
    case 'change': {
      const before = doc(name);
      const after = A.change(before, (d) => request.edits.forEach((e) => edit(d, e)));
      docs.set(name, after);
      return { changes: b64(concat(A.getChanges(before, after))), heads: A.getHeads(after) };
    }
    case 'typing': {
      let d = doc(name);
      // Tracked here: reading the text through the change proxy would copy it every edit.
      let length = request.path.reduce((o, k) => o[k], d).length;
      // Letters from a fixed pseudo-random sequence: a repeating alphabet would compress to nothing.
      let seed = 1;
      const letter = () => {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        return String.fromCharCode(97 + (seed % 26));
      };
      const started = performance.now();
      for (let i = 0; i < request.count; i++) {
        d = A.change(d, (x) => {
          if (i % 10 === 9 && length > 0) A.splice(x, request.path, --length, 1);
          else A.splice(x, request.path, length++, 0, letter());
        });
      }
      docs.set(name, d);
      return { millis: Math.round(performance.now() - started), heads: A.getHeads(d) };
    }
    case 'read':
      return { json: plain(A.toJS(doc(name))), heads: A.getHeads(doc(name)) };
    case 'marks':
      return { marks: A.marks(doc(name), request.path) };
    case 'save':
      return { bytes: b64(A.save(doc(name))) };
    case 'since':
      return { changes: b64(concat(A.getChanges(A.view(doc(name), request.heads), doc(name)))) };
    default:
      throw new Error(`unknown op ${op}`);
  }
}

for await (const line of createInterface({ input: process.stdin })) {
  let answer;
  try {
    answer = { ok: true, ...handle(JSON.parse(line)) };
  } catch (error) {
    answer = { ok: false, error: String(error?.message ?? error) };
  }
  process.stdout.write(JSON.stringify(answer) + '\n');
}
