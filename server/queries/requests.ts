import type { Knex } from 'knex';
import type { Actor } from '../policies/actor';
import { visibleDatasetsScope } from '../policies/dataset';
import { canRouteRequest } from '../policies/requests';

/** The joined columns a request is shown with. */
function requestQuery(db: Knex) {
  return db('data_requests as r')
    .leftJoin('organizations as o', 'o.id', 'r.organization_id')
    .leftJoin('datasets as d', 'd.id', 'r.dataset_id')
    .leftJoin('datasets as ad', 'ad.id', 'r.answer_dataset_id')
    .select(
      'r.*',
      'o.slug as org_slug', 'o.name as org_name', 'o.short_name as org_short_name',
      'd.slug as ds_slug', 'd.title as ds_title',
      'ad.slug as answer_slug', 'ad.title as answer_title',
    );
}
export type RequestJoinedRow = Awaited<ReturnType<typeof requestQuery>>[number];

/** Requests as a list, newest first: public ones (not hidden), or a workspace's (all, or one OPD's). */
export async function listRequests(db: Knex, actor: Actor | null, p: { state?: string; organizationId?: number; workspace?: boolean; page: number; per_page: number }) {
  const q = requestQuery(db);
  if (!(p.workspace && canRouteRequest(actor))) q.whereNull('r.hidden_at');
  if (p.state) q.where('r.state', p.state);
  if (p.organizationId !== undefined) q.where('r.organization_id', p.organizationId);
  const [{ n }] = await q.clone().clearSelect().clearOrder().count<{ n: number }[]>({ n: '*' });
  const rows = await q.orderBy('r.id', 'desc').limit(p.per_page).offset((p.page - 1) * p.per_page);
  return { rows, total: Number(n) };
}

/** One request, or undefined. */
export function findRequest(db: Knex, id: number) {
  return requestQuery(db).where('r.id', id).first();
}

/** How many requests are in each state (not counting hidden ones). */
export async function requestCounts(db: Knex): Promise<Record<string, number>> {
  const rows = await db('data_requests').whereNull('hidden_at').groupBy('state').select('state', db.raw('count(*)::int as n'));
  return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
}

/** A dataset as a request's form names it. */
export interface RequestDatasetChoice {
  slug: string;
  title: string;
}

const openDatasets = (db: Knex) => db('datasets as d').modify(visibleDatasetsScope(null, { publicOnly: true }));

/** An open published dataset's slug and title (what a piece of feedback is about), or null. */
export async function openDatasetTitle(db: Knex, slug: string): Promise<RequestDatasetChoice | null> {
  return ((await openDatasets(db).where('d.slug', slug).first('d.slug', 'd.title')) as RequestDatasetChoice | undefined) ?? null;
}

/**
 * What the handling form offers: the OPDs to route to (to who may route) and the open datasets
 * to answer with (the request's OPD's once it is routed), by name and title.
 */
export async function requestHandleChoices(db: Knex, actor: Actor | null, organizationId: number | null): Promise<{ organizations: Array<{ slug: string; name: string }>; datasets: RequestDatasetChoice[] }> {
  const [organizations, datasets] = await Promise.all([
    canRouteRequest(actor) ? (db('organizations').where({ kind: 'opd' }).orderBy('name').select('slug', 'name') as Promise<Array<{ slug: string; name: string }>>) : [],
    openDatasets(db)
      .modify((qb) => {
        if (organizationId) void qb.where('d.organization_id', organizationId);
      })
      .orderBy('d.title')
      .select('d.slug', 'd.title') as Promise<RequestDatasetChoice[]>,
  ]);
  return { organizations, datasets };
}
