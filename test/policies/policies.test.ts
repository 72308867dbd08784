import type { Actor, Role } from '../../server/policies/actor';
import { canCreateDataset, canRetractDataset, canUpdateDataset, canUploadVersion, canViewDataset, canViewWork } from '../../server/policies/dataset';
import { canManageAccounts } from '../../server/policies/organization';
import type { DatasetRecord, VersionRecord, VersionState } from '../../server/policies/records';
import { canCommentVersion, canDecideVersion, canManageVersion, canReloadVersion, canSubmitVersion, canViewVersion, canWithdrawVersion, SUBMITTABLE, WITHDRAWABLE } from '../../server/policies/version';
import { canUseReviewQueue, homePath, reviewStatesFor } from '../../server/policies/review';
import { canFileUnder, canUseProducerWorkspace } from '../../server/policies/dataset';
import { canUseRequestWorkspace } from '../../server/policies/requests';
import { canViewUsage } from '../../server/policies/usage';
import { systemActor } from '../../server/policies/actor';

const OPD = 10;
const OTHER = 11;
const actor = (role: Role, id: number, organizationId: number | null): Actor => ({ id, role, organizationId, email: `${role}@x`, name: role });
const people = {
  public: null,
  produsen: actor('produsen', 1, OPD),
  otherProdusen: actor('produsen', 2, OTHER),
  walidata: actor('walidata', 3, 20),
  pembina: actor('pembina', 4, 30),
  admin: actor('admin', 5, null),
};
type Who = keyof typeof people;

const dataset = (over: Partial<DatasetRecord> = {}): DatasetRecord => ({
  id: 1, organization_id: OPD, access_level: 'terbuka', prioritas: false, current_version_id: 7, retracted_at: null, ...over,
});
const version = (state: VersionState, over: Partial<VersionRecord> = {}): VersionRecord => ({
  id: 7, dataset_id: 1, state, uploaded_by: 1, submitted_by: 1, ...over,
});
const allowed = (check: (a: Actor | null) => boolean) =>
  (Object.keys(people) as Who[]).filter((w) => check(people[w])).sort();

describe('dataset policies', () => {
  it('shows a published open dataset to everyone', () => {
    expect(allowed((a) => canViewDataset(a, dataset()))).toEqual(Object.keys(people).sort());
  });
  it('shows a restricted dataset to signed-in users only', () => {
    expect(allowed((a) => canViewDataset(a, dataset({ access_level: 'terbatas' })))).not.toContain('public');
    expect(allowed((a) => canViewDataset(a, dataset({ access_level: 'terbatas' })))).toHaveLength(5);
  });
  it('shows a closed dataset to its OPD and the custodian only', () => {
    expect(allowed((a) => canViewDataset(a, dataset({ access_level: 'tertutup' })))).toEqual(['admin', 'produsen', 'walidata']);
  });
  it('hides an unpublished dataset from the public and other OPDs', () => {
    expect(allowed((a) => canViewDataset(a, dataset({ current_version_id: null })))).toEqual(['admin', 'produsen', 'walidata']);
  });
  it('hides a retracted dataset from the public', () => {
    expect(allowed((a) => canViewDataset(a, dataset({ retracted_at: new Date() })))).toEqual(['admin', 'produsen', 'walidata']);
  });
  it('lets the pembina see the work of priority datasets only, and only once a version reached its check', () => {
    expect(canViewWork(people.pembina, dataset({ prioritas: true, pembina_stage: true }))).toBe(true);
    expect(canViewWork(people.pembina, dataset({ prioritas: true }))).toBe(false);
    expect(canViewWork(people.pembina, dataset({ prioritas: true, pembina_stage: false }))).toBe(false);
    expect(canViewWork(people.pembina, dataset({ pembina_stage: true }))).toBe(false);
  });
  it('lets only the OPD’s producers and the admin create datasets for an OPD', () => {
    expect(allowed((a) => canCreateDataset(a, { id: OPD, kind: 'opd' }))).toEqual(['admin', 'produsen']);
    expect(allowed((a) => canCreateDataset(a, { id: OPD, kind: 'walidata' }))).toEqual([]);
  });
  it('lets the OPD and the custodian edit metadata, but only the OPD and admin upload', () => {
    expect(allowed((a) => canUpdateDataset(a, dataset()))).toEqual(['admin', 'produsen', 'walidata']);
    expect(allowed((a) => canUploadVersion(a, dataset()))).toEqual(['admin', 'produsen']);
  });
  it('lets the custodian retract', () => {
    expect(allowed((a) => canRetractDataset(a, dataset()))).toEqual(['admin', 'walidata']);
  });
  it('lets only the admin manage accounts', () => {
    expect(allowed(canManageAccounts)).toEqual(['admin']);
  });
});

