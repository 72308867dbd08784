import jsonld from 'jsonld';
import N3 from 'n3';
import { XMLBuilder } from './xml';
import { NS } from '../../../presenters/dcat-vocab';

// Writers of a DCAT graph: Turtle (n3), JSON-LD (jsonld, compacted with our prefixes — no
// remote context is ever fetched) and RDF/XML (a plain striped writer over the same quads).

export const RDF_TYPES = {
  ttl: 'text/turtle',
  jsonld: 'application/ld+json',
  rdf: 'application/rdf+xml',
} as const;
export type RdfFormat = keyof typeof RDF_TYPES;

/** The graph as Turtle with the usual prefixes. */
export function toTurtle(store: N3.Store): Promise<string> {
  return new Promise((resolve, reject) => {
    const writer = new N3.Writer({ prefixes: NS });
    writer.addQuads(store.getQuads(null, null, null, null));
    writer.end((err, out) => (err ? reject(err) : resolve(out)));
  });
}

function toNQuads(store: N3.Store): Promise<string> {
  return new Promise((resolve, reject) => {
    const writer = new N3.Writer({ format: 'N-Quads' });
    writer.addQuads(store.getQuads(null, null, null, null));
    writer.end((err, out) => (err ? reject(err) : resolve(out)));
  });
}

const noRemoteContexts = async (url: string): Promise<never> => {
  throw new Error(`remote JSON-LD documents are not loaded (${url})`);
};

/** The graph as compacted JSON-LD with an inline context of our prefixes. */
export async function toJsonLd(store: N3.Store): Promise<string> {
  const expanded = await jsonld.fromRDF(await toNQuads(store), { format: 'application/n-quads', useNativeTypes: false });
  const compacted = await jsonld.compact(expanded, { ...NS }, { documentLoader: noRemoteContexts });
  return JSON.stringify(compacted, null, 2);
}

/** Splits an IRI into a namespace and a local name that is a valid XML name. */
function splitIri(iri: string): [string, string] {
  const m = /^(.*[#/])([A-Za-z_][A-Za-z0-9_.-]*)$/.exec(iri);
  if (!m) throw new Error(`cannot write ${iri} as an RDF/XML property`);
  return [m[1], m[2]];
}

/** The graph as RDF/XML (one rdf:Description per subject). */
export function toRdfXml(store: N3.Store): string {
  const prefixes = new Map<string, string>(Object.entries(NS).map(([p, ns]) => [ns, p]));
  const qname = (iri: string) => {
    const [ns, local] = splitIri(iri);
    let p = prefixes.get(ns);
    if (!p) {
      p = `ns${prefixes.size}`;
      prefixes.set(ns, p);
    }
    return `${p}:${local}`;
  };
  const xml = new XMLBuilder();
  const bySubject = new Map<string, N3.Quad[]>();
  for (const q of store.getQuads(null, null, null, null)) {
    const key = `${q.subject.termType}:${q.subject.value}`;
    (bySubject.get(key) ?? bySubject.set(key, []).get(key)!).push(q);
  }
  const body = [...bySubject.values()].map((quads) => {
    const s = quads[0].subject;
    const attrs: Record<string, string> = s.termType === 'BlankNode' ? { 'rdf:nodeID': s.value } : { 'rdf:about': s.value };
    const children = quads.map((q) => {
      const name = qname(q.predicate.value);
      const o = q.object;
      if (o.termType === 'NamedNode') return xml.element(name, { 'rdf:resource': o.value });
      if (o.termType === 'BlankNode') return xml.element(name, { 'rdf:nodeID': o.value });
      const lit = o as N3.Literal;
      const a: Record<string, string> = {};
      if (lit.language) a['xml:lang'] = lit.language;
      else if (lit.datatype && lit.datatype.value !== `${NS.xsd}string`) a['rdf:datatype'] = lit.datatype.value;
      return xml.element(name, a, lit.value);
    });
    return xml.element('rdf:Description', attrs, null, children);
  });
  const ns: Record<string, string> = {};
  for (const [iri, p] of prefixes) ns[`xmlns:${p}`] = iri;
  return xml.document(xml.element('rdf:RDF', ns, null, body));
}
