import request from 'supertest';
import { csrfFrom, formOn, signedIn } from '../support/http';
import { load } from '../support/ingest';
import { runCli } from '../ops/db-state';
import { regionNames } from '../../server/queries/region-names';
import { testWorld } from '../support/world';

// The walidata manages the reference codes. On a database of its own: the other test files read
// the codes of the shared one.

const t = testWorld({ isolated: true });

const csv = (code: string, name: string) => `kode_kabupaten_kota,nama_kabupaten_kota,jumlah\n1801,LAMPUNG BARAT,1\n${code},${name},2\n`;
const audits = (action: string) => t.svc.db('audit_events').where({ action, target_type: 'wilayah' }).orderBy('id');

describe('the reference codes, managed by the walidata', () => {
  it('lists, searches, adds, edits and deactivates a code, and loads see each change', async () => {
    const agent = await signedIn(t.app, t.w.walidata.email, t.w.walidata.password);
    const list = await agent.get('/manage/wilayah').expect(200);
    expect(list.text).toContain('LAMPUNG BARAT');
    expect(list.text).toContain('18.04');
    const found = await agent.get('/manage/wilayah?q=1802').expect(200);
    expect(found.text).toContain('TANGGAMUS');
    expect(found.text).not.toContain('LAMPUNG BARAT');

    // A code the list does not have is refused by a load.
    const before = await load(t.svc, t.w, csv('1899', 'KABUPATEN UJI'));
    expect(before.report.errors.map((e) => e.code)).toContain('unknown_region_code');

    const csrf = csrfFrom(list.text);
    await agent.post('/manage/wilayah').type('form').send({ _csrf: csrf, level: 'kabupaten_kota', nama: 'Kabupaten Uji', jenis: 'kabupaten', kode_bps: '1899', kode_kemendagri: '18.99', induk_bps: '18' }).expect(303);
    const added = await t.svc.db('wilayah').where({ kode_bps: '1899' }).first();
    expect(added).toMatchObject({ nama: 'KABUPATEN UJI', kode_kemendagri: '18.99', level: 'kabupaten_kota', induk_bps: '18', active: true });
    expect(await audits('wilayah.create')).toEqual([expect.objectContaining({ actor_id: t.w.walidata.actor.id, target_id: '1899' })]);
    const after = await load(t.svc, t.w, csv('1899', 'KABUPATEN UJI'));
    expect(after.report.errors).toEqual([]);
    expect(after.rows).toHaveLength(2);

    // Edited: the name is checked against the new one.
    expect((await regionNames(t.svc.db)).bps['1899']).toBe('Kabupaten Uji');
    const edit = await agent.get(`/manage/wilayah/${added.id}`).expect(200);
    expect(edit.text).toContain('value="18.99"');
    await agent.post(`/manage/wilayah/${added.id}`).type('form').send({ _csrf: csrfFrom(edit.text), level: 'kabupaten_kota', nama: 'Kota Uji', jenis: 'kota', kode_bps: '1898', kode_kemendagri: '18.98', induk_bps: '18' }).expect(303);
    expect(await t.svc.db('wilayah').where({ id: added.id }).first()).toMatchObject({ nama: 'KOTA UJI', jenis: 'kota', kode_bps: '1898', kode_kemendagri: '18.98' });
    expect((await audits('wilayah.update'))[0].details).toMatchObject({ nama: { from: 'KABUPATEN UJI', to: 'KOTA UJI' }, kode_bps: { from: '1899', to: '1898' } });
    expect((await load(t.svc, t.w, csv('1898', 'KOTA UJI'))).report.errors).toEqual([]);
    // Charts and maps name the code by its new name (the names were read before the edit).
    expect((await regionNames(t.svc.db)).bps['1898']).toBe('Kota Kota Uji');
    expect((await regionNames(t.svc.db)).bps['1899']).toBeUndefined();
    expect((await load(t.svc, t.w, csv('1899', 'KABUPATEN UJI'))).report.errors.map((e) => e.code)).toContain('unknown_region_code');

    // Deactivated: loads refuse the code again; it is kept, and can come back.
    await agent.post(`/manage/wilayah/${added.id}/active`).type('form').send({ _csrf: csrf, active: 'false' }).expect(303);
    expect(await t.svc.db('wilayah').where({ id: added.id }).first()).toMatchObject({ active: false });
    expect((await load(t.svc, t.w, csv('1898', 'KOTA UJI'))).report.errors.map((e) => e.code)).toContain('unknown_region_code');
    await agent.post(`/manage/wilayah/${added.id}/active`).type('form').send({ _csrf: csrf, active: 'true' }).expect(303);
    expect((await load(t.svc, t.w, csv('1898', 'KOTA UJI'))).report.errors).toEqual([]);
    expect((await audits('wilayah.set_active')).map((a) => a.details)).toEqual([{ active: false }, { active: true }]);

    // The code's own page takes it out of use and back, and comes back to itself.
    const page = await agent.get(`/manage/wilayah/${added.id}`).expect(200);
    const off = formOn(page.text, `/manage/wilayah/${added.id}/active`);
    expect(off).toMatchObject({ active: 'false', back: 'edit' });
    expect(page.text).toContain('Nonaktifkan KOTA UJI');
    await agent.post(`/manage/wilayah/${added.id}/active`).type('form').send(off).expect(303).expect('Location', `/manage/wilayah/${added.id}`);
    const inactive = await agent.get(`/manage/wilayah/${added.id}`).expect(200);
    expect(inactive.text).toContain('KOTA UJI tidak dipakai lagi');
    expect(inactive.text).toContain('Kode referensi ini tidak aktif');
    const on = formOn(inactive.text, `/manage/wilayah/${added.id}/active`);
    expect(on).toMatchObject({ active: 'true', back: 'edit' });
    await agent.post(`/manage/wilayah/${added.id}/active`).type('form').send(on).expect(303).expect('Location', `/manage/wilayah/${added.id}`);
    expect(await t.svc.db('wilayah').where({ id: added.id }).first()).toMatchObject({ active: true });
    const english = await agent.get(`/manage/wilayah/${added.id}?lang=en`).expect(200);
    expect(english.text).toContain('Deactivate KOTA UJI');
  });

  it('refuses bad formats, a wrong parent and a code in use, in Indonesian and in English', async () => {
    const agent = await signedIn(t.app, t.w.admin.email, t.w.admin.password);
    const csrf = csrfFrom((await agent.get('/manage/wilayah').expect(200)).text);
    const bad = await agent.post('/manage/wilayah').type('form').send({ _csrf: csrf, level: 'kabupaten_kota', nama: 'Salah', jenis: 'kabupaten', kode_bps: '1801', kode_kemendagri: '1804', induk_bps: '19' }).expect(400);
    expect(bad.text).toContain('Kode BPS 1801 sudah dipakai LAMPUNG BARAT.');
    expect(bad.text).toContain('2 angka, titik, 2 angka');
    expect(bad.text).toContain('kode BPS sebuah provinsi yang ada');
    await agent.get('/lang/en?next=/manage/wilayah');
    const en = await agent.post('/manage/wilayah').type('form').send({ _csrf: csrf, level: 'kabupaten_kota', nama: 'Salah', jenis: 'kabupaten', kode_bps: '1901', kode_kemendagri: '18.04', induk_bps: '18' }).expect(400);
    expect(en.text).toContain('The BPS code must begin with its province’s code (18).');
    expect(en.text).toContain('Kemendagri code 18.04 is already used by LAMPUNG BARAT.');
    expect(Number((await t.svc.db('wilayah').where('nama', 'SALAH').count({ n: '*' }))[0].n)).toBe(0);
  });

  it('refuses the produsen, the pembina and the public, and a form without its token', async () => {
    const target = await t.svc.db('wilayah').where({ kode_bps: '1802' }).first();
    for (const u of [t.w.producer, t.w.pembina]) {
      const agent = await signedIn(t.app, u.email, u.password);
      await agent.get('/manage/wilayah').expect(403);
      const csrf = csrfFrom((await agent.get('/dashboard').expect(200)).text);
      await agent.post(`/manage/wilayah/${target.id}/active`).type('form').send({ _csrf: csrf, active: 'false' }).expect(403);
    }
    expect((await request(t.app).get('/manage/wilayah').expect(302)).headers.location).toMatch(/^\/login/);
    await request(t.app).post(`/manage/wilayah/${target.id}/active`).type('form').send({ active: 'false' }).expect((r) => expect([303, 403]).toContain(r.status));
    const walidata = await signedIn(t.app, t.w.walidata.email, t.w.walidata.password);
    await walidata.post(`/manage/wilayah/${target.id}/active`).type('form').send({ active: 'false' }).expect(403);
    expect(await t.svc.db('wilayah').where({ id: target.id }).first()).toMatchObject({ active: true });
  });
});

