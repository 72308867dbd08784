import { perform } from '../../server/actions/action';
import { reviewVersion, submitVersion } from '../../server/actions/versions';
import { makeDataset, publishedDataset, SMALL_CSV, uploadContent } from '../support/factories';
import { csrfFrom, signedIn } from '../support/http';
import { testWorld } from '../support/world';

const t = testWorld();

/** A dataset whose v1 was sent back with a comment and whose v2 is submitted. */
async function resubmitted() {
  const ds = await makeDataset(t.svc, t.w.producer, t.w.opd.slug, { description: '' });
  const v1 = await uploadContent(t.svc, t.w.producer.actor, ds.slug, SMALL_CSV);
  await perform(submitVersion, t.w.producer.actor, { slug: ds.slug, number: v1.number }, t.svc);
  await perform(reviewVersion, t.w.walidata.actor, { slug: ds.slug, number: 1, decision: 'request_changes', comment: 'Tambahkan Kota Metro.' }, t.svc);
  const v2 = await uploadContent(t.svc, t.w.producer.actor, ds.slug, `${SMALL_CSV}1872,METRO,175000,2025\n`);
  await perform(submitVersion, t.w.producer.actor, { slug: ds.slug, number: v2.number }, t.svc);
  return ds;
}

describe('the walidata’s workbench, second pass', () => {
  it('keeps a resubmission’s context: the thread across versions and a diff against the version sent back', async () => {
    const ds = await resubmitted();
    const walidata = await signedIn(t.app, t.w.walidata.email, t.w.walidata.password);
    const page = await walidata.get(`/review/${ds.slug}/2`).expect(200);
    expect(page.text).toContain('Tambahkan Kota Metro.');
    expect(page.text).not.toContain('Belum ada komentar');
    expect(page.text).toContain('Dibandingkan dengan pengajuan sebelumnya (versi 1)');
    expect(page.text).toMatch(/<strong>1<\/strong> baris baru/);
  });

  it('offers both the previous submission and the published version to compare with', async () => {
    const { ds } = await publishedDataset(t.svc, t.w);
    const v2 = await uploadContent(t.svc, t.w.producer.actor, ds.slug, SMALL_CSV.replace('313756', '313800'));
    await perform(submitVersion, t.w.producer.actor, { slug: ds.slug, number: v2.number }, t.svc);
    await perform(reviewVersion, t.w.walidata.actor, { slug: ds.slug, number: 2, decision: 'request_changes', comment: 'Cek lagi.' }, t.svc);
    const v3 = await uploadContent(t.svc, t.w.producer.actor, ds.slug, `${SMALL_CSV.replace('313756', '313800')}1872,METRO,175000,2025\n`);
    await perform(submitVersion, t.w.producer.actor, { slug: ds.slug, number: v3.number }, t.svc);
    const walidata = await signedIn(t.app, t.w.walidata.email, t.w.walidata.password);
    const byDefault = await walidata.get(`/review/${ds.slug}/3`).expect(200);
    expect(byDefault.text).toContain('pengajuan sebelumnya (v2)');
    expect(byDefault.text).toContain('versi terbit (v1)');
    expect(byDefault.text).not.toContain('<td class="before">313756</td>');
    const published = await walidata.get(`/review/${ds.slug}/3?banding=1`).expect(200);
    expect(published.text).toContain('Dibandingkan dengan versi 1 yang terbit');
    expect(published.text).toContain('<td class="before">313756</td><td class="after">313800</td>');
  });

  it('keeps the chosen decision and the typed comment when a decision is refused, with the error at its field', async () => {
    const ds = await resubmitted();
    const walidata = await signedIn(t.app, t.w.walidata.email, t.w.walidata.password);
    const page = await walidata.get(`/review/${ds.slug}/2`).expect(200);
    const res = await walidata.post(`/review/${ds.slug}/2`).type('form').send({ _csrf: csrfFrom(page.text), decision: 'approve', comment: 'Sudah lengkap, terima kasih.' }).expect(400);
    expect(res.text).toMatch(/value="approve" required checked/);
    expect(res.text).toContain('Sudah lengkap, terima kasih.</textarea>');
    expect(res.text).toMatch(/aria-invalid="true" aria-describedby="err-confirm" autofocus/);
    expect(res.text).toContain('id="err-confirm" role="alert"');
    expect((await t.svc.db('versions').where({ dataset_id: ds.id, number: 2 }).first()).state).toBe('submitted');
  });

  it('needs a written reason to approve over a failing checklist, and shows it in the history and the audit log', async () => {
    const ds = await resubmitted();
    const walidata = await signedIn(t.app, t.w.walidata.email, t.w.walidata.password);
    const page = await walidata.get(`/review/${ds.slug}/2`).expect(200);
    expect(page.text).toContain('name="override_reason"');
    const csrf = csrfFrom(page.text);
    const refused = await walidata.post(`/review/${ds.slug}/2`).type('form').send({ _csrf: csrf, decision: 'approve', confirm_checklist: 'on' }).expect(400);
    expect(refused.text).toContain('id="err-override"');
    await walidata.post(`/review/${ds.slug}/2`).type('form').send({ _csrf: csrf, decision: 'approve', confirm_checklist: 'on', override_reason: 'Deskripsi menyusul; data mendesak untuk RPJMD.' }).expect(303);
    const review = await t.svc.db('reviews as r').join('versions as v', 'v.id', 'r.version_id').where({ 'v.dataset_id': ds.id, 'r.decision': 'approve' }).first('r.override_reason');
    expect(review.override_reason).toBe('Deskripsi menyusul; data mendesak untuk RPJMD.');
    const event = await t.svc.db('audit_events').where({ dataset_id: ds.id, action: 'version.review' }).orderBy('id', 'desc').first();
    expect(event.details.override).toMatchObject({ reason: 'Deskripsi menyusul; data mendesak untuk RPJMD.', failed: expect.arrayContaining(['metadata_lengkap']) });
    const producer = await signedIn(t.app, t.w.producer.email, t.w.producer.password);
    const history = await producer.get(`/dashboard/datasets/${ds.slug}/versions/2`).expect(200);
    expect(history.text).toContain('Disetujui walau daftar periksa belum terpenuhi');
    const admin = await signedIn(t.app, t.w.admin.email, t.w.admin.password);
    const audit = await admin.get('/admin/audit').query({ dataset: ds.slug, action: 'version.review' }).expect(200);
    expect(audit.text).toContain('Menyetujui versi 2');
    expect(audit.text).toContain('Melewati daftar periksa');
    expect(audit.text).toContain('Deskripsi menyusul');
    expect(audit.text).not.toContain('{&quot;');
  });

  it('marks optional MS-Ind fields apart from required ones, keeps the decision in reach, and says states in words', async () => {
    const ds = await resubmitted();
    const walidata = await signedIn(t.app, t.w.walidata.email, t.w.walidata.password);
    const page = await walidata.get(`/review/${ds.slug}/2`).expect(200);
    expect(page.text).toContain('<span class="optional-missing">tidak diisi (opsional)</span>');
    expect(page.text).toMatch(/Konsep <span class="muted small">\(wajib\)<\/span><\/dt><dd><span class="missing">/);
    expect(page.text).toContain('class="review-nav"');
    expect(page.text).toContain('href="#keputusan"');
    const done = await walidata.post(`/review/${ds.slug}/2`).type('form').send({ _csrf: csrfFrom(page.text), decision: 'approve', confirm_checklist: 'on', override_reason: 'Uji' }).expect(303);
    const next = await walidata.get(done.headers.location).expect(200);
    expect(next.text).toContain('status kini Terbit');
    expect(next.text).not.toContain('status kini published');
  });

  it('clears the walidata’s "submitted" notices once a version is decided', async () => {
    const ds = await resubmitted();
    const unread = () => t.svc.db('notifications').where({ user_id: t.w.walidata2.actor.id, kind: 'submitted', dataset_id: ds.id }).whereNull('read_at');
    expect(await unread()).toHaveLength(1);
    await perform(reviewVersion, t.w.walidata.actor, { slug: ds.slug, number: 2, decision: 'approve', comment: 'ok' }, t.svc);
    expect(await unread()).toHaveLength(0);
  });
});
