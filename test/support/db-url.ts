/** The server the test run uses: TEST_DATABASE_URL, then DATABASE_URL; undefined = embedded. */
export function configuredTestServer(): string | undefined {
  return process.env.TEST_DATABASE_URL || process.env.DATABASE_URL || undefined;
}

/** The same server URL with another database name. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}
