// Decoded CSV text in, the same text out with every line of nothing but spaces or tabs (outside
// quotes) emptied, its line break kept: csv-parse then skips it as an empty line instead of
// building an error object for a record of the wrong width, which made 300,000 such lines hold
// the event loop for 18 s. Line numbers do not move; a quoted cell's own lines are left alone.
import { StringDecoder } from 'node:string_decoder';
import { Transform } from 'node:stream';

/**
 * Empties the whitespace-only lines of `text` (whole lines) outside quotes; returns the quote state
 * after it. `text` starts at a line's start. Quotes are read as csv-parse reads them (with
 * relax_quotes): a quote opens a quoted field only at the field's start (after `delimiter` or a
 * line break); inside one, `""` is a quote and a quote before the delimiter or a line break closes
 * it, while a quote before anything else ends the quoting there (the field goes on as plain
 * text). Counting quotes instead took `""…"` (an empty quoted field, then text) for an open quote,
 * so every line of spaces after it went to csv-parse as a record: 60,000 of them took 18 s.
 */
export function emptyBlankLines(text: string, inQuote: boolean, delimiter = ','): { text: string; inQuote: boolean } {
  let out: string[] | null = null;
  let kept = 0;
  let quoted = inQuote;
  let q = text.indexOf('"');
  for (let at = 0; at < text.length;) {
    const nl = text.indexOf('\n', at);
    const end = nl === -1 ? text.length : nl;
    const first = text.charCodeAt(at);
    if (!quoted && nl !== -1 && (first === 0x20 || first === 0x09)) {
      let blank = true;
      for (let i = at; blank && i < end; i++) {
        const c = text.charCodeAt(i);
        if (c !== 0x20 && c !== 0x09 && !(c === 0x0d && i === end - 1)) blank = false;
      }
      if (blank) {
        (out ??= []).push(text.slice(kept, at), text.charCodeAt(end - 1) === 0x0d ? '\r' : '');
        kept = end;
      }
    }
    // The quotes of this line (`q`, the next quote, is searched for once past each quote, never
    // again per line); a quoted field left open goes on across the line break.
    for (; q !== -1 && q < end; q = text.indexOf('"', q + 1)) {
      if (quoted) {
        const next = text.charCodeAt(q + 1);
        if (next === 0x22) q++; // `""`: a quote in the field
        else quoted = false; // closed, or (before anything but a delimiter or line break) given up
      } else {
        const prev = q === 0 ? 0x0a : text.charCodeAt(q - 1);
        if (prev === 0x0a || prev === 0x0d || text[q - 1] === delimiter) quoted = true;
      }
    }
    if (nl === -1) break;
    at = nl + 1;
  }
  if (!out) return { text, inQuote: quoted };
  out.push(text.slice(kept));
  return { text: out.join(''), inQuote: quoted };
}

/** The longest partial line held back between chunks. */
const MAX_CARRY = 1 << 20;

/** A stream of decoded text (as UTF-8 bytes) with its whitespace-only lines emptied; `delimiter` is the file's. */
export function blankLinesEmptied(delimiter: string): Transform {
  const decoder = new StringDecoder('utf8');
  let carry = '';
  let inQuote = false;
  const pass = (text: string): string => {
    const r = emptyBlankLines(text, inQuote, delimiter);
    inQuote = r.inQuote;
    return r.text;
  };
  return new Transform({
    transform(chunk: Buffer, _e, cb) {
      const text = carry + decoder.write(chunk);
      const last = text.lastIndexOf('\n');
      if (last === -1) {
        // No line break for a long way (a CR-only file): passed on as it is, never held whole.
        if (text.length <= MAX_CARRY) {
          carry = text;
          return cb();
        }
        carry = '';
        return cb(null, pass(text));
      }
      carry = text.slice(last + 1);
      cb(null, pass(text.slice(0, last + 1)));
    },
    flush(cb) {
      const rest = carry + decoder.end();
      cb(null, rest ? pass(rest) : undefined);
    },
  });
}
