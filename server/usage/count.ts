import type { Request, Response } from 'express';
import type { UsageRecorder } from './recorder';
import { countable } from './bots';

/**
 * Counts a reader's download of published data once the response has been sent whole (an
 * aborted or failed download is not one). Only published and superseded versions count.
 */
export function countDownload(
  usage: UsageRecorder,
  req: Request,
  res: Response,
  d: { datasetId: number; state: string; format: string },
): void {
  if (!(d.state === 'published' || d.state === 'superseded') || !countable(req)) return;
  res.once('finish', () => {
    if (res.statusCode === 200) usage.download(d.datasetId, d.format);
  });
}
