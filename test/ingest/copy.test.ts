import { lineOf } from '../../server/ingest/lines';
import { RecordWatch, TextSuspects } from '../../server/ingest/run/scan';

describe('watching record sizes as COPY reads them', () => {
  const feedAll = (limit: number, chunks: string[]) => {
    const w = new RecordWatch(limit);
    return chunks.some((c) => w.feed(Buffer.from(c)));
  };

  it('lets short records through, however many', () => {
    expect(feedAll(10, ['abc,def\n'.repeat(1000)])).toBe(false);
  });

  it('stops a line longer than the limit, across chunks', () => {
    expect(feedAll(10, ['a,b\nxxxxxx', 'xxxxxx\n'])).toBe(true);
    expect(feedAll(10, ['a,b\nxxxxx', 'xxxx\n'])).toBe(false);
  });

  it('counts a quoted field with newlines as one record', () => {
    expect(feedAll(20, ['a,"one\ntwo\n', 'three\nfour\nfive\n', 'six"\n'])).toBe(true);
    expect(feedAll(20, ['a,"one\ntwo"\n', 'b,"three\nfour"\n'])).toBe(false);
  });

  it('treats doubled quotes as staying inside the field', () => {
    expect(feedAll(12, ['a,"say ""hi""\n', 'x"\nb,c\n'])).toBe(true);
    expect(feedAll(20, ['a,"say ""hi"""\nb,c\n'])).toBe(false);
  });
});

describe('blank records', () => {
  const sees = (chunks: string[], delimiter = ',') => {
    const w = new RecordWatch(1000, 1, delimiter.charCodeAt(0));
    for (const c of chunks) w.feed(Buffer.from(c));
    return w.blankRecord;
  };

  it('notices records of only delimiters, quotes and spaces, also across chunks', () => {
    expect(sees(['a,1\n,\nb,2\n'])).toBe(true);
    expect(sees(['a;1\r\n;;\r\n'], ';')).toBe(true);
    expect(sees(['a,1\n"', '",  \nb,2\n'])).toBe(true);
    expect(sees(['a\n\nb\n'])).toBe(true);
  });

  it('does not flag records with content, even content after blank bytes', () => {
    expect(sees(['a,1\n,x\n', ' , y\n'])).toBe(false);
    expect(sees(['a;1\n;', ';z\n'], ';')).toBe(false);
    expect(sees(['a,1\nb,2'])).toBe(false);
  });
});

describe('looking out for text cells to normalize', () => {
  const suspects = (chunks: string[], delimiter = ',') => {
    const t = new TextSuspects(delimiter.charCodeAt(0), 'utf-8');
    for (const c of chunks) t.feed(Buffer.from(c));
    t.finish();
    return t.found;
  };

  it('passes clean data, negative numbers and names starting like a missing value', () => {
    expect(suspects(['1801,LAMPUNG BARAT,-5,Nusa,.5\r\n1802,Na Lampung,#1,n/an\r\n'])).toBe(false);
    expect(suspects(['a\tb\tc\n1\t\t2\n'], '\t')).toBe(false);
  });

  it.each([
    ['a missing value', 'A,-,1\n'],
    ['NA at the start of a line', 'NA,1\n'],
    ['n/a at the end of the data without a line break', 'A,n/a'],
    ['a quoted missing value', 'A,"...",1\n'],
    ['an en dash', 'A,–\r\n'],
    ['a leading space', 'A, x,1\n'],
    ['a trailing space before CRLF', 'A,x \r\n'],
    ['a trailing space in quotes', 'A,"x ",1\n'],
    ['a leading no-break space', 'A,\u00a0x,1\n'],
    ['a trailing no-break space', 'A,x\u00a0,1\n'],
  ])('notices %s', (_what, text) => {
    expect(suspects([text])).toBe(true);
  });

  it('notices cells split across chunks', () => {
    expect(suspects(['1801,Lampung Barat,1\n1802,Tanggamus,N', 'A\n1803,x,3\n'])).toBe(true);
    expect(suspects(['1801,Lampung Barat,1\n1802,Tanggamus', ' ,2\n'])).toBe(true);
    expect(suspects(['1801,Lampung Barat,1\n1802,Tanggamus', ',2\n'])).toBe(false);
  });
});

describe('line numbers of loaded rows', () => {
  it('follows records whose quoted cells hold line breaks, across chunks', () => {
    const w = new RecordWatch(1000, 2); // data starts on line 2
    for (const c of ['A,1\nB,"x\r\n', 'y\nz",2\nC,3\nD,"p', '\nq"\nE,5\n']) expect(w.feed(Buffer.from(c))).toBe(false);
    // Rows A..E start on lines 2, 3, 6, 7, 9.
    expect([1, 2, 3, 4, 5].map((id) => lineOf({ breaks: w.breaks }, id))).toEqual([2, 3, 6, 7, 9]);
  });


  it('maps row ids to file lines through the breakpoints', () => {
    const map = { breaks: [[1, 1], [3, 2], [5, 5]] as Array<[number, number]> };
    expect([1, 2, 3, 4, 5, 6].map((id) => lineOf(map, id))).toEqual([2, 3, 5, 6, 10, 11]);
  });
});