describe('version policies', () => {
  it('treats published and superseded versions as public, others as work', () => {
    expect(canViewVersion(null, dataset(), version('superseded'))).toBe(true);
    expect(canViewVersion(null, dataset(), version('draft'))).toBe(false);
    expect(canViewVersion(people.otherProdusen, dataset(), version('submitted'))).toBe(false);
    expect(canViewVersion(people.walidata, dataset(), version('draft'))).toBe(true);
  });
  it('lets the OPD’s producers and the admin submit and withdraw', () => {
    expect(allowed((a) => canManageVersion(a, dataset()))).toEqual(['admin', 'produsen']);
  });
  it('gives the first decision to the walidata (and the admin, who does what the walidata does), the second to the pembina alone', () => {
    const other = { uploaded_by: 99, submitted_by: 99 };
    expect(allowed((a) => canDecideVersion(a, dataset(), version('submitted', other)))).toEqual(['admin', 'walidata']);
    expect(allowed((a) => canDecideVersion(a, dataset({ prioritas: true }), version('verified', other)))).toEqual(['pembina']);
  });
  it('asks one policy for submit, withdraw and reload', () => {
    for (const check of [canSubmitVersion, canWithdrawVersion, canReloadVersion]) {
      expect(allowed((a) => check(a, dataset(), version('draft')))).toEqual(['admin', 'produsen']);
    }
    expect(SUBMITTABLE).toEqual(['draft', 'changes_requested']);
    expect(WITHDRAWABLE).toEqual(['submitted']);
  });
  it('never lets anyone decide on work they uploaded or submitted', () => {
    const ownUpload = version('submitted', { uploaded_by: people.walidata.id, submitted_by: 99 });
    const ownSubmit = version('submitted', { uploaded_by: 99, submitted_by: people.admin.id });
    expect(canDecideVersion(people.walidata, dataset(), ownUpload)).toBe(false);
    expect(canDecideVersion(people.admin, dataset(), ownSubmit)).toBe(false);
  });
  it('lets those who see the work comment', () => {
    expect(allowed((a) => canCommentVersion(a, dataset(), version('submitted')))).toEqual(['admin', 'produsen', 'walidata']);
  });
});

describe('workspace and queue policies', () => {
  it('sends each reviewer the states of its own stage', () => {
    expect(reviewStatesFor(people.walidata)).toEqual(['submitted']);
    expect(reviewStatesFor(people.admin)).toEqual(['submitted']);
    expect(reviewStatesFor(people.pembina)).toEqual(['verified']);
    expect(reviewStatesFor(people.produsen)).toEqual([]);
    expect(reviewStatesFor(null)).toEqual([]);
    expect(reviewStatesFor(systemActor)).toEqual([]);
    expect(allowed(canUseReviewQueue)).toEqual(['admin', 'pembina', 'walidata']);
  });
  it('opens the workspaces to the right people', () => {
    expect(allowed(canUseProducerWorkspace)).toEqual(['admin', 'otherProdusen', 'produsen']);
    expect(allowed(canUseRequestWorkspace)).toEqual(['admin', 'otherProdusen', 'produsen', 'walidata']);
    expect(allowed(canViewUsage)).toEqual(['admin', 'walidata']);
    expect(allowed((a) => canFileUnder(a, { id: OPD, kind: 'opd' }))).toEqual(['admin', 'produsen', 'walidata']);
    expect(allowed((a) => canFileUnder(a, { id: 20, kind: 'walidata' }))).toEqual([]);
  });
  it('starts reviewers at the queue', () => {
    expect([people.walidata, people.pembina, people.admin, people.produsen].map((a) => homePath(a))).toEqual(['/review', '/review', '/dashboard', '/dashboard']);
  });
});
