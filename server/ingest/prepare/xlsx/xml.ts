// A streaming XML walk over one zip entry: element names without their namespace prefix.
import type { Readable } from 'node:stream';
import { SaxesParser } from 'saxes';
import { XlsxRefused } from './refused';

export interface XmlHandlers {
  open?(name: string, attrs: Record<string, string>): void;
  close?(name: string): void;
  text?(text: string): void;
  /** Awaited after each chunk is parsed: where the consumer applies backpressure. */
  afterChunk?(): Promise<void> | void;
}

const local = (name: string) => name.slice(name.indexOf(':') + 1);

/** Feeds the entry through a SAX parser; resolves when the document ends. Never builds a tree. */
export async function walkXml(stream: Readable, h: XmlHandlers): Promise<void> {
  const parser = new SaxesParser({ xmlns: false, position: false });
  let failed: unknown = null;
  parser.on('error', (err) => {
    failed ??= err;
  });
  if (h.open) {
    const open = h.open;
    parser.on('opentag', (tag) => open(local(tag.name), tag.attributes as Record<string, string>));
  }
  if (h.close) {
    const close = h.close;
    parser.on('closetag', (tag) => close(local(tag.name)));
  }
  if (h.text) {
    const text = h.text;
    parser.on('text', text);
    parser.on('cdata', text);
  }
  stream.setEncoding('utf8');
  try {
    for await (const chunk of stream) {
      parser.write(chunk as string);
      if (failed) break;
      if (h.afterChunk) await h.afterChunk();
    }
    if (!failed) parser.close();
  } catch (err) {
    if (err instanceof XlsxRefused) throw err;
    failed ??= err;
  } finally {
    stream.destroy();
  }
  if (failed) throw failed instanceof XlsxRefused ? failed : new XlsxRefused('bad_xlsx');
}
