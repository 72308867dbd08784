import { createOrganization, createUser, issueToken, revokeToken, signIn } from './accounts';
import { changePassword, requestPasswordReset, resetPassword } from './passwords';
import { endSessions, issuePasswordReset, setOrganizationActive, setUserActive, updateOrganization, updateUser } from './users';
import { createDataset, retractDataset, updateDataset } from './datasets';
import { remindOrganization } from './reminders';
import { setHeadlineIndicators } from './headlines';
import { createWilayah, setWilayahActive, updateWilayah } from './wilayah';
import { answerRequest, createRequest, hideRequest, routeRequest } from './requests';
import { createDataListItem, deleteDataListItem, importDataList, linkDataListItem, updateDataListItem } from './datalist';
import { requestSourceRun, setSource } from './sources';
import { createWebhook, deleteWebhook } from './webhooks';
import { createHarvestSource, harvestDataset, publishHarvestedVersion, requestHarvestRun } from './harvest';
import { autoPublishVersion, setDatasetAutomation } from './automation';
import { createServiceAccount, revokeServiceAccount, rotateServiceAccountToken, setServiceAccountDatasets } from './service-accounts';
import { publishDueVersion, publishVersionNow, reloadVersion, reviewVersion, submitVersion, unscheduleVersion, uploadVersion, withdrawVersion } from './versions';

/** Every action of the portal. A test walks this list: each must name a policy and fail closed. */
export const actions = {
  createOrganization,
  createUser,
  issueToken,
  revokeToken,
  signIn,
  changePassword,
  requestPasswordReset,
  resetPassword,
  updateOrganization,
  setOrganizationActive,
  updateUser,
  setUserActive,
  issuePasswordReset,
  endSessions,
  createDataset,
  updateDataset,
  retractDataset,
  uploadVersion,
  reloadVersion,
  submitVersion,
  withdrawVersion,
  reviewVersion,
  unscheduleVersion,
  publishVersionNow,
  publishDueVersion,
  createDataListItem,
  updateDataListItem,
  deleteDataListItem,
  linkDataListItem,
  importDataList,
  remindOrganization,
  createRequest,
  routeRequest,
  answerRequest,
  hideRequest,
  setSource,
  requestSourceRun,
  createWebhook,
  deleteWebhook,
  setHeadlineIndicators,
  createWilayah,
  updateWilayah,
  setWilayahActive,
  createHarvestSource,
  requestHarvestRun,
  harvestDataset,
  publishHarvestedVersion,
  createServiceAccount,
  rotateServiceAccountToken,
  revokeServiceAccount,
  setServiceAccountDatasets,
  setDatasetAutomation,
  autoPublishVersion,
};
