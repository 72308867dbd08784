/** Maps a row's `_id` to its physical line in the file. */
export interface LineMap {
  /** Breakpoints (ascending `_id`): from that row on, line = _id + offset. */
  breaks: Array<[number, number]>;
}

/** The physical line of row `_id`. */
export function lineOf(map: LineMap, id: number): number {
  let offset = map.breaks[0]?.[1] ?? 0;
  for (const [from, off] of map.breaks) {
    if (from > id) break;
    offset = off;
  }
  return id + offset;
}
