import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { z } from 'zod';
import { Conflict, Invalid, NotFound, TooMany } from '../errors';
import type { Actor } from '../policies/actor';
import { canViewDataset } from '../policies/dataset';
import { canAnswerRequest, canCreateRequest, canRouteRequest, canViewRequest, type RequestRecord } from '../policies/requests';
import { datasetStage } from '../queries/stage';
import type { DatasetRow } from '../db/rows';
import { defineAction, type AuditEntry } from './action';
import { notify, producersOf, usersWithRole } from './notify';

export const REQUEST_STATES = ['baru', 'diteruskan', 'direncanakan', 'terpenuhi', 'ditolak', 'tersedia_di_tempat_lain'] as const;
export type RequestState = (typeof REQUEST_STATES)[number];
/** Answers an OPD (or the walidata) can give. */
export const ANSWERS = ['direncanakan', 'terpenuhi', 'ditolak', 'tersedia_di_tempat_lain'] as const;
const FINAL = new Set<string>(['terpenuhi', 'ditolak', 'tersedia_di_tempat_lain']);


/** A row of `data_requests`. */
export interface RequestRow extends RequestRecord {
  kind: 'permintaan' | 'masukan';
  title: string;
  description: string;
  purpose: string;
  requester_name: string;
  requester_email: string;
  dataset_id: number | null;
  answer: string | null;
  answer_url: string | null;
  answer_dataset_id: number | null;
  planned_for: string | null;
}

const requestNotFound = () => new NotFound('Permintaan tidak ditemukan.', 'Request not found.');

async function lockRequest(tx: Knex.Transaction, id: number, actor: Actor | null): Promise<RequestRow> {
  const r = await tx('data_requests').where({ id }).forUpdate().first();
  if (!r || !canViewRequest(actor, r)) throw requestNotFound();
  return r as RequestRow;
}

/** A keyed hash of the caller's address: enough to count its requests, useless to find it. */
function ipHash(secret: string, ip: string | undefined): string | null {
  return ip ? crypto.createHmac('sha256', secret).update(ip).digest('hex') : null;
}

const URLS = /https?:\/\/|www\./gi;

/** Tells the requester, by the e-mail channel once it exists (the outbox keeps the message). */
async function tellRequester(tx: Knex.Transaction, r: { id: number; requester_email: string; title: string }, subject: string, body: string): Promise<void> {
  await tx('outbox').insert({ to_email: r.requester_email, subject, body, request_id: r.id });
}

/** Notices that a request waits for someone are stale once it has moved on: marked read for all. */
async function clearWaitingNotices(tx: Knex.Transaction, requestId: number): Promise<void> {
  await tx('notifications').where({ kind: 'request' }).whereRaw("details->>'request_id' = ?", [String(requestId)]).whereNull('read_at').update({ read_at: tx.fn.now() });
}

const requestAudit = (r: { id: number; organization_id: number | null; dataset_id?: number | null }, details: Record<string, unknown>): AuditEntry => ({
  targetType: 'data_request',
  targetId: r.id,
  organizationId: r.organization_id,
  datasetId: r.dataset_id ?? null,
  details,
});

const text = (max: number) => z.string().trim().max(max);

/**
 * Ask for a dataset, or give feedback on a published one (anyone). Spam is kept out by a
 * hidden field people leave empty, a cap on links, and at most REQUESTS_PER_HOUR (5) requests an
 * hour from one address. Feedback goes straight to the dataset's OPD; a request waits for the walidata to route it.
 */
