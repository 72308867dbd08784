import jsonld from 'jsonld';
import N3 from 'n3';
import { FREQUENCY_URI, NS } from '../presenters/dcat-vocab';
import type { Services } from '../services';
import { fetchPage, HarvestFailed } from './harvest-fetch';
import { pickTable, remoteTime, tableKind, type RemoteDataset, type RemoteListing, type RemoteResource } from './harvest-remote';

// A DCAT (DCAT-AP) catalog in Turtle or JSON-LD, paged with hydra (`hydra:nextPage`, as
// ckanext-dcat and this portal write it). Parsed into RDF quads with n3 / jsonld: never by
// pattern-matching text. JSON-LD contexts are never fetched (no second way out of the SSRF guard).

const MAX_PAGES = 200;
const { namedNode } = N3.DataFactory;
const RDF_TYPE = `${NS.rdf}type`;
const FREQUENCY_BY_URI = new Map(Object.entries(FREQUENCY_URI).map(([k, v]) => [v, k]));

const noRemoteContexts = async (url: string): Promise<never> => {
  throw new Error(`remote JSON-LD contexts are not loaded (${url})`);
};

/** The quads of one catalog page, by its content type (Turtle unless it says JSON). */
export async function parseCatalog(text: string, contentType: string, baseIRI: string): Promise<N3.Store> {
  const store = new N3.Store();
  const type = contentType.split(';')[0].trim().toLowerCase();
  try {
    if (type.includes('json')) {
      const nquads = (await jsonld.toRDF(JSON.parse(text), { format: 'application/n-quads', documentLoader: noRemoteContexts, base: baseIRI } as jsonld.Options.ToRdf)) as unknown as string;
      store.addQuads(new N3.Parser({ format: 'N-Quads' }).parse(nquads));
    } else if (type.includes('xml')) {
      throw new HarvestFailed('Katalog RDF/XML belum didukung; gunakan alamat Turtle (.ttl) atau JSON-LD (.jsonld).', 'RDF/XML catalogs are not supported; use the Turtle (.ttl) or JSON-LD (.jsonld) address.');
    } else {
      store.addQuads(new N3.Parser({ baseIRI }).parse(text));
    }
  } catch (err) {
    if (err instanceof HarvestFailed) throw err;
    throw new HarvestFailed(`Katalog DCAT ${baseIRI} tidak dapat dibaca: ${(err as Error).message}`, `The DCAT catalog ${baseIRI} cannot be read: ${(err as Error).message}`);
  }
  return store;
}

type Subject = N3.NamedNode | N3.BlankNode;

function objects(store: N3.Store, s: Subject, p: string): N3.Term[] {
  return store.getObjects(s, namedNode(p), null);
}

/** A literal in the wanted language: `id` first, then one without a language, then any. */
function text(store: N3.Store, s: Subject, p: string, lang: 'id' | 'en' = 'id'): string {
  const lits = objects(store, s, p).filter((o): o is N3.Literal => o.termType === 'Literal');
  const pick = lits.find((l) => l.language === lang) ?? (lang === 'id' ? (lits.find((l) => !l.language) ?? lits.find((l) => l.language !== 'en') ?? lits[0]) : undefined);
  return pick?.value ?? '';
}

/** An IRI or literal URL value. */
function link(store: N3.Store, s: Subject, p: string): string {
  const o = objects(store, s, p).find((x) => x.termType === 'NamedNode' || x.termType === 'Literal');
  return o?.value ?? '';
}

