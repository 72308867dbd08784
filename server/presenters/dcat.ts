import N3 from 'n3';
import type { DatasetJoinedRow, OrganizationRow, TopicRow } from '../db/rows';
import { regionGeometries, type Extent, type Region } from '../queries/extent';
import type { PublishedVersion } from '../queries/resources';
import { licenseInfo } from './license';
import { EU, FREQUENCY_LABEL, FREQUENCY_URI, IANA, NS, THEME_CODE } from './dcat-vocab';

// DCAT-AP 3 graphs of the catalog and its datasets, built as RDF/JS quads with n3 (never text):
// the serialisers in routes/api/dcat write them as Turtle, JSON-LD or RDF/XML.

const { namedNode, literal, blankNode, quad } = N3.DataFactory;
type Term = N3.NamedNode | N3.BlankNode;

export interface DcatContext {
  base: string;
  /** A dataset graph on its own also describes the services that serve it; a catalog does so once. */
  standalone?: boolean;
}

/** Everything the graph of one dataset is made from. */
export interface DcatDataset {
  row: DatasetJoinedRow;
  versions: PublishedVersion[];
  extent: Extent;
  organization: Pick<OrganizationRow, 'slug' | 'name'> & Partial<OrganizationRow>;
  province: Region | undefined;
  /** Without a time column: the data-list period the current table delivers (`YYYY-MM-DD` bounds), if known. */
  period?: { start: string; end: string } | null;
}

/** Paging of a catalog page, after ckanext-dcat (hydra:PagedCollection). */
export interface CatalogPage {
  self: string;
  page: number;
  perPage: number;
  total: number;
  url(page: number): string;
}

/** Builds DCAT-AP 3 graphs into an n3 Store. */
export class DcatGraph {
  readonly store = new N3.Store();
  private typed = new Set<string>();
  private blanks = 0;

  constructor(private readonly ctx: DcatContext) {}

  /** A blank node labelled by its place in this graph (n3's default labels count per process, so the same graph would serialise differently each time and its ETag never match). */
  private blank(): N3.BlankNode {
    return blankNode(`b${this.blanks++}`);
  }

