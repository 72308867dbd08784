// Issue 7, "Faults and several processes": conflicting changes fired at the same moment (through
// the HTTP API where it has the route, else through the action) stay consistent: where only one
// may win exactly one does, the others get a clean 4xx (never a 500), the final state is one SPEC
// allows, and the audit log holds exactly one event per change that happened.
import crypto from 'node:crypto';
import request from 'supertest';
import { perform } from '../../server/actions/action';
import { createOrganization, createUser } from '../../server/actions/accounts';
import { createDataset, retractDataset } from '../../server/actions/datasets';
import { createServiceAccount } from '../../server/actions/service-accounts';
import { AppError } from '../../server/errors';
import { makeDataset, PASSWORD, publishedDataset, SMALL_CSV, uid, uploadContent } from '../support/factories';
import { testWorld } from '../support/world';

const t = testWorld();
jest.setTimeout(120_000);

/** Each race is run this many times, on fresh records, to meet more of the interleavings. */
const ROUNDS = 4;

type Outcome = number | `500: ${string}`;

/** Runs every `fns` at the same moment; each one's HTTP status (an action's error as its status, anything else as a 500). */
async function race(...fns: Array<() => Promise<unknown>>): Promise<Outcome[]> {
  return Promise.all(
    fns.map(async (fn) => {
      try {
        const out = await fn();
        return out && typeof out === 'object' && 'status' in out && typeof out.status === 'number' ? out.status : 200;
      } catch (err) {
        return err instanceof AppError ? err.status : (`500: ${(err as Error).message}` as const);
      }
    }),
  );
}

const sorted = (o: Outcome[]) => [...o].map(String).sort();
const sha256 = (text: string) => crypto.createHash('sha256').update(text).digest('hex');

async function auditCount(where: Record<string, unknown>, actions: string[]): Promise<Record<string, number>> {
  const rows: Array<{ action: string; n: string }> = await t.svc.db('audit_events').where(where).whereIn('action', actions).groupBy('action').select('action').count({ n: '*' });
  return Object.fromEntries(actions.map((a) => [a, Number(rows.find((r) => r.action === a)?.n ?? 0)]));
}

const api = () => request(t.app);
let tokens: Record<'producer' | 'producer2' | 'walidata' | 'walidata2' | 'pembina', { Authorization: string }>;

beforeAll(async () => {
  tokens = {
    producer: await t.bearer(t.w.producer),
    producer2: await t.bearer(t.w.producer2),
    walidata: await t.bearer(t.w.walidata),
    walidata2: await t.bearer(t.w.walidata2),
    pembina: await t.bearer(t.w.pembina),
  };
});

/** A dataset with version 1 submitted for review. */
async function submitted(fields: Record<string, unknown> = {}) {
  const ds = await makeDataset(t.svc, t.w.producer, t.w.opd.slug, fields);
  const v = await uploadContent(t.svc, t.w.producer.actor, ds.slug, SMALL_CSV);
  await api().post(`/api/v1/datasets/${ds.slug}/versions/${v.number}/submit`).set(tokens.producer).expect(200);
  return { ds, v, url: `/api/v1/datasets/${ds.slug}/versions/${v.number}` };
}

const versionState = async (id: number) => (await t.svc.db('versions').where({ id }).first('state')).state as string;

