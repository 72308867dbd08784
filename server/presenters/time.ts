/** A time as ISO 8601 text, or null when there is none. */
export const iso = (d: Date | string | null) => (d ? new Date(d).toISOString() : null);