  private add(s: Term, p: string, o: N3.Term): void {
    this.store.addQuad(quad(s, namedNode(p), o as N3.Quad_Object));
  }
  private text(s: Term, p: string, value: string | null | undefined, lang?: string): void {
    if (value === null || value === undefined || value.trim() === '') return;
    this.add(s, p, literal(value, lang));
  }
  private typedLiteral(s: Term, p: string, value: string, type: string): void {
    this.add(s, p, literal(value, namedNode(type)));
  }
  /** An IRI typed with `cls` (once), with an optional label property. */
  private node(iri: string, cls: string, label?: { p: string; value: string; lang?: string }): N3.NamedNode {
    const n = namedNode(iri);
    const key = `${iri} ${cls}`;
    if (!this.typed.has(key)) {
      this.typed.add(key);
      this.add(n, `${NS.rdf}type`, namedNode(cls));
      if (label) this.add(n, label.p, literal(label.value, label.lang));
    }
    return n;
  }
  private dateTime(s: Term, p: string, t: Date | string | null | undefined): void {
    if (!t) return;
    const d = t instanceof Date ? t : new Date(t);
    if (Number.isNaN(d.getTime())) return;
    this.typedLiteral(s, p, d.toISOString(), `${NS.xsd}dateTime`);
  }
  private language(code: 'IND' | 'ENG'): N3.NamedNode {
    return this.node(`${EU}language/${code}`, `${NS.dct}LinguisticSystem`);
  }
  private license(id: string): N3.NamedNode | null {
    const lic = licenseInfo(id);
    if (!lic.url) return null;
    const n = this.node(lic.url, `${NS.dct}LicenseDocument`, { p: `${NS.dct}title`, value: lic.title });
    if (!this.typed.has(`${n.value} licence-type`)) {
      this.typed.add(`${n.value} licence-type`);
      // ADMS licence types: what the licence asks of a reuser.
      const types = /^CC0|PDDL/i.test(id) ? ['PublicDomain'] : ['Attribution', ...(/SA|ODbL/i.test(id) ? ['ShareAlike'] : []), ...(/NC/.test(id) ? ['NonCommercialUseOnly'] : [])];
      for (const t of types) this.add(n, `${NS.dct}type`, this.node(`http://purl.org/adms/licencetype/${t}`, `${NS.skos}Concept`, { p: `${NS.skos}prefLabel`, value: t, lang: 'en' }));
    }
    return n;
  }
  private document(url: string): N3.NamedNode {
    return this.node(url, `${NS.foaf}Document`);
  }
  private agent(o: Pick<OrganizationRow, 'slug' | 'name'> & Partial<OrganizationRow>): N3.NamedNode {
    const n = this.node(`${this.ctx.base}/organization/${o.slug}`, `${NS.foaf}Agent`, { p: `${NS.foaf}name`, value: o.name });
    if (!this.typed.has(`${n.value} agent-details`)) {
      this.typed.add(`${n.value} agent-details`);
      this.add(n, `${NS.dct}type`, this.node('http://purl.org/adms/publishertype/RegionalAuthority', `${NS.skos}Concept`, { p: `${NS.skos}prefLabel`, value: 'Regional authority', lang: 'en' }));
      if (o.website) this.add(n, `${NS.foaf}homepage`, this.document(o.website));
      if (o.contact_email) this.add(n, `${NS.foaf}mbox`, namedNode(`mailto:${o.contact_email}`));
    }
    return n;
  }
  private location(r: Region): N3.NamedNode {
    const n = this.node(`${this.ctx.base}/wilayah/${r.kode_bps}`, `${NS.dct}Location`, { p: `${NS.skos}prefLabel`, value: r.nama, lang: 'id' });
    if (!this.typed.has(`${n.value} codes`)) {
      this.typed.add(`${n.value} codes`);
      this.typedLiteral(n, `${NS.dct}identifier`, r.kode_bps, `${NS.xsd}string`);
      this.text(n, `${NS.skos}notation`, `BPS ${r.kode_bps}`);
      this.text(n, `${NS.skos}altLabel`, `Kemendagri ${r.kode_kemendagri}`);
      const geom = regionGeometries().get(r.kode_bps);
      if (geom) {
        this.typedLiteral(n, `${NS.dcat}bbox`, geom.bbox, `${NS.geo}wktLiteral`);
        this.typedLiteral(n, `${NS.dcat}centroid`, geom.centroid, `${NS.geo}wktLiteral`);
      }
    }
    return n;
  }
  /** Our topic scheme and its concepts, with their EU data-theme equivalents. */
  private topicScheme(): N3.NamedNode {
    return this.node(`${this.ctx.base}/topic`, `${NS.skos}ConceptScheme`, { p: `${NS.dct}title`, value: 'Topik Satu Data Provinsi Lampung', lang: 'id' });
  }
  private euThemeScheme(): N3.NamedNode {
    return this.node(`${EU}data-theme`, `${NS.skos}ConceptScheme`, { p: `${NS.dct}title`, value: 'Data theme', lang: 'en' });
  }
  private themes(topic: Pick<TopicRow, 'slug' | 'name_id' | 'name_en'>): N3.NamedNode[] {
    const ours = this.node(`${this.ctx.base}/topic/${topic.slug}`, `${NS.skos}Concept`, { p: `${NS.skos}prefLabel`, value: topic.name_id, lang: 'id' });
    const out = [ours];
    if (!this.typed.has(`${ours.value} scheme`)) {
      this.typed.add(`${ours.value} scheme`);
      this.text(ours, `${NS.skos}prefLabel`, topic.name_en, 'en');
      this.add(ours, `${NS.skos}inScheme`, this.topicScheme());
    }
    const eu = THEME_CODE[topic.slug];
    if (eu) {
      const n = this.node(`${EU}data-theme/${eu[0]}`, `${NS.skos}Concept`, { p: `${NS.skos}prefLabel`, value: eu[1], lang: 'en' });
      if (!this.typed.has(`${n.value} scheme`)) {
        this.typed.add(`${n.value} scheme`);
        this.add(n, `${NS.skos}inScheme`, this.euThemeScheme());
      }
      this.add(ours, `${NS.skos}exactMatch`, n);
      out.push(n);
    }
    return out;
  }
  private periodicity(freq: string): N3.NamedNode | null {
    const iri = FREQUENCY_URI[freq];
    return iri ? this.node(iri, `${NS.dct}Frequency`, { p: `${NS.skos}prefLabel`, value: FREQUENCY_LABEL[freq] ?? freq, lang: 'en' }) : null;
  }
  private fileType(code: 'CSV' | 'JSON' | 'XLSX'): N3.NamedNode {
    return this.node(`${EU}file-type/${code}`, `${NS.dct}MediaTypeOrExtent`, { p: `${NS.skos}prefLabel`, value: code });
  }
  private mediaType(type: string): N3.NamedNode {
    return this.node(`${IANA}${type}`, `${NS.dct}MediaType`);
  }
  private accessRights(): N3.NamedNode {
    return this.node(`${EU}access-right/PUBLIC`, `${NS.dct}RightsStatement`, { p: `${NS.rdfs}label`, value: 'public', lang: 'en' });
  }