describe('conflicting decisions on one version', () => {
  it('two walidata approve, request changes and reject at once: exactly one decision stands', async () => {
    for (let i = 0; i < ROUNDS; i++) {
      const { ds, v, url } = await submitted();
      const out = await race(
        () => api().post(`${url}/review`).set(tokens.walidata).send({ decision: 'approve' }),
        () => api().post(`${url}/review`).set(tokens.walidata2).send({ decision: 'approve' }),
        () => api().post(`${url}/review`).set(tokens.walidata2).send({ decision: 'request_changes', comment: 'Perbaiki' }),
        () => api().post(`${url}/review`).set(tokens.walidata).send({ decision: 'reject', comment: 'Bukan data sektoral' }),
      );
      expect(sorted(out)).toEqual(['200', '409', '409', '409']);
      const reviews = await t.svc.db('reviews').where({ version_id: v.id }).pluck('decision');
      expect(reviews).toHaveLength(1);
      const state = await versionState(v.id);
      expect(state).toBe({ approve: 'published', request_changes: 'changes_requested', reject: 'rejected' }[reviews[0] as string]);
      const current = (await t.svc.db('datasets').where({ id: ds.id }).first()).current_version_id;
      expect(current).toBe(state === 'published' ? v.id : null);
      expect(await auditCount({ version_id: v.id }, ['version.review'])).toEqual({ 'version.review': 1 });
    }
  });

  it('approve against withdraw: one of them, and the version is published or back to draft', async () => {
    for (let i = 0; i < ROUNDS; i++) {
      const { ds, v, url } = await submitted();
      const [approve, withdraw] = await race(
        () => api().post(`${url}/review`).set(tokens.walidata).send({ decision: 'approve' }),
        () => api().post(`${url}/withdraw`).set(tokens.producer2),
      );
      expect(sorted([approve, withdraw])).toEqual(['200', '409']);
      const state = await versionState(v.id);
      expect(state).toBe(approve === 200 ? 'published' : 'draft');
      expect((await t.svc.db('datasets').where({ id: ds.id }).first()).current_version_id).toBe(approve === 200 ? v.id : null);
      expect(await auditCount({ version_id: v.id }, ['version.review', 'version.withdraw'])).toEqual({
        'version.review': approve === 200 ? 1 : 0,
        'version.withdraw': withdraw === 200 ? 1 : 0,
      });
    }
  });

  it('the walidata and the pembina at once on a priority version: the pembina only after the walidata', async () => {
    for (let i = 0; i < ROUNDS; i++) {
      const { v, url } = await submitted({ prioritas: true });
      const [wali, pembina] = await race(
        () => api().post(`${url}/review`).set(tokens.walidata).send({ decision: 'approve' }),
        () => api().post(`${url}/review`).set(tokens.pembina).send({ decision: 'approve' }),
      );
      expect(wali).toBe(200);
      // The pembina's approval either found the version verified (and published it) or was refused (404 while it is only submitted: not yet the pembina's to see).
      expect([200, 404, 409]).toContain(pembina);
      expect(await versionState(v.id)).toBe(pembina === 200 ? 'published' : 'verified');
      expect(await auditCount({ version_id: v.id }, ['version.review'])).toEqual({ 'version.review': pembina === 200 ? 2 : 1 });
    }
  });

  it('two producers submit two drafts of one dataset at once: only one is under review', async () => {
    for (let i = 0; i < ROUNDS; i++) {
      const ds = await makeDataset(t.svc, t.w.producer, t.w.opd.slug);
      const v1 = await uploadContent(t.svc, t.w.producer.actor, ds.slug, SMALL_CSV);
      const v2 = await uploadContent(t.svc, t.w.producer2.actor, ds.slug, SMALL_CSV.replace('313756', '313757'));
      const out = await race(
        () => api().post(`/api/v1/datasets/${ds.slug}/versions/${v1.number}/submit`).set(tokens.producer),
        () => api().post(`/api/v1/datasets/${ds.slug}/versions/${v2.number}/submit`).set(tokens.producer2),
      );
      expect(sorted(out)).toEqual(['200', '409']);
      const states = await t.svc.db('versions').where({ dataset_id: ds.id }).orderBy('number').pluck('state');
      expect(sorted(states)).toEqual(['draft', 'submitted']);
      expect(await auditCount({ dataset_id: ds.id }, ['version.submit'])).toEqual({ 'version.submit': 1 });
    }
  });
});

