import { REQUEST_STATES } from '../actions/requests';
import type { Actor } from '../policies/actor';
import { canAnswerRequest, canRouteRequest } from '../policies/requests';
import type { RequestDatasetChoice, RequestJoinedRow } from '../queries/requests';
import { pagination } from './pagination';
import type { RequestOut } from './schemas/management';

/** A data request as the public sees it (no contact details), or with them for who handles it. */
export function presentRequest(r: RequestJoinedRow, opts: { base: string; contact?: boolean }): RequestOut {
  return {
    id: r.id as number,
    kind: r.kind as 'permintaan' | 'masukan',
    title: r.title as string,
    description: r.description as string,
    purpose: r.purpose as string,
    state: r.state as string,
    /** The requester's first name only; their e-mail never leaves the workspace. */
    requester: opts.contact ? { name: r.requester_name as string, email: r.requester_email as string } : { name: String(r.requester_name).trim().split(/\s+/)[0] },
    organization: r.org_slug ? { slug: r.org_slug as string, name: r.org_name as string, short_name: (r.org_short_name ?? null) as string | null } : null,
    dataset: r.ds_slug ? { slug: r.ds_slug as string, title: r.ds_title as string, url: `${opts.base}/dataset/${r.ds_slug}` } : null,
    answer: r.answered_at
      ? {
          text: (r.answer ?? null) as string | null,
          url: (r.answer_url ?? null) as string | null,
          dataset: r.answer_slug ? { slug: r.answer_slug as string, title: r.answer_title as string, url: `${opts.base}/dataset/${r.answer_slug}` } : null,
          planned_for: (r.planned_for ?? null) as string | null,
          at: r.answered_at,
        }
      : null,
    hidden: opts.contact ? Boolean(r.hidden_at) : undefined,
    created_at: r.created_at,
    routed_at: r.routed_at ?? null,
    url: `${opts.base}/permintaan/${r.id}`,
  };
}
export type RequestView = ReturnType<typeof presentRequest>;

/** A list of requests (public or a workspace's) with its state filter and pager. */
export function presentRequestList(list: { rows: RequestJoinedRow[]; total: number }, q: { status?: string; page: number }, opts: { base: string; contact?: boolean; perPage: number }) {
  return {
    requests: list.rows.map((x) => presentRequest(x, { base: opts.base, contact: opts.contact })),
    states: REQUEST_STATES,
    filters: q,
    query: q.status ? { status: q.status } : {},
    pager: pagination(q.page, list.total, opts.perPage),
    total: list.total,
  };
}

/** The request as who handles it sees it, with what they may do to it in its state and the form's choices. */
export function presentRequestHandling(row: RequestJoinedRow, choices: { organizations: Array<{ slug: string; name: string }>; datasets: RequestDatasetChoice[] }, actor: Actor | null, base: string) {
  const routes = canRouteRequest(actor);
  return {
    title: row.title as string,
    request: presentRequest(row, { base, contact: true }),
    canRoute: routes && ['baru', 'diteruskan'].includes(row.state),
    canAnswer: canAnswerRequest(actor, row) && !['terpenuhi', 'ditolak', 'tersedia_di_tempat_lain'].includes(row.state) && (row.state !== 'baru' || routes),
    canHide: routes,
    organizations: choices.organizations,
    datasets: choices.datasets,
  };
}
