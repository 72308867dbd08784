import type { ColumnView } from './version';

const DIGITS = /^[0-9][0-9.]*$/;

/**
 * Columns a CSV reader must keep as text: codes (region codes, `kode_*`, NIK…) and any text
 * column whose values look like numbers, which pandas or R would otherwise turn into numbers and
 * so drop their leading zeros (`0812` → 812) or their dots (`18.01` → 18.01 as a float).
 */
export function codeColumns(columns: ColumnView[]): string[] {
  return columns
    .filter((c) => {
      if (c.type !== 'text') return false;
      if (c.role === 'region' || /^(kode|kd|id|nik|nip|no|nomor|npsn|nib)(_|$)/i.test(c.name)) return true;
      const s = (c.stats ?? {}) as { min?: unknown; max?: unknown; top?: Array<{ value: unknown }> };
      const values = [s.min, s.max, ...(s.top ?? []).map((x) => x.value)].filter((v) => v !== null && v !== undefined).map(String);
      return values.some((v) => DIGITS.test(v));
    })
    .map((c) => c.name);
}

const py = (s: string) => JSON.stringify(s);
const r = (s: string) => JSON.stringify(s);
/** An R argument name: bare when it is a syntactic name, else in backticks. */
const rName = (s: string) => (/^[A-Za-z.][A-Za-z0-9._]*$/.test(s) ? s : `\`${s.replace(/`/g, '\\`')}\``);

/** The snippets and links of the dataset page's "API" panel: curl, Python (pandas), R, and the machine-readable descriptions. */
export function presentApiPanel(d: { slug: string; columns: ColumnView[] }, base: string) {
  const page = `${base}/dataset/${d.slug}`;
  const csv = `${page}/download.csv`;
  const rows = `${base}/api/v1/datasets/${d.slug}/rows?limit=100`;
  const codes = codeColumns(d.columns);
  const dtype = codes.length ? `dtype={${codes.map((c) => `${py(c)}: str`).join(', ')}}` : '';
  const colClasses = codes.length ? `colClasses = c(${codes.map((c) => `${rName(c)} = "character"`).join(', ')})` : '';
  return {
    csv,
    rows,
    codes,
    codesText: codes.join(', '),
    curl: [`curl -L -o ${d.slug}.csv ${JSON.stringify(csv)}`, `curl ${JSON.stringify(rows)}`].join('\n'),
    python: ['import pandas as pd', '', 'df = pd.read_csv(', `    ${py(csv)},`, ...(dtype ? [`    ${dtype},`] : []), ')', 'print(df.head())'].join('\n'),
    r: ['df <- read.csv(', `  ${r(csv)},`, ...(colClasses ? [`  ${colClasses},`] : []), '  encoding = "UTF-8"', ')', 'head(df)'].join('\n'),
    links: [
      { label: 'REST API (JSON)', href: `${base}/api/v1/datasets/${d.slug}` },
      { label: 'CKAN package_show', href: `${base}/api/3/action/package_show?id=${encodeURIComponent(d.slug)}` },
      { label: 'DCAT-AP (Turtle)', href: `${page}.ttl` },
      { label: 'DCAT-AP (JSON-LD)', href: `${page}.jsonld` },
      { label: 'Data Package', href: `${page}/datapackage.json` },
    ],
  };
}