describe('conflicting changes to one dataset', () => {
  it('two producers upload new versions at once: both are kept, numbered one after the other', async () => {
    for (let i = 0; i < ROUNDS; i++) {
      const ds = await makeDataset(t.svc, t.w.producer, t.w.opd.slug);
      const files = [SMALL_CSV, SMALL_CSV.replace('313756', '400000'), SMALL_CSV.replace('313756', '500000')];
      const out = await race(
        ...files.map((f, j) => () => api().post(`/api/v1/datasets/${ds.slug}/versions`).set(j % 2 ? tokens.producer2 : tokens.producer).attach('file', Buffer.from(f), `data-${j}.csv`)),
      );
      expect(out.every((s) => s === 201 || s === 202)).toBe(true);
      const versions = await t.svc.db('versions').where({ dataset_id: ds.id }).orderBy('number').select('number', 'raw_sha256');
      expect(versions.map((v) => v.number)).toEqual([1, 2, 3]);
      expect(new Set(versions.map((v) => v.raw_sha256)).size).toBe(3);
      expect(await auditCount({ dataset_id: ds.id }, ['version.upload'])).toEqual({ 'version.upload': 3 });
    }
  });

  it('the same file uploaded twice at once makes one version', async () => {
    for (let i = 0; i < ROUNDS; i++) {
      const ds = await makeDataset(t.svc, t.w.producer, t.w.opd.slug);
      const out = await race(
        () => api().post(`/api/v1/datasets/${ds.slug}/versions`).set(tokens.producer).attach('file', Buffer.from(SMALL_CSV), 'a.csv'),
        () => api().post(`/api/v1/datasets/${ds.slug}/versions`).set(tokens.producer2).attach('file', Buffer.from(SMALL_CSV), 'a.csv'),
      );
      expect(out.every((s) => typeof s === 'number' && s >= 200 && s < 300)).toBe(true);
      expect(await t.svc.db('versions').where({ dataset_id: ds.id }).pluck('number')).toEqual([1]);
      expect(await auditCount({ dataset_id: ds.id }, ['version.upload'])).toEqual({ 'version.upload': 1 });
    }
  });

  it('one Idempotency-Key sent twice at once makes one version; another file under it is refused', async () => {
    for (let i = 0; i < ROUNDS; i++) {
      const ds = await makeDataset(t.svc, t.w.producer, t.w.opd.slug);
      const key = `kunci-${uid()}`;
      const send = (content: string) => () =>
        api().post(`/api/v1/datasets/${ds.slug}/versions`).set(tokens.producer).set('Idempotency-Key', key).attach('file', Buffer.from(content), 'a.csv');
      const out = await race(send(SMALL_CSV), send(SMALL_CSV), send(SMALL_CSV.replace('313756', '999999')));
      const versions = await t.svc.db('versions').where({ dataset_id: ds.id }).select('number', 'raw_sha256');
      expect(versions).toHaveLength(1);
      // One new version (201 loaded, 202 loading); the same file again is answered by it (200);
      // another file under the key is refused — or, if it came first, it is the version and both others are refused.
      const made = out.map((o) => (o === 201 || o === 202 ? 'new' : String(o))).sort();
      expect(made).toEqual(versions[0].raw_sha256 === sha256(SMALL_CSV) ? ['200', '409', 'new'] : ['409', '409', 'new']);
      expect(await auditCount({ dataset_id: ds.id }, ['version.upload'])).toEqual({ 'version.upload': 1 });
    }
  });

  it('two PATCHes of different fields at once: neither change is lost', async () => {
    for (let i = 0; i < ROUNDS; i++) {
      const ds = await makeDataset(t.svc, t.w.producer, t.w.opd.slug);
      const out = await race(
        () => api().patch(`/api/v1/datasets/${ds.slug}`).set(tokens.producer).send({ title: `Judul baru ${i}` }),
        () => api().patch(`/api/v1/datasets/${ds.slug}`).set(tokens.producer2).send({ description: `Uraian baru ${i}` }),
        () => api().patch(`/api/v1/datasets/${ds.slug}`).set(tokens.producer).send({ tags: ['baru', `t${i}`] }),
      );
      expect(out).toEqual([200, 200, 200]);
      const row = await t.svc.db('datasets').where({ id: ds.id }).first();
      expect({ title: row.title, description: row.description, tags: row.tags }).toEqual({ title: `Judul baru ${i}`, description: `Uraian baru ${i}`, tags: ['baru', `t${i}`] });
      expect(await auditCount({ dataset_id: ds.id }, ['dataset.update'])).toEqual({ 'dataset.update': 3 });
    }
  });

  it('a producer PATCHes while the version is submitted: either before the submission or refused', async () => {
    for (let i = 0; i < ROUNDS; i++) {
      const ds = await makeDataset(t.svc, t.w.producer, t.w.opd.slug);
      const v = await uploadContent(t.svc, t.w.producer.actor, ds.slug, SMALL_CSV);
      const [submit, patch] = await race(
        () => api().post(`/api/v1/datasets/${ds.slug}/versions/${v.number}/submit`).set(tokens.producer),
        () => api().patch(`/api/v1/datasets/${ds.slug}`).set(tokens.producer2).send({ title: `Judul saat diajukan ${i}` }),
      );
      expect(submit).toBe(200);
      expect([200, 409]).toContain(patch);
      const row = await t.svc.db('datasets').where({ id: ds.id }).first();
      expect(row.title === `Judul saat diajukan ${i}`).toBe(patch === 200);
      expect(await auditCount({ dataset_id: ds.id }, ['dataset.update', 'version.submit'])).toEqual({ 'dataset.update': patch === 200 ? 1 : 0, 'version.submit': 1 });
    }
  });

  it('two retractions at once: one takes the dataset off, the other is a 409', async () => {
    for (let i = 0; i < ROUNDS; i++) {
      const { ds } = await publishedDataset(t.svc, t.w);
      const out = await race(
        () => perform(retractDataset, t.w.walidata.actor, { slug: ds.slug, reason: 'Salah angka' }, t.svc),
        () => perform(retractDataset, t.w.walidata2.actor, { slug: ds.slug, reason: 'Salah tahun' }, t.svc),
      );
      expect(sorted(out)).toEqual(['200', '409']);
      expect((await t.svc.db('datasets').where({ id: ds.id }).first()).retracted_at).not.toBeNull();
      expect(await auditCount({ dataset_id: ds.id }, ['dataset.retract'])).toEqual({ 'dataset.retract': 1 });
    }
  });

  it('a retraction against the approval of a new version: both happen, in one order or the other', async () => {
    for (let i = 0; i < ROUNDS; i++) {
      const { ds, v } = await publishedDataset(t.svc, t.w);
      const v2 = await uploadContent(t.svc, t.w.producer.actor, ds.slug, SMALL_CSV.replace('313756', '320000'));
      await api().post(`/api/v1/datasets/${ds.slug}/versions/${v2.number}/submit`).set(tokens.producer).expect(200);
      const out = await race(
        () => perform(retractDataset, t.w.walidata.actor, { slug: ds.slug, reason: 'Ditinjau ulang' }, t.svc),
        () => api().post(`/api/v1/datasets/${ds.slug}/versions/${v2.number}/review`).set(tokens.walidata2).send({ decision: 'approve' }),
      );
      expect(out).toEqual([200, 200]);
      const row = await t.svc.db('datasets').where({ id: ds.id }).first();
      expect(row.retracted_at).not.toBeNull();
      expect(row.current_version_id).toBe(v2.id);
      expect(await t.svc.db('versions').where({ dataset_id: ds.id }).orderBy('number').pluck('state')).toEqual(['superseded', 'published']);
      expect(await versionState(v.id)).toBe('superseded');
      // Retracted, so the public sees none of it.
      await api().get(`/api/v1/datasets/${ds.slug}/rows`).expect(404);
      expect(await auditCount({ dataset_id: ds.id }, ['dataset.retract', 'version.review'])).toEqual({ 'dataset.retract': 1, 'version.review': 2 });
    }
  });
});

