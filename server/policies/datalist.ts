import { Actor, isCustodian, isProducerOf } from './actor';

/** A data-list item as the policies see it. */
export interface DataListItemRecord {
  id: number;
  organization_id: number;
}

/** Create, change, remove and import data-list items, and remind OPDs of them: the custodian (walidata, admin). */
export function canManageDataList(actor: Actor | null): boolean {
  return isCustodian(actor) && !actor?.system;
}

/** Name the dataset that fulfils an item: the custodian, or a producer of the item's OPD. */
export function canLinkDataListItem(actor: Actor | null, item: DataListItemRecord): boolean {
  return canManageDataList(actor) || isProducerOf(actor, item.organization_id);
}

/** Open the data-list workspace (the OPD's own items, or all for the custodian). */
export function canUseDataListWorkspace(actor: Actor | null): boolean {
  return canManageDataList(actor) || actor?.role === 'produsen';
}
