// Decoded CSV text in, the same text out with every line of nothing but spaces or tabs (outside
// quotes) emptied, its line break kept: csv-parse then skips it as an empty line instead of
// building an error object for a record of the wrong width, which made 300,000 such lines hold
// the event loop for 18 s. Line numbers do not move; a quoted cell's own lines are left alone.
import { StringDecoder } from 'node:string_decoder';
import { Transform } from 'node:stream';

/** Empties the whitespace-only lines of `text` (whole lines) outside quotes; returns the quote state after it. */
export function emptyBlankLines(text: string, inQuote: boolean): { text: string; inQuote: boolean } {
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
    // An odd number of quotes on a line opens (or closes) a quoted field across the line break.
    // (`q`, the next quote, is searched for once past each quote, never again per line.)
    for (; q !== -1 && q < end; q = text.indexOf('"', q + 1)) quoted = !quoted;
    if (nl === -1) break;
    at = nl + 1;
  }
  if (!out) return { text, inQuote: quoted };
  out.push(text.slice(kept));
  return { text: out.join(''), inQuote: quoted };
}

/** The longest partial line held back between chunks. */
const MAX_CARRY = 1 << 20;

/** A stream of decoded text (as UTF-8 bytes) with its whitespace-only lines emptied. */
export function blankLinesEmptied(): Transform {
  const decoder = new StringDecoder('utf8');
  let carry = '';
  let inQuote = false;
  const pass = (text: string): string => {
    const r = emptyBlankLines(text, inQuote);
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
        for (let q = text.indexOf('"'); q !== -1; q = text.indexOf('"', q + 1)) inQuote = !inQuote;
        return cb(null, text);
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
