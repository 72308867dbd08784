import N3 from 'n3';
import { DcatGraph } from '../../server/presenters/dcat';
import { NS } from '../../server/presenters/dcat-vocab';

// The catalog's paging after ckanext-dcat (hydra:PagedCollection), on a catalog larger than a page.

const { namedNode } = N3.DataFactory;
const BASE = 'https://data.lampungprov.test';

function page(n: number, total: number) {
  const g = new DcatGraph({ base: BASE });
  g.catalog({ publisher: null, datasets: [], modified: null, issued: null, province: undefined, topics: [], paging: { self: `${BASE}/catalog.ttl?page=${n}`, page: n, perPage: 100, total, url: (p) => `${BASE}/catalog.ttl?page=${p}` } });
  const s = namedNode(`${BASE}/catalog.ttl?page=${n}`);
  const one = (p: string) => g.store.getObjects(s, namedNode(`${NS.hydra}${p}`), null).map((o) => o.value);
  return { type: g.store.getObjects(s, namedNode(`${NS.rdf}type`), null).map((o) => o.value), total: one('totalItems'), first: one('firstPage'), last: one('lastPage'), next: one('nextPage'), previous: one('previousPage') };
}

describe('hydra paging of the DCAT catalog', () => {
  it('names the first, last, next and previous pages of a middle page', () => {
    expect(page(2, 250)).toEqual({
      type: [`${NS.hydra}PagedCollection`], total: ['250'],
      first: [`${BASE}/catalog.ttl?page=1`], last: [`${BASE}/catalog.ttl?page=3`], next: [`${BASE}/catalog.ttl?page=3`], previous: [`${BASE}/catalog.ttl?page=1`],
    });
  });

  it('has no previous page on the first page and no next page on the last', () => {
    expect(page(1, 250)).toMatchObject({ previous: [], next: [`${BASE}/catalog.ttl?page=2`] });
    expect(page(3, 250)).toMatchObject({ previous: [`${BASE}/catalog.ttl?page=2`], next: [] });
    // An empty catalog still has one page; a page past the end points back to the last.
    expect(page(1, 0)).toMatchObject({ last: [`${BASE}/catalog.ttl?page=1`], next: [], previous: [] });
    expect(page(5, 250)).toMatchObject({ previous: [`${BASE}/catalog.ttl?page=3`], next: [] });
  });
});