export const createRequest = defineAction({
  name: 'request.create',
  input: z.object({
    kind: z.enum(['permintaan', 'masukan']).default('permintaan'),
    title: text(200).min(5, 'Judul minimal 5 karakter'),
    description: text(5000).default(''),
    purpose: text(1000).default(''),
    name: text(120).min(2, 'Nama wajib diisi'),
    email: z.email('Alamat surel tidak valid').max(200),
    dataset: text(120).optional(),
    /** The honeypot: hidden from people, filled in by bots. */
    website: z.string().max(500).default(''),
  }),
  async load(tx, input) {
    if (input.kind !== 'masukan') return null;
    const ds = input.dataset ? ((await tx('datasets as d').where('d.slug', input.dataset).select('d.*', datasetStage(tx, 'd')).first()) as DatasetRow | undefined) : undefined;
    if (!ds || !canViewDataset(null, ds)) {
      throw new Invalid('Masukan harus tentang dataset yang terbit.', 'Feedback must be about a published dataset.', [{ path: 'dataset', message: 'unknown' }]);
    }
    return ds;
  },
  authorize: (actor) => canCreateRequest(actor),
  async run(ctx, actor, ds, input) {
    const { tx } = ctx;
    if (input.website.trim() !== '' || (`${input.title} ${input.description} ${input.purpose}`.match(URLS)?.length ?? 0) > 3) {
      throw new Invalid('Permintaan ditolak sebagai spam.', 'The request was refused as spam.', [{ path: 'description', message: 'spam' }]);
    }
    const hash = ipHash(ctx.config.sessionSecret, ctx.ip);
    if (hash) {
      const [{ n }] = await tx('data_requests').where({ ip_hash: hash }).whereRaw("created_at > now() - interval '1 hour'").count<{ n: number }[]>({ n: '*' });
      if (Number(n) >= ctx.config.requestsPerHour) {
        throw new TooMany('rate_limited', 'Terlalu banyak permintaan dari alamat ini; coba lagi dalam satu jam.', 'Too many requests from this address; try again within an hour.');
      }
    }
    const [row] = await tx('data_requests')
      .insert({
        kind: input.kind,
        title: input.title,
        description: input.description,
        purpose: input.purpose,
        requester_name: input.name,
        requester_email: input.email,
        dataset_id: ds?.id ?? null,
        // Feedback names its dataset, and so its OPD: it goes there at once.
        state: ds ? 'diteruskan' : 'baru',
        organization_id: ds?.organization_id ?? null,
        routed_at: ds ? tx.fn.now() : null,
        ip_hash: hash,
      })
      .returning('*');
    const walidata = await usersWithRole(tx, ['walidata']);
    const recipients = ds ? [...walidata, ...(await producersOf(tx, ds.organization_id))] : walidata;
    await notify(tx, { kind: 'request', recipients, actorId: actor.id, datasetId: ds?.id ?? null, details: { request_id: row.id, title: row.title } });
    await tellRequester(tx, row, `Permintaan #${row.id} diterima`, `Terima kasih. Permintaan Anda "${row.title}" kami terima dan akan ditindaklanjuti. Status terbaru: /permintaan/${row.id}`);
    return { result: row as RequestRow, audit: requestAudit(row, { kind: row.kind, title: row.title, state: row.state }) };
  },
});

/** Send a request to the OPD that can answer it (the walidata); again to another OPD if needed. */
export const routeRequest = defineAction({
  name: 'request.route',
  input: z.object({ id: z.number().int().positive(), organization: text(120).min(1), note: text(1000).default('') }),
  load: (tx, input, actor) => lockRequest(tx, input.id, actor),
  authorize: (actor) => canRouteRequest(actor),
  async run({ tx }, actor, r, input) {
    if (!['baru', 'diteruskan'].includes(r.state)) throw new Conflict('Permintaan ini sudah dijawab.', 'This request has been answered.');
    const org = await tx('organizations').where({ slug: input.organization, kind: 'opd' }).first();
    if (!org) throw new Invalid(`OPD ${input.organization} tidak dikenal.`, `Unknown OPD ${input.organization}.`, [{ path: 'organization', message: 'unknown' }]);
    await clearWaitingNotices(tx, r.id);
    const [row] = await tx('data_requests').where({ id: r.id }).update({ state: 'diteruskan', organization_id: org.id, routed_by: actor.id, routed_at: tx.fn.now(), updated_at: tx.fn.now() }).returning('*');
    await notify(tx, { kind: 'request', recipients: await producersOf(tx, org.id), actorId: actor.id, details: { request_id: r.id, title: r.title, note: input.note || null } });
    await tellRequester(tx, r, `Permintaan #${r.id} diteruskan`, `Permintaan Anda "${r.title}" diteruskan kepada ${org.name} untuk dijawab.`);
    return { result: row as RequestRow, audit: requestAudit(row, { from: r.state, to: 'diteruskan', organization: org.slug, ...(input.note ? { note: input.note } : {}) }) };
  },
});

/**
 * Answer a request (the walidata, or the OPD it was routed to): planned (with a date), met (with
 * a published dataset or a link), refused (with a reason), or available elsewhere (where).
 */
