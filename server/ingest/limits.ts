// How far the loader reads into a file, and what it takes: shared by every stage.

/** The widest table taken. */
export const MAX_COLUMNS = 1000;
/** The largest record (one row, all its fields) taken. */
export const MAX_FIELD_BYTES = 1024 * 1024;
/** Rows of the head sampled for type inference. */
export const SAMPLE_ROWS = 5000;
/** How many bytes from the end are read to find footnotes and sample late rows. */
export const TAIL_BYTES = 64 * 1024;
/**
 * How many bytes from the start of a file are read to sniff it: a little more than the largest
 * record allowed, so a head holding no whole record after the header means that record is too large.
 */
export const HEAD_BYTES = MAX_FIELD_BYTES + TAIL_BYTES;
/** Chunks of the middle of a large file read for the sample, and their size. */
export const MIDDLE_CHUNKS = 8;
export const MIDDLE_CHUNK_BYTES = 64 * 1024;
