import { Readable } from 'node:stream';
import { perform, untrusted } from '../../server/actions/action';
import { createOrganization, createUser } from '../../server/actions/accounts';
import { createDataset, type DatasetRow } from '../../server/actions/datasets';
import { reviewVersion, submitVersion, uploadVersion } from '../../server/actions/versions';
import type { LoadOptions } from '../../server/ingest/options';
import { systemActor, type Actor, type Role } from '../../server/policies/actor';
import type { Services } from '../../server/services';

let seq = 0;
/** A token unique within the run (tests share one database). */
export function uid(): string {
  seq += 1;
  return `${process.pid.toString(36)}${Date.now().toString(36).slice(-5)}${seq}`;
}

export const PASSWORD = 'rahasia-uji-123';

export async function makeOrg(svc: Services, kind: 'opd' | 'walidata' | 'pembina' = 'opd', name?: string) {
  const slug = `org-${uid()}`;
  return perform(createOrganization, systemActor, { slug, name: name ?? `Dinas Uji ${slug}`, kind }, svc);
}

export interface TestUser {
  actor: Actor;
  email: string;
  password: string;
}

export async function makeUser(svc: Services, role: Role, orgSlug?: string): Promise<TestUser> {
  const email = `${role}-${uid()}@uji.satudata.id`;
  const u = await perform(createUser, systemActor, { email, name: `${role} ${email.split('@')[0]}`, role, org: orgSlug, password: PASSWORD }, svc);
  return { actor: { id: u.id, role, organizationId: u.organization_id, email, name: u.name }, email, password: PASSWORD };
}

/** Two OPDs with a producer each, two walidata, a pembina and an admin. */
export async function makeWorld(svc: Services) {
  const opd = await makeOrg(svc, 'opd');
  const otherOpd = await makeOrg(svc, 'opd');
  const wali = await makeOrg(svc, 'walidata');
  const bps = await makeOrg(svc, 'pembina');
  return {
    opd,
    otherOpd,
    producer: await makeUser(svc, 'produsen', opd.slug),
    producer2: await makeUser(svc, 'produsen', opd.slug),
    otherProducer: await makeUser(svc, 'produsen', otherOpd.slug),
    walidata: await makeUser(svc, 'walidata', wali.slug),
    walidata2: await makeUser(svc, 'walidata', wali.slug),
    pembina: await makeUser(svc, 'pembina', bps.slug),
    admin: await makeUser(svc, 'admin'),
  };
}
export type World = Awaited<ReturnType<typeof makeWorld>>;

export async function makeDataset(svc: Services, producer: TestUser, orgSlug: string, fields: Record<string, unknown> = {}): Promise<DatasetRow> {
  return perform(
    createDataset,
    producer.actor,
    untrusted({
      organization: orgSlug,
      title: `Dataset Uji ${uid()}`,
      description: 'Data uji',
      topic: 'kependudukan',
      tags: ['uji'],
      metadata: { nama_indikator: 'Indikator uji', satuan: 'Jiwa' },
      ...fields,
    }),
    svc,
  );
}

/** Stores `content` as an upload and loads it as the dataset's next version; returns the version row. */
export async function uploadContent(
  svc: Services,
  actor: Actor,
  slug: string,
  content: string | Buffer,
  filename = 'data.csv',
  options: LoadOptions = {},
) {
  const stored = await svc.storage.store(Readable.from([Buffer.isBuffer(content) ? content : Buffer.from(content)]));
  const v = await perform(uploadVersion, actor, { slug, file: { ...stored, filename }, options }, svc);
  return svc.db('versions').where({ id: v.id }).first();
}

export const SMALL_CSV = 'kode_kabupaten_kota,nama_kabupaten_kota,jumlah,tahun\n1801,LAMPUNG BARAT,313756,2025\n1871,BANDAR LAMPUNG,1077664,2025\n';

/** A dataset with version 1 published through the whole path. */
export async function publishedDataset(svc: Services, w: World, csv = SMALL_CSV, fields: Record<string, unknown> = {}) {
  const ds = await makeDataset(svc, w.producer, w.opd.slug, fields);
  const v = await uploadContent(svc, w.producer.actor, ds.slug, csv);
  await perform(submitVersion, w.producer.actor, { slug: ds.slug, number: v.number }, svc);
  await perform(reviewVersion, w.walidata.actor, { slug: ds.slug, number: v.number, decision: 'approve' }, svc);
  if (fields.prioritas) await perform(reviewVersion, w.pembina.actor, { slug: ds.slug, number: v.number, decision: 'approve' }, svc);
  return { ds, v };
}