describe('the reference codes from the command line (npm run cli -- wilayah:…)', () => {
  const cli = async (...args: string[]) => {
    const out = await runCli(args, { DATABASE_URL: t.url, LOG_LEVEL: 'silent', NODE_ENV: 'test' });
    return { code: out.code, json: out.code === 0 ? JSON.parse(out.stdout) : JSON.parse(out.stderr.slice(0, out.stderr.indexOf('\n}') + 2)) };
  };

  // Seven commands, each booting the portal's services: give a loaded machine time.
  it('lists, adds, updates, deactivates and activates through the same actions, checks and audit as the page', async () => {
    const listed = await cli('wilayah:list', '--q', '1802');
    expect(listed.json).toEqual([expect.objectContaining({ kode_bps: '1802', kode_kemendagri: '18.06', nama: 'TANGGAMUS', active: true })]);

    const added = await cli('wilayah:add', '--level', 'kabupaten_kota', '--nama', 'Kabupaten Baris Perintah', '--jenis', 'kabupaten', '--kode-bps', '1897', '--kode-kemendagri', '18.97', '--induk', '18');
    expect(added).toEqual({ code: 0, json: expect.objectContaining({ kode_bps: '1897', kode_kemendagri: '18.97', nama: 'KABUPATEN BARIS PERINTAH', induk_bps: '18', active: true }) });
    expect((await load(t.svc, t.w, csv('1897', 'KABUPATEN BARIS PERINTAH'))).report.errors).toEqual([]);

    // The page's checks: a Kemendagri code in use and a BPS code outside its province are refused, nothing changes.
    const refused = await cli('wilayah:update', '--kode-bps', '1897', '--kode-kemendagri', '18.04', '--new-kode-bps', '1997');
    expect(refused.code).toBe(1);
    expect(refused.json.error).toMatchObject({ code: 'invalid', details: expect.arrayContaining([expect.objectContaining({ path: 'kode_kemendagri', message_en: 'Kemendagri code 18.04 is already used by LAMPUNG BARAT.' }), expect.objectContaining({ path: 'kode_bps' })]) });
    expect(await t.svc.db('wilayah').where({ kode_bps: '1897' }).first()).toMatchObject({ kode_kemendagri: '18.97' });

    // Fields not given stay as they are.
    const updated = await cli('wilayah:update', '--kode-bps', '1897', '--nama', 'Kota Baris Perintah', '--jenis', 'kota');
    expect(updated.json).toMatchObject({ kode_bps: '1897', kode_kemendagri: '18.97', nama: 'KOTA BARIS PERINTAH', jenis: 'kota', level: 'kabupaten_kota', induk_bps: '18' });
    expect((await cli('wilayah:deactivate', '--kode-bps', '1897')).json).toMatchObject({ kode_bps: '1897', active: false });
    expect((await load(t.svc, t.w, csv('1897', 'KOTA BARIS PERINTAH'))).report.errors.map((e) => e.code)).toContain('unknown_region_code');
    expect((await cli('wilayah:activate', '--kode-bps', '1897')).json).toMatchObject({ active: true });

    // Audited like the page's, by the command line.
    const events = await t.svc.db('audit_events').where({ target_type: 'wilayah', target_id: '1897' }).orderBy('id');
    expect(events.map((e) => [e.action, e.actor_label, e.actor_id])).toEqual([
      ['wilayah.create', 'cli', null],
      ['wilayah.update', 'cli', null],
      ['wilayah.set_active', 'cli', null],
      ['wilayah.set_active', 'cli', null],
    ]);
    expect(events[1].details).toEqual({ nama: { from: 'KABUPATEN BARIS PERINTAH', to: 'KOTA BARIS PERINTAH' }, jenis: { from: 'kabupaten', to: 'kota' } });

    const unknown = await cli('wilayah:deactivate', '--kode-bps', '1999');
    expect(unknown.code).toBe(2);
    expect(unknown.json.error.message).toContain('No reference code with BPS code "1999"');
  }, 300_000);
});

