import request from 'supertest';
import { perform } from '../../server/actions/action';
import { answerRequest, createRequest, hideRequest, routeRequest } from '../../server/actions/requests';
import { AppError } from '../../server/errors';
import { requesterActor } from '../../server/policies/actor';
import { publishedDataset } from '../support/factories';
import { csrfFrom, signedIn } from '../support/http';
import { testWorld } from '../support/world';
import { testServices } from '../support/services';
import { createApp } from '../../server/app';

const t = testWorld();
const status = async (p: Promise<unknown>) => p.then(() => 200, (e: unknown) => (e instanceof AppError ? e.status : 500));
const ask = (title: string, extra: Record<string, unknown> = {}) => perform(createRequest, requesterActor, { title, name: 'Budi Santoso', email: 'budi@contoh.id', purpose: 'Skripsi', ...extra }, t.svc);

describe('a public data request', () => {
  it('is routed by the walidata to an OPD whose producers answer it; the requester is told at each step', async () => {
    const r = await ask('Jumlah sekolah per kecamatan');
    expect(r.state).toBe('baru');
    expect(await t.svc.db('notifications').where({ user_id: t.w.walidata.actor.id, kind: 'request' }).whereRaw("details->>'request_id' = ?", [String(r.id)])).toHaveLength(1);
    // Nobody but the walidata routes it; before that, no OPD may answer it.
    expect(await status(perform(routeRequest, t.w.producer.actor, { id: r.id, organization: t.w.opd.slug }, t.svc))).toBe(403);
    expect(await status(perform(answerRequest, t.w.producer.actor, { id: r.id, state: 'direncanakan' }, t.svc))).toBe(404);
    await perform(routeRequest, t.w.walidata.actor, { id: r.id, organization: t.w.opd.slug }, t.svc);
    expect(await t.svc.db('notifications').where({ user_id: t.w.producer.actor.id, kind: 'request' }).whereRaw("details->>'request_id' = ?", [String(r.id)])).toHaveLength(1);
    // Routed, it no longer waits for the walidata: that notice is read.
    expect(await t.svc.db('notifications').where({ user_id: t.w.walidata.actor.id, kind: 'request' }).whereRaw("details->>'request_id' = ?", [String(r.id)]).whereNull('read_at')).toHaveLength(0);
    // Another OPD may not answer; the routed OPD may.
    expect(await status(perform(answerRequest, t.w.otherProducer.actor, { id: r.id, state: 'ditolak', answer: 'bukan kami' }, t.svc))).toBe(404);
    expect(await status(perform(answerRequest, t.w.producer.actor, { id: r.id, state: 'ditolak' }, t.svc))).toBe(400); // a refusal needs its reason
    await perform(answerRequest, t.w.producer.actor, { id: r.id, state: 'direncanakan', answer: 'Akan terbit Maret', planned_for: '2027-03-31' }, t.svc);
    const { ds } = await publishedDataset(t.svc, t.w);
    await perform(answerRequest, t.w.producer.actor, { id: r.id, state: 'terpenuhi', dataset: ds.slug }, t.svc);
    expect(await status(perform(answerRequest, t.w.producer.actor, { id: r.id, state: 'ditolak', answer: 'berubah pikiran' }, t.svc))).toBe(409);
    const told = await t.svc.db('outbox').where({ request_id: r.id }).orderBy('id').pluck('subject');
    expect(told).toEqual([`Permintaan #${r.id} diterima`, `Permintaan #${r.id} diteruskan`, `Permintaan #${r.id}: direncanakan`, `Permintaan #${r.id}: terpenuhi`]);
    expect(await t.svc.db('notifications').where({ user_id: t.w.walidata.actor.id, kind: 'request_answered' }).whereRaw("details->>'request_id' = ?", [String(r.id)])).toHaveLength(2);
    // The public page and the API show the answer, never the requester's e-mail.
    const page = await request(t.app).get(`/permintaan/${r.id}`).expect(200);
    expect(page.text).toContain('Terpenuhi');
    expect(page.text).toContain(ds.title);
    expect(page.text).not.toContain('budi@contoh.id');
    expect(page.text).not.toContain('Santoso');
    const api = await request(t.app).get('/api/v1/requests').expect(200);
    const mine = api.body.data.find((x: { id: number }) => x.id === r.id);
    expect(mine).toMatchObject({ state: 'terpenuhi', requester: { name: 'Budi' }, answer: { dataset: { slug: ds.slug } } });
    expect(JSON.stringify(api.body)).not.toContain('budi@contoh.id');
  });

  it('sends feedback on a published dataset straight to its OPD', async () => {
    const { ds } = await publishedDataset(t.svc, t.w);
    const r = await ask('Nilai Bandar Lampung tampak salah', { kind: 'masukan', dataset: ds.slug });
    expect(r).toMatchObject({ state: 'diteruskan', organization_id: ds.organization_id, dataset_id: ds.id });
    expect(await t.svc.db('notifications').where({ user_id: t.w.producer2.actor.id, kind: 'request' }).whereRaw("details->>'request_id' = ?", [String(r.id)])).toHaveLength(1);
    expect(await status(ask('Masukan untuk dataset tak ada', { kind: 'masukan', dataset: 'tidak-ada' }))).toBe(400);
  });

  it('goes through the API without sign-in, refuses spam, and throttles one address across processes', async () => {
    const created = await request(t.app).post('/api/v1/requests').send({ title: 'Data curah hujan harian', name: 'Sari', email: 'sari@contoh.id', purpose: 'Penelitian' }).expect(201);
    expect(created.body.data).toMatchObject({ state: 'baru', title: 'Data curah hujan harian' });
    await request(t.app).post('/api/v1/requests').send({ title: 'x', name: 'Sari', email: 'bukan-surel' }).expect(400);
    const spam = await request(t.app).post('/api/v1/requests').send({ title: 'Murah sekali', description: 'http://a.example http://b.example http://c.example http://d.example', name: 'Bot', email: 'bot@spam.example' }).expect(400);
    expect(spam.body.error.message).toContain('spam');
    // The limit is counted in the database: two apps (as two processes of one deployment) share it.
    const svc = testServices({ env: { REQUESTS_PER_HOUR: '3' } });
    try {
      const [a, b] = [createApp(svc), createApp(svc)];
      const codes: number[] = [];
      for (let i = 0; i < 5; i++) codes.push((await request(i % 2 ? b : a).post('/api/v1/requests').send({ title: `Permintaan beruntun ${i}`, name: 'Sari', email: 'sari@contoh.id' })).status);
      expect(codes).toEqual([201, 201, 201, 429, 429]);
    } finally {
      await svc.close();
    }
  });

  it('is asked through the web form, whose hidden field and timing keep bots out', async () => {
    const agent = request.agent(t.app);
    const page = await agent.get('/permintaan').expect(200);
    const csrf = csrfFrom(page.text);
    const stamp = /name="stamp" value="([^"]+)"/.exec(page.text)![1];
    const fields = { _csrf: csrf, stamp, title: 'Data UMKM per kabupaten', description: 'Tahun 2024', purpose: 'Liputan', name: 'Rina', email: 'rina@contoh.id', website: '' };
    const tooFast = await agent.post('/permintaan').type('form').send(fields).expect(400);
    expect(tooFast.text).toContain('terlalu cepat');
    expect(tooFast.text).toContain('Data UMKM per kabupaten'); // what was typed is kept
    const earlier = `${Date.now() - 10_000}`;
    const forged = await agent.post('/permintaan').type('form').send({ ...fields, stamp: `${earlier}.00` }).expect(400);
    expect(forged.text).toContain('terlalu cepat');
    await new Promise((r) => setTimeout(r, 3100));
    const bot = await agent.post('/permintaan').type('form').send({ ...fields, website: 'http://spam.example' }).expect(400);
    expect(bot.text).toContain('spam');
    const ok = await agent.post('/permintaan').type('form').send(fields).expect(303);
    const id = Number(ok.headers.location.split('/').pop());
    const row = await t.svc.db('data_requests').where({ id }).first();
    expect(row).toMatchObject({ title: 'Data UMKM per kabupaten', state: 'baru' });
    const walidata = await signedIn(t.app, t.w.walidata.email, t.w.walidata.password);
    const handle = await walidata.get(`/manage/permintaan/${id}`).expect(200);
    expect(handle.text).toContain('rina@contoh.id');
    await walidata.post(`/manage/permintaan/${id}`).type('form').send({ _csrf: csrfFrom(handle.text), action: 'route', organization: t.w.otherOpd.slug }).expect(303);
    const mineOnly = await signedIn(t.app, t.w.producer.email, t.w.producer.password);
    await mineOnly.get(`/manage/permintaan/${id}`).expect(404);
    expect((await mineOnly.get('/manage/permintaan').expect(200)).text).not.toContain('Data UMKM per kabupaten');
    const routed = await signedIn(t.app, t.w.otherProducer.email, t.w.otherProducer.password);
    expect((await routed.get('/manage/permintaan').expect(200)).text).toContain('Data UMKM per kabupaten');
  });

  it('keeps its handling with those it belongs to: the public, the routed OPD, another OPD, the pembina, the walidata', async () => {
    const r = await ask('Jumlah puskesmas per kecamatan');
    // The public (through the form's actor) may ask, never route, answer or hide.
    expect(await status(perform(routeRequest, requesterActor, { id: r.id, organization: t.w.opd.slug }, t.svc))).toBe(403);
    expect(await status(perform(answerRequest, requesterActor, { id: r.id, state: 'ditolak', answer: 'tidak' }, t.svc))).toBe(404);
    expect(await status(perform(hideRequest, requesterActor, { id: r.id, reason: 'spam' }, t.svc))).toBe(403);
    const anon = await request(t.app).get(`/manage/permintaan/${r.id}`).expect(302);
    expect(anon.headers.location).toMatch(/^\/login\?next=/);
    // The pembina has no requests workspace; the walidata routes to one OPD, then on to another.
    const pembina = await signedIn(t.app, t.w.pembina.email, t.w.pembina.password);
    await pembina.get(`/manage/permintaan/${r.id}`).expect(403);
    expect(await status(perform(answerRequest, t.w.pembina.actor, { id: r.id, state: 'ditolak', answer: 'tidak' }, t.svc))).toBe(403);
    await perform(routeRequest, t.w.walidata.actor, { id: r.id, organization: t.w.opd.slug }, t.svc);
    const first = await signedIn(t.app, t.w.producer.email, t.w.producer.password);
    expect((await first.get(`/manage/permintaan/${r.id}`).expect(200)).text).toContain('budi@contoh.id');
    await perform(routeRequest, t.w.walidata.actor, { id: r.id, organization: t.w.otherOpd.slug, note: 'Lebih tepat di OPD ini' }, t.svc);
    // Sent on: the first OPD no longer sees or answers it; the second does.
    await first.get(`/manage/permintaan/${r.id}`).expect(404);
    expect(await status(perform(answerRequest, t.w.producer.actor, { id: r.id, state: 'ditolak', answer: 'bukan kami' }, t.svc))).toBe(404);
    const second = await signedIn(t.app, t.w.otherProducer.email, t.w.otherProducer.password);
    await second.get(`/manage/permintaan/${r.id}`).expect(200);
    await perform(answerRequest, t.w.otherProducer.actor, { id: r.id, state: 'direncanakan', answer: 'Triwulan depan', planned_for: '2027-06-30' }, t.svc);
    // Hidden as spam by the walidata: gone from the public, still in the walidata's workspace.
    await perform(hideRequest, t.w.walidata.actor, { id: r.id, reason: 'uji' }, t.svc);
    await request(t.app).get(`/permintaan/${r.id}`).expect(404);
    const walidata = await signedIn(t.app, t.w.walidata.email, t.w.walidata.password);
    await walidata.get(`/manage/permintaan/${r.id}`).expect(200);
  });
});