export const answerRequest = defineAction({
  name: 'request.answer',
  input: z.object({
    id: z.number().int().positive(),
    state: z.enum(ANSWERS),
    answer: text(5000).default(''),
    url: z.union([z.url({ protocol: /^https?$/ }).max(500), z.literal('')]).default(''),
    dataset: text(120).optional(),
    planned_for: z.union([z.iso.date(), z.literal('')]).default(''),
  }),
  load: (tx, input, actor) => lockRequest(tx, input.id, actor),
  authorize: (actor, r) => (canAnswerRequest(actor, r) ? true : actor?.role === 'produsen' ? requestNotFound() : false),
  async run({ tx }, actor, r, input) {
    if (FINAL.has(r.state)) throw new Conflict('Permintaan ini sudah dijawab.', 'This request has been answered.');
    if (r.state === 'baru' && !canRouteRequest(actor)) throw new Conflict('Permintaan belum diteruskan.', 'The request has not been routed.');
    const need = (path: string, id: string, en: string) => new Invalid(id, en, [{ path, message: 'required' }]);
    if ((input.state === 'ditolak' || input.state === 'tersedia_di_tempat_lain') && !input.answer) throw need('answer', 'Tuliskan alasan atau di mana data itu tersedia.', 'Say why, or where the data is.');
    if (input.state === 'tersedia_di_tempat_lain' && !input.url && !input.answer) throw need('url', 'Sebutkan di mana data itu tersedia.', 'Say where the data is.');
    let answerDataset: DatasetRow | null = null;
    if (input.state === 'terpenuhi') {
      if (input.dataset) {
        answerDataset = (await tx('datasets as d').where('d.slug', input.dataset).select('d.*', datasetStage(tx, 'd')).first()) ?? null;
        if (!answerDataset || !canViewDataset(null, answerDataset)) throw new Invalid('Dataset jawaban harus terbit dan terbuka.', 'The answering dataset must be published and open.', [{ path: 'dataset', message: 'not public' }]);
      } else if (!input.url) throw need('dataset', 'Sebutkan dataset yang terbit atau tautannya.', 'Name the published dataset or give its link.');
    }
    const [row] = await tx('data_requests')
      .where({ id: r.id })
      .update({
        state: input.state,
        answer: input.answer || null,
        answer_url: input.url || null,
        answer_dataset_id: answerDataset?.id ?? null,
        planned_for: input.planned_for || null,
        answered_by: actor.id,
        answered_at: tx.fn.now(),
        updated_at: tx.fn.now(),
      })
      .returning('*');
    await clearWaitingNotices(tx, r.id);
    if (actor.role === 'produsen') await notify(tx, { kind: 'request_answered', recipients: await usersWithRole(tx, ['walidata']), actorId: actor.id, details: { request_id: r.id, title: r.title, state: input.state } });
    await tellRequester(tx, r, `Permintaan #${r.id}: ${input.state}`, `Jawaban atas permintaan Anda "${r.title}": ${input.state}. ${input.answer}`.trim());
    return { result: row as RequestRow, audit: requestAudit(row, { from: r.state, to: input.state, ...(input.answer ? { answer: input.answer.slice(0, 500) } : {}), ...(answerDataset ? { dataset: answerDataset.slug } : {}) }) };
  },
});

/** Hide a request from the public list as spam or abuse (the walidata), with a reason; or show it again. */
export const hideRequest = defineAction({
  name: 'request.hide',
  input: z.object({ id: z.number().int().positive(), hide: z.boolean().default(true), reason: text(500).default('') }),
  load: (tx, input, actor) => lockRequest(tx, input.id, actor),
  authorize: (actor) => canRouteRequest(actor),
  async run({ tx }, _actor, r, input) {
    if (input.hide && !input.reason) throw new Invalid('Alasan wajib diisi.', 'A reason is required.', [{ path: 'reason', message: 'required' }]);
    const [row] = await tx('data_requests').where({ id: r.id }).update(input.hide ? { hidden_at: tx.fn.now(), hidden_reason: input.reason } : { hidden_at: null, hidden_reason: null }).returning('*');
    return { result: row as RequestRow, audit: requestAudit(row, { hidden: input.hide, ...(input.reason ? { reason: input.reason } : {}) }) };
  },
});
