// The vocabularies the DCAT-AP graphs speak: namespaces, and our update frequencies and topics
// in the EU authority tables. Shared by the graph builder (dcat.ts), its serialisers and the
// DCAT harvester, which reads the same terms back.

export const NS = {
  rdf: 'http://www.w3.org/1999/02/22-rdf-syntax-ns#',
  rdfs: 'http://www.w3.org/2000/01/rdf-schema#',
  xsd: 'http://www.w3.org/2001/XMLSchema#',
  dcat: 'http://www.w3.org/ns/dcat#',
  dct: 'http://purl.org/dc/terms/',
  dcatap: 'http://data.europa.eu/r5r/',
  foaf: 'http://xmlns.com/foaf/0.1/',
  vcard: 'http://www.w3.org/2006/vcard/ns#',
  skos: 'http://www.w3.org/2004/02/skos/core#',
  adms: 'http://www.w3.org/ns/adms#',
  spdx: 'http://spdx.org/rdf/terms#',
  hydra: 'http://www.w3.org/ns/hydra/core#',
  locn: 'http://www.w3.org/ns/locn#',
  geo: 'http://www.opengis.net/ont/geosparql#',
  prov: 'http://www.w3.org/ns/prov#',
} as const;

export const EU = 'http://publications.europa.eu/resource/authority/';
export const IANA = 'http://www.iana.org/assignments/media-types/';

/** Our update frequencies in the EU frequency vocabulary. */
export const FREQUENCY_URI: Record<string, string> = {
  harian: `${EU}frequency/DAILY`,
  mingguan: `${EU}frequency/WEEKLY`,
  bulanan: `${EU}frequency/MONTHLY`,
  triwulanan: `${EU}frequency/QUARTERLY`,
  semesteran: `${EU}frequency/BIANNUAL`,
  tahunan: `${EU}frequency/ANNUAL`,
  dua_tahunan: `${EU}frequency/BIENNIAL`,
  ad_hoc: `${EU}frequency/IRREG`,
};
/** The English label of each frequency's EU concept. */
export const FREQUENCY_LABEL: Record<string, string> = {
  harian: 'daily', mingguan: 'weekly', bulanan: 'monthly', triwulanan: 'quarterly', semesteran: 'semiannual', tahunan: 'annual', dua_tahunan: 'biennial', ad_hoc: 'irregular',
};

/** Our topics in the EU data-theme vocabulary. */
export const THEME_CODE: Record<string, [string, string]> = {
  kependudukan: ['SOCI', 'Population and society'],
  kemiskinan: ['SOCI', 'Population and society'],
  sosial: ['SOCI', 'Population and society'],
  kesehatan: ['HEAL', 'Health'],
  pendidikan: ['EDUC', 'Education, culture and sport'],
  ekonomi: ['ECON', 'Economy and finance'],
  pertanian: ['AGRI', 'Agriculture, fisheries, forestry and food'],
  infrastruktur: ['REGI', 'Regions and cities'],
  pemerintahan: ['GOVE', 'Government and public sector'],
  lingkungan: ['ENVI', 'Environment'],
};
