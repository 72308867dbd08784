import { z } from 'zod';
import { Conflict, NotFound } from '../errors';
import { yearSchema } from '../datalist/fields';
import { localDay } from '../manage/calendar';
import { canManageDataList } from '../policies/datalist';
import { dataList } from '../queries/datalist';
import { defineAction } from './action';
import { notify, producersOf } from './notify';

/** Days ahead that count as "due soon". */
export const DUE_SOON_DAYS = 30;

/**
 * Remind an OPD of its data list (the walidata): an in-app notification to each of its producers
 * naming what is late and what falls due within 30 days (kept for an e-mail channel). At most one
 * reminder per OPD an hour, so a double click does not send two.
 */
export const remindOrganization = defineAction({
  name: 'data_list.remind',
  input: z.object({ organization: z.string().trim().min(1).max(120), year: yearSchema, note: z.string().trim().max(1000).default('') }),
  async load(tx, input) {
    const org = await tx('organizations').where({ slug: input.organization, kind: 'opd' }).forUpdate().first();
    if (!org) throw new NotFound('OPD tidak ditemukan.', 'OPD not found.');
    return org as { id: number; slug: string; name: string };
  },
  authorize: (actor) => canManageDataList(actor),
  async run({ tx, config }, actor, org, input) {
    const recent = await tx('audit_events').where({ action: 'data_list.remind', organization_id: org.id }).whereRaw("at > now() - interval '1 hour'").first();
    if (recent) throw new Conflict('OPD ini sudah diingatkan dalam satu jam terakhir.', 'This OPD was reminded within the last hour.');
    const today = localDay(new Date(), config.timeZone);
    const soon = new Date(Date.parse(`${today}T00:00:00Z`) + DUE_SOON_DAYS * 86_400_000).toISOString().slice(0, 10);
    const items = await dataList(tx, null, { year: input.year, timeZone: config.timeZone, organizationId: org.id, today });
    const late = items.flatMap((e) => e.periods.filter((p) => p.status === 'terlambat').map((p) => `${e.name} (${p.key})`));
    const due = items.flatMap((e) => e.periods.filter((p) => p.due && p.due >= today && p.due <= soon && p.status !== 'terbit' && p.status !== 'terbit_terlambat').map((p) => `${e.name} (${p.key})`));
    const recipients = await producersOf(tx, org.id);
    await notify(tx, { kind: 'reminder', recipients, actorId: actor.id, details: { year: input.year, late: late.length, due: due.length, items: [...late, ...due].slice(0, 20), note: input.note || null } });
    return {
      result: { recipients: recipients.length, late: late.length, due: due.length },
      audit: { targetType: 'organization_reminder', targetId: org.slug, organizationId: org.id, details: { year: input.year, late, due, recipients: recipients.length, ...(input.note ? { note: input.note } : {}) } },
    };
  },
});
