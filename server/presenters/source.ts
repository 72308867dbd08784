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