  /** A contact point (vcard:Kind). */
  private contact(name: string, email: string | null, url: string | null): N3.BlankNode {
    const c = this.blank();
    this.add(c, `${NS.rdf}type`, namedNode(`${NS.vcard}Kind`));
    this.add(c, `${NS.rdf}type`, namedNode(`${NS.vcard}Organization`));
    this.text(c, `${NS.vcard}fn`, name);
    if (email) this.add(c, `${NS.vcard}hasEmail`, namedNode(`mailto:${email}`));
    if (url) this.add(c, `${NS.vcard}hasURL`, namedNode(url));
    return c;
  }

  /** A new dct:PeriodOfTime as the temporal coverage of `n`, for its bounds to be added to. */
  private periodOfTime(n: Term): N3.BlankNode {
    const period = this.blank();
    this.add(n, `${NS.dct}temporal`, period);
    this.add(period, `${NS.rdf}type`, namedNode(`${NS.dct}PeriodOfTime`));
    return period;
  }

  /** The portal's APIs as data services serving the given datasets. */
  services(datasets: string[], publisher: N3.NamedNode | null, contact: { name: string; email: string | null } | null): N3.NamedNode[] {
    const { base } = this.ctx;
    const defs = [
      { iri: `${base}/api/v1`, title: 'API baca Satu Data (JSON)', titleEn: 'Satu Data read API (JSON)', description: `${base}/api/v1/openapi.json`, standard: 'https://spec.openapis.org/oas/v3.1.0' },
      { iri: `${base}/api/3/action`, title: 'API aksi kompatibel CKAN', titleEn: 'CKAN-compatible action API', description: `${base}/api/3/action/help_show?name=package_search`, standard: 'https://docs.ckan.org/en/2.10/api/' },
    ];
    return defs.map((s) => {
      const n = this.node(`${s.iri}#service`, `${NS.dcat}DataService`);
      this.text(n, `${NS.dct}title`, s.title, 'id');
      this.text(n, `${NS.dct}title`, s.titleEn, 'en');
      this.add(n, `${NS.dcat}endpointURL`, namedNode(s.iri));
      this.add(n, `${NS.dcat}endpointDescription`, namedNode(s.description));
      this.add(n, `${NS.dct}conformsTo`, this.node(s.standard, `${NS.dct}Standard`));
      this.add(n, `${NS.dct}accessRights`, this.accessRights());
      this.add(n, `${NS.dct}license`, this.license('CC-BY-4.0')!);
      if (publisher) this.add(n, `${NS.dct}publisher`, publisher);
      if (contact) this.add(n, `${NS.dcat}contactPoint`, this.contact(contact.name, contact.email, null));
      for (const k of ['api', 'open data', 'satu data']) this.text(n, `${NS.dcat}keyword`, k, 'id');
      this.add(n, `${NS.dcat}theme`, this.node(`${EU}data-theme/GOVE`, `${NS.skos}Concept`, { p: `${NS.skos}prefLabel`, value: 'Government and public sector', lang: 'en' }));
      for (const d of datasets) this.add(n, `${NS.dcat}servesDataset`, namedNode(d));
      return n;
    });
  }

