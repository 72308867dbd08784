/** Page numbers around the current one, for pagination links. */
export function pagination(page: number, total: number, perPage: number) {
  const pages = Math.max(1, Math.ceil(total / perPage));
  const from = Math.max(1, page - 2);
  const to = Math.min(pages, page + 2);
  const list: number[] = [];
  for (let i = from; i <= to; i++) list.push(i);
  return { page, pages, list, prev: page > 1 ? page - 1 : null, next: page < pages ? page + 1 : null, total };
}