const lastSegment = (iri: string) => iri.replace(/[#/]+$/, '').split(/[#/]/).pop() ?? '';

function distribution(store: N3.Store, d: Subject): RemoteResource & { kind: 'csv' | 'xlsx' | null } | null {
  const url = link(store, d, `${NS.dcat}downloadURL`) || link(store, d, `${NS.dcat}accessURL`);
  if (!/^https?:\/\//i.test(url)) return null;
  const formatTerm = objects(store, d, `${NS.dct}format`)[0];
  const format = formatTerm ? (formatTerm.termType === 'NamedNode' ? lastSegment(formatTerm.value) : formatTerm.value) : '';
  const mediaTerm = objects(store, d, `${NS.dcat}mediaType`)[0];
  const media = mediaTerm ? mediaTerm.value.replace(/^.*\/media-types\//, '') : '';
  return { url, name: text(store, d, `${NS.dct}title`) || url, format: format || media, kind: tableKind(format, media, url) };
}

/** A dcat:Dataset node as a remote dataset (null without an identifier to follow it by). */
export function fromDataset(store: N3.Store, s: Subject): RemoteDataset | null {
  const id = text(store, s, `${NS.dct}identifier`) || (s.termType === 'NamedNode' ? s.value : '');
  if (!id) return null;
  const dists = objects(store, s, `${NS.dcat}distribution`)
    .filter((o): o is Subject => o.termType === 'NamedNode' || o.termType === 'BlankNode')
    .map((o) => distribution(store, o))
    .filter((x): x is NonNullable<typeof x> => x !== null)
    .sort((a, b) => a.url.localeCompare(b.url));
  const { table, links } = pickTable(dists.map(({ kind: _k, ...r }) => r), dists.map((x) => x.kind));
  const keywords = objects(store, s, `${NS.dcat}keyword`).filter((o): o is N3.Literal => o.termType === 'Literal' && o.language !== 'en').map((o) => o.value);
  const themes = objects(store, s, `${NS.dcat}theme`).map((o) => o.value);
  const topic = themes.map((iri) => /\/topic\/([a-z0-9-]+)$/.exec(iri)?.[1]).find(Boolean) ?? null;
  const landing = link(store, s, `${NS.dcat}landingPage`) || (s.termType === 'NamedNode' && /^https?:/.test(s.value) ? s.value : '');
  const title = text(store, s, `${NS.dct}title`);
  return {
    id,
    name: null,
    title: title || id,
    description: text(store, s, `${NS.dct}description`),
    title_en: text(store, s, `${NS.dct}title`, 'en') || undefined,
    description_en: text(store, s, `${NS.dct}description`, 'en') || undefined,
    tags: [...new Set(keywords)],
    license: null,
    frequency: FREQUENCY_BY_URI.get(link(store, s, `${NS.dct}accrualPeriodicity`)) ?? null,
    topic,
    metadata: {},
    modified: remoteTime(text(store, s, `${NS.dct}modified`)),
    landing: landing || null,
    table,
    links,
  };
}

/** Reads every page of a DCAT catalog, following hydra:nextPage. */
export async function dcatListing(services: Services, url: string): Promise<RemoteListing> {
  const notes: RemoteListing['notes'] = [];
  const found = new Map<string, RemoteDataset>();
  const visited = new Set<string>();
  let total: number | null = null;
  let next: string | null = url;
  for (let page = 0; next && page < MAX_PAGES; page++) {
    visited.add(next);
    const got = await fetchPage(services, next, 'text/turtle, application/ld+json;q=0.9');
    const store = await parseCatalog(got.text, got.contentType, got.url);
    for (const s of store.getSubjects(namedNode(RDF_TYPE), namedNode(`${NS.dcat}Dataset`), null)) {
      const d = fromDataset(store, s as Subject);
      if (d) found.set(d.id, d);
    }
    const totals = store.getObjects(null, namedNode(`${NS.hydra}totalItems`), null);
    if (totals.length && total === null) total = Number(totals[0].value);
    const nexts = store.getObjects(null, namedNode(`${NS.hydra}nextPage`), null).map((o) => new URL(o.value, got.url).toString());
    next = nexts.find((n) => !visited.has(n)) ?? null;
  }
  if (total !== null && found.size < total) {
    notes.push({
      id: `Katalog menyebut ${total} dataset, tetapi halamannya hanya memuat ${found.size}; yang hilang dari daftar tidak ditarik pada panen ini.`,
      en: `The catalog reported ${total} datasets but its pages held only ${found.size}; nothing is retracted on this run.`,
    });
  }
  const complete = !next && (total === null || found.size >= total);
  return { datasets: [...found.values()], present: complete ? new Set(found.keys()) : null, notes };
}
