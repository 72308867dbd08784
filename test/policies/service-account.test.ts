import type { Actor } from '../../server/policies/actor';
import { canUploadVersion, canViewWork } from '../../server/policies/dataset';
import type { DatasetRecord, VersionRecord } from '../../server/policies/records';
import { canManageServiceAccounts, mayPushTo, mayUseWebPages, SERVICE_ACTIONS, serviceMayPerform } from '../../server/policies/service-account';
import { canSubmitVersion } from '../../server/policies/version';
import { actions } from '../../server/actions';

const OPD = 10;
const service: Actor = { id: 9, role: 'produsen', organizationId: OPD, email: 'app@layanan.satudata.invalid', name: 'App', token: { id: 1, scope: 'write' }, service: { datasetIds: [1] } };
const producer: Actor = { id: 1, role: 'produsen', organizationId: OPD, email: 'p@x', name: 'P' };
const admin: Actor = { id: 5, role: 'admin', organizationId: null, email: 'a@x', name: 'A' };
const ds = (id: number, organization_id = OPD): DatasetRecord => ({ id, organization_id, access_level: 'tertutup', prioritas: false, current_version_id: null, retracted_at: null });
const draft = (datasetId: number): VersionRecord => ({ id: 70 + datasetId, dataset_id: datasetId, state: 'draft', uploaded_by: 9, submitted_by: null });

describe('service account policies', () => {
  it('lets a service account push and submit its chosen datasets only', () => {
    expect([canUploadVersion(service, ds(1)), canSubmitVersion(service, ds(1), draft(1))]).toEqual([true, true]);
    expect([canUploadVersion(service, ds(2)), canSubmitVersion(service, ds(2), draft(2))]).toEqual([false, false]);
    expect(canUploadVersion({ ...service, organizationId: 11 }, ds(1))).toBe(false);
    // People are not limited by a dataset scope.
    expect([mayPushTo(producer, ds(2)), canUploadVersion(producer, ds(2))]).toEqual([true, true]);
  });

  it('sees its OPD’s work, as its OPD does', () => {
    expect([canViewWork(service, ds(2)), canViewWork(service, ds(2, 11))]).toEqual([true, false]);
  });

  it('allows a service account no action but pushing and submitting', () => {
    const names = Object.values(actions).map((a) => a.name);
    expect(names.filter((n) => serviceMayPerform(service, n)).sort()).toEqual([...SERVICE_ACTIONS].sort());
    expect(names.every((n) => serviceMayPerform(producer, n) && serviceMayPerform(null, n))).toBe(true);
  });

  it('keeps the web pages for people and service accounts for the operator', () => {
    expect([mayUseWebPages(service), mayUseWebPages(producer), mayUseWebPages(null)]).toEqual([false, true, true]);
    expect([canManageServiceAccounts(admin), canManageServiceAccounts(producer), canManageServiceAccounts(service), canManageServiceAccounts(null)]).toEqual([true, false, false, false]);
  });
});
