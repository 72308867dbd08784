import { actions } from '../../server/actions';
import { perform } from '../../server/actions/action';
import { AppError } from '../../server/errors';
import { makeWorld, publishedDataset, type World } from '../support/factories';
import { testServices, type TestServices } from '../support/services';

let svc: TestServices;
let w: World;
let slug: string;

beforeAll(async () => {
  svc = testServices();
  w = await makeWorld(svc);
  slug = (await publishedDataset(svc, w)).ds.slug;
});
afterAll(() => svc.close());

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
  } as Record<string, Record<string, unknown>>)[name];
};

describe('every action', () => {
  it('names a policy and a loader', () => {
    for (const [name, action] of Object.entries(actions)) {
      expect({ name, authorize: typeof action.authorize, load: typeof action.load }).toEqual({ name, authorize: 'function', load: 'function' });
    }
  });

  it.each(Object.keys(actions))('%s fails closed for the public', async (name) => {
    const input = validInput(name, w.opd.slug);
    expect(input).toBeDefined();
    const err = await perform((actions as unknown as Record<string, never>)[name], null, input as never, svc).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect([401, 404]).toContain((err as AppError).status);
    const action = (actions as Record<string, { name: string }>)[name];
    const anonymous = await svc.db('audit_events').where({ action: action.name, actor_label: 'sistem' }).first();
    expect(anonymous).toBeUndefined();
  });
});
