import type { Knex } from 'knex';

/** Bytes the user uploaded as versions in the last 24 hours (what the daily quota counts). */
export async function uploadedBytesToday(db: Knex, userId: number): Promise<number> {
  const [{ bytes }] = await db('versions')
    .where('uploaded_by', userId)
    .where('created_at', '>', db.raw("now() - interval '24 hours'"))
    .select(db.raw('coalesce(sum(raw_size), 0)::bigint as bytes'));
  return Number(bytes);
}
