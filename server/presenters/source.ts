import type { SourceRow } from '../actions/sources';
import type { SourceRunRow } from '../exchange/pull';
import { presentRunTiming, runError } from './run';
import { iso } from './time';

/** A pulled source as the API and pages show it: header values never, only their names. */
export function presentSource(s: SourceRow) {
  return {
    kind: s.kind,
    url: s.url,
    schedule: s.schedule,
    records_path: s.records_path,
    fields: s.fields,
    header_names: s.header_names,
    enabled: s.enabled,
    next_run_at: iso(s.next_run_at),
    failures: s.failures,
    updated_at: iso(s.updated_at),
  };
}

/** One logged run. */
export function presentSourceRun(r: SourceRunRow, lang: string, versionNumber?: number | null) {
  return {
    ...presentRunTiming(r),
    bytes: r.bytes === null ? null : Number(r.bytes),
    http_status: r.http_status,
    result: r.result,
    error: runError(r, lang),
    sha256: r.sha256,
    version: versionNumber ?? null,
  };
}

/** The dataset's workspace panel of its pulled source: the source, its field mapping as lines, its last runs, and whether the actor may change it. */
export function presentSourcePanel(panel: { source: SourceRow | null; runs: SourceRunRow[]; numbers: Map<number, number> }, canManage: boolean, lang: string) {
  const shown = panel.source ? presentSource(panel.source) : null;
  return {
    source: shown,
    fieldsText: shown?.fields ? Object.entries(shown.fields).map(([k, v]) => `${k} = ${v}`).join('\n') : '',
    runs: panel.runs.map((x) => presentSourceRun(x, lang, x.version_id ? panel.numbers.get(x.version_id) : null)),
    canManage,
  };
}
