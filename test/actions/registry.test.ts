import { actions } from '../../server/actions';
import { testWorld } from '../support/world';
import { perform, untrusted } from '../../server/actions/action';
import { AppError } from '../../server/errors';
import { publishedDataset } from '../support/factories';

const t = testWorld();

let slug: string;

beforeAll(async () => {
  slug = (await publishedDataset(t.svc, t.w)).ds.slug;
});

// Inputs that are valid in shape, so only the policy can stop them.
const validInput = (name: string, orgSlug: string): Record<string, unknown> => {
  const file = { key: `raw/ab/${'a'.repeat(64)}`, sha256: 'a'.repeat(64), size: 10, filename: 'x.csv' };
  return ({
    createOrganization: { slug: 'org-anon', name: 'Anon', kind: 'opd' },
    createUser: { email: 'anon@x.id', name: 'Anon', role: 'admin', password: 'panjang-sekali' },
    issueToken: { email: 'walidata@x.id' },
    revokeToken: { id: 1 },
    signIn: { via: 'web' },
    createDataset: { organization: orgSlug, title: 'Judul anonim', topic: 'sosial' },
    updateDataset: { slug, title: 'Diubah anonim' },
    retractDataset: { slug, reason: 'anonim' },
    uploadVersion: { slug, file },
    reloadVersion: { slug, number: 1, options: {} },
    submitVersion: { slug, number: 1 },
    withdrawVersion: { slug, number: 1 },
    reviewVersion: { slug, number: 1, decision: 'approve' },
    unscheduleVersion: { slug, number: 1 },
    publishVersionNow: { slug, number: 1 },
    publishDueVersion: { version_id: 1 },
    createDataListItem: { year: 2030, name: 'Butir anonim', organization: orgSlug, frequency: 'tahunan' },
    updateDataListItem: { id: 1, name: 'Butir anonim', organization: orgSlug, frequency: 'tahunan' },
    deleteDataListItem: { id: 1 },
    linkDataListItem: { id: 1, dataset: slug },
    importDataList: { year: 2030, file: { key: file.key, sha256: file.sha256, filename: 'x.csv' } },
  } as Record<string, Record<string, unknown>>)[name];
};

describe('every action', () => {
  it('names a policy and a loader', () => {
    for (const [name, action] of Object.entries(actions)) {
      expect({ name, authorize: typeof action.authorize, load: typeof action.load }).toEqual({ name, authorize: 'function', load: 'function' });
    }
  });

  it.each(Object.keys(actions))('%s fails closed for the public', async (name) => {
    const input = validInput(name, t.w.opd.slug);
    expect(input).toBeDefined();
    const err = await perform((actions as unknown as Record<string, never>)[name], null, untrusted(input), t.svc).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect([401, 404]).toContain((err as AppError).status);
    const action = (actions as Record<string, { name: string }>)[name];
    const anonymous = await t.svc.db('audit_events').where({ action: action.name, actor_label: 'sistem' }).first();
    expect(anonymous).toBeUndefined();
  });
});