describe('records created twice at once', () => {
  it('two datasets of the same title at once: both are made, each with a slug of its own', async () => {
    for (let i = 0; i < ROUNDS; i++) {
      const title = `Jumlah Penduduk Serentak ${uid()}`;
      const input = { organization: t.w.opd.slug, title, description: 'Data uji', topic: 'kependudukan', tags: [], metadata: {} };
      const out = await race(
        () => api().post('/api/v1/datasets').set(tokens.producer).send(input),
        () => api().post('/api/v1/datasets').set(tokens.producer2).send(input),
        () => perform(createDataset, t.w.producer.actor, input, t.svc),
      );
      expect(out.map(String)).toEqual(['201', '201', '200']);
      const rows = await t.svc.db('datasets').where({ title }).pluck('slug');
      expect(rows).toHaveLength(3);
      expect(new Set(rows).size).toBe(3);
      expect(Number((await t.svc.db('audit_events').where({ action: 'dataset.create' }).whereRaw("details->>'title' = ?", [title]).count({ n: '*' }))[0].n)).toBe(3);
    }
  });

  it('the same organization, user or service account created twice at once: one is made, the other is a 409', async () => {
    for (let i = 0; i < ROUNDS; i++) {
      const slug = `org-serentak-${uid()}`;
      const org = await race(
        () => perform(createOrganization, t.w.admin.actor, { slug, name: 'Dinas Serentak', kind: 'opd' }, t.svc),
        () => perform(createOrganization, t.w.admin.actor, { slug, name: 'Dinas Serentak', kind: 'opd' }, t.svc),
      );
      expect(sorted(org)).toEqual(['200', '409']);

      const email = `serentak-${uid()}@uji.satudata.id`;
      const user = await race(
        () => perform(createUser, t.w.admin.actor, { email, name: 'Orang Serentak', role: 'produsen', org: slug, password: PASSWORD }, t.svc),
        () => perform(createUser, t.w.admin.actor, { email: email.toUpperCase(), name: 'Orang Serentak', role: 'produsen', org: slug, password: PASSWORD }, t.svc),
      );
      expect(sorted(user)).toEqual(['200', '409']);

      const ds = await makeDataset(t.svc, t.w.producer, t.w.opd.slug);
      const app = `app-serentak-${uid()}`;
      const sa = await race(
        () => perform(createServiceAccount, t.w.admin.actor, { slug: app, name: 'Aplikasi Serentak', org: t.w.opd.slug, datasets: [ds.slug] }, t.svc),
        () => perform(createServiceAccount, t.w.admin.actor, { slug: app, name: 'Aplikasi Serentak', org: t.w.opd.slug, datasets: [ds.slug] }, t.svc),
      );
      expect(sorted(sa)).toEqual(['200', '409']);
      const orgRow = await t.svc.db('organizations').where({ slug }).first();
      expect(await auditCount({ organization_id: orgRow.id }, ['organization.create', 'user.create'])).toEqual({ 'organization.create': 1, 'user.create': 1 });
      expect(await t.svc.db('users').whereRaw('lower(email) = ?', [email]).pluck('id')).toHaveLength(1);
      const made = await t.svc.db('audit_events').where({ action: 'service_account.create' }).whereRaw("details->>'service_account' = ?", [app]).count({ n: '*' });
      expect(Number(made[0].n)).toBe(1);
    }
  });
});