  /** One dataset with its distributions (CSV, JSON, XLSX downloads and the data package of the current version). */
  dataset(x: DcatDataset): N3.NamedNode {
    const { base } = this.ctx;
    const d = x.row;
    const page = `${base}/dataset/${d.slug}`;
    const n = this.node(page, `${NS.dcat}Dataset`);
    this.typedLiteral(n, `${NS.dct}identifier`, d.uuid, `${NS.xsd}string`);
    const adms = this.blank();
    this.add(n, `${NS.adms}identifier`, adms);
    this.add(adms, `${NS.rdf}type`, namedNode(`${NS.adms}Identifier`));
    this.text(adms, `${NS.skos}notation`, d.slug);
    this.text(n, `${NS.dct}title`, d.title, 'id');
    this.text(n, `${NS.dct}title`, d.title_en, 'en');
    this.text(n, `${NS.dct}description`, d.description || d.title, 'id');
    this.text(n, `${NS.dct}description`, d.description_en, 'en');
    const publisher = this.agent(x.organization);
    this.add(n, `${NS.dct}publisher`, publisher);
    this.add(n, `${NS.dct}creator`, publisher);

    this.add(n, `${NS.dcat}contactPoint`, this.contact(d.contact_name || x.organization.name, d.contact_email || x.organization.contact_email || null, `${base}/organization/${x.organization.slug}`));

    for (const tag of d.tags ?? []) this.text(n, `${NS.dcat}keyword`, tag, 'id');
    // Without tags, the topic's name is the keyword (dcat:keyword is recommended by DCAT-AP).
    if (!d.tags?.length && d.topic_slug) {
      this.text(n, `${NS.dcat}keyword`, d.topic_name_id ?? d.topic_slug, 'id');
      this.text(n, `${NS.dcat}keyword`, d.topic_name_en, 'en');
    }
    if (d.topic_slug) {
      for (const t of this.themes({ slug: d.topic_slug, name_id: d.topic_name_id ?? d.topic_slug, name_en: d.topic_name_en ?? '' })) this.add(n, `${NS.dcat}theme`, t);
    }
    const regions = x.extent.regions.length ? x.extent.regions : x.province ? [x.province] : [];
    for (const r of regions) this.add(n, `${NS.dct}spatial`, this.location(r));
    if (x.extent.start || x.extent.end) {
      const period = this.periodOfTime(n);
      const put = (p: string, v: Extent['start'], end: boolean) => {
        if (!v) return;
        if (v.kind === 'date') this.typedLiteral(period, p, v.value.slice(0, 10), `${NS.xsd}date`);
        else this.typedLiteral(period, p, `${v.value}-${end ? '12-31' : '01-01'}`, `${NS.xsd}date`);
      };
      put(`${NS.dcat}startDate`, x.extent.start, false);
      put(`${NS.dcat}endDate`, x.extent.end, true);
    } else if (x.period) {
      // No time column: the period its data-list item says this publication delivered.
      const period = this.periodOfTime(n);
      this.typedLiteral(period, `${NS.dcat}startDate`, x.period.start, `${NS.xsd}date`);
      this.typedLiteral(period, `${NS.dcat}endDate`, x.period.end, `${NS.xsd}date`);
    }
    const freq = this.periodicity(d.frequency);
    if (freq) this.add(n, `${NS.dct}accrualPeriodicity`, freq);
    const first = [...x.versions].sort((a, b) => Number(a.number) - Number(b.number))[0];
    this.dateTime(n, `${NS.dct}issued`, first?.published_at ?? d.created_at);
    this.dateTime(n, `${NS.dct}modified`, d.updated_at);
    if (d.current_number != null) this.text(n, `${NS.dcat}version`, String(d.current_number));
    const current = x.versions.find((v) => v.id === d.current_version_id);
    this.text(n, `${NS.adms}versionNotes`, d.methodology_note || (current ? `Versi ${current.number}, terbit ${new Date(String(current.published_at)).toISOString().slice(0, 10)}.` : null), 'id');
    this.add(n, `${NS.dcat}landingPage`, this.document(page));
    this.add(n, `${NS.dct}accessRights`, this.accessRights());
    this.add(n, `${NS.dct}language`, this.language('IND'));
    if (d.source) {
      const prov = this.blank();
      this.add(n, `${NS.dct}provenance`, prov);
      this.add(prov, `${NS.rdf}type`, namedNode(`${NS.dct}ProvenanceStatement`));
      this.text(prov, `${NS.rdfs}label`, d.source, 'id');
    }
    if (current) {
      for (const dist of this.distributions(d, current)) this.add(n, `${NS.dcat}distribution`, dist);
      // The JSON distribution is also served by the read API: that service is described here too.
      if (this.ctx.standalone) this.services([page], publisher, { name: x.organization.name, email: x.organization.contact_email ?? null });
    }
    return n;
  }

  private distributions(d: DatasetJoinedRow, v: PublishedVersion): N3.NamedNode[] {
    const { base } = this.ctx;
    const page = `${base}/dataset/${d.slug}`;
    const kinds = [
      { key: 'csv', code: 'CSV' as const, media: 'text/csv', url: `${page}/download.csv?version=${v.number}`, title: 'CSV' },
      { key: 'json', code: 'JSON' as const, media: 'application/json', url: `${page}/download.json?version=${v.number}`, title: 'JSON' },
      { key: 'xlsx', code: 'XLSX' as const, media: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', url: `${page}/download.xlsx?version=${v.number}`, title: 'Excel (XLSX)' },
      { key: 'datapackage', code: 'JSON' as const, media: 'application/json', url: `${page}/datapackage.json`, title: 'Frictionless Data Package' },
    ];
    const lic = this.license(d.license);
    return kinds.map((k) => {
      const n = this.node(`${page}/distribution/${k.key}`, `${NS.dcat}Distribution`);
      this.text(n, `${NS.dct}title`, `${d.title} (${k.title}, versi ${v.number})`, 'id');
      this.text(n, `${NS.dct}description`, k.key === 'datapackage' ? 'Deskripsi Frictionless Data Package 2.0 (skema tabel, dialek, kode referensi).' : `Unduhan ${k.title} seluruh tabel versi ${v.number}.`, 'id');
      this.add(n, `${NS.dcat}accessURL`, namedNode(page));
      this.add(n, `${NS.dcat}downloadURL`, namedNode(k.url));
      this.add(n, `${NS.dct}format`, this.fileType(k.code));
      this.add(n, `${NS.dcat}mediaType`, this.mediaType(k.media));
      if (lic) this.add(n, `${NS.dct}license`, lic);
      this.add(n, `${NS.dct}rights`, this.accessRights());
      this.dateTime(n, `${NS.dct}issued`, v.published_at);
      this.dateTime(n, `${NS.dct}modified`, v.published_at);
      this.add(n, `${NS.dcatap}availability`, this.node(`${EU}planned-availability/STABLE`, `${NS.skos}Concept`, { p: `${NS.skos}prefLabel`, value: 'stable', lang: 'en' }));
      this.add(n, `${NS.adms}status`, this.node(`${EU}distribution-status/COMPLETED`, `${NS.skos}Concept`, { p: `${NS.skos}prefLabel`, value: 'completed', lang: 'en' }));
      this.add(n, `${NS.dct}language`, this.language('IND'));
      if (k.key === 'datapackage') this.add(n, `${NS.dct}conformsTo`, this.node('https://datapackage.org/profiles/2.0/datapackage.json', `${NS.dct}Standard`));
      if (k.key === 'csv' && v.digest) {
        this.typedLiteral(n, `${NS.dcat}byteSize`, String(v.digest.bytes), `${NS.xsd}decimal`);
        const sum = this.blank();
        this.add(n, `${NS.spdx}checksum`, sum);
        this.add(sum, `${NS.rdf}type`, namedNode(`${NS.spdx}Checksum`));
        this.add(sum, `${NS.spdx}algorithm`, namedNode(`${NS.spdx}checksumAlgorithm_sha256`));
        this.typedLiteral(sum, `${NS.spdx}checksumValue`, v.digest.sha256, `${NS.xsd}hexBinary`);
      }
      if (k.key === 'json') this.add(n, `${NS.dcat}accessService`, namedNode(`${base}/api/v1#service`));
      return n;
    });
  }

  /** The catalog node with its datasets (those of this page), services and paging. */
  catalog(opts: { publisher: (Pick<OrganizationRow, 'slug' | 'name'> & Partial<OrganizationRow>) | null; datasets: N3.NamedNode[]; modified: Date | string | null; issued: Date | string | null; province: Region | undefined; topics: Array<Pick<TopicRow, 'slug' | 'name_id' | 'name_en'>>; paging?: CatalogPage }): N3.NamedNode {
    const { base } = this.ctx;
    const n = this.node(`${base}/catalog`, `${NS.dcat}Catalog`);
    this.text(n, `${NS.dct}title`, 'Satu Data Provinsi Lampung', 'id');
    this.text(n, `${NS.dct}title`, 'Lampung Province Open Data', 'en');
    this.text(n, `${NS.dct}description`, 'Katalog data sektoral Provinsi Lampung menurut Perpres 39/2019 tentang Satu Data Indonesia.', 'id');
    this.text(n, `${NS.dct}description`, 'Catalog of sectoral statistics of Lampung Province under Presidential Regulation 39/2019 (One Data Indonesia).', 'en');
    const publisher = opts.publisher ? this.agent(opts.publisher) : null;
    if (publisher) this.add(n, `${NS.dct}publisher`, publisher);
    this.add(n, `${NS.foaf}homepage`, this.document(`${base}/`));
    this.add(n, `${NS.dct}language`, this.language('IND'));
    this.add(n, `${NS.dct}language`, this.language('ENG'));
    this.add(n, `${NS.dcat}themeTaxonomy`, this.topicScheme());
    this.add(n, `${NS.dcat}themeTaxonomy`, this.euThemeScheme());
    for (const t of opts.topics) this.themes(t);
    this.dateTime(n, `${NS.dct}modified`, opts.modified);
    this.dateTime(n, `${NS.dct}issued`, opts.issued);
    const lic = this.license('CC-BY-4.0');
    if (lic) this.add(n, `${NS.dct}license`, lic);
    if (opts.province) this.add(n, `${NS.dct}spatial`, this.location(opts.province));
    for (const d of opts.datasets) this.add(n, `${NS.dcat}dataset`, d);
    const contact = opts.publisher ? { name: opts.publisher.name, email: opts.publisher.contact_email ?? null } : null;
    for (const s of this.services(opts.datasets.map((d) => d.value), publisher, contact)) this.add(n, `${NS.dcat}service`, s);
    if (opts.paging) {
      const p = opts.paging;
      const c = namedNode(p.self);
      const last = Math.max(1, Math.ceil(p.total / p.perPage));
      this.add(c, `${NS.rdf}type`, namedNode(`${NS.hydra}PagedCollection`));
      this.typedLiteral(c, `${NS.hydra}totalItems`, String(p.total), `${NS.xsd}integer`);
      this.typedLiteral(c, `${NS.hydra}itemsPerPage`, String(p.perPage), `${NS.xsd}integer`);
      this.text(c, `${NS.hydra}firstPage`, p.url(1));
      this.text(c, `${NS.hydra}lastPage`, p.url(last));
      if (p.page < last) this.text(c, `${NS.hydra}nextPage`, p.url(p.page + 1));
      if (p.page > 1) this.text(c, `${NS.hydra}previousPage`, p.url(Math.min(p.page - 1, last)));
    }
    return n;
  }
}
