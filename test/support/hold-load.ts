/**
 * Makes the first `attempts` attempts of every version's load wait, at row `row` of their COPY,
 * for an advisory lock the test holds: attempt 1 for `lock`, attempt 2 for `lock + 1`, and so on.
 * A fault can then be injected mid-load however fast or slow the machine is. `run` executes SQL
 * as a role that may create event triggers (a superuser).
 */
export async function holdFirstAttempts(run: (sql: string) => Promise<unknown>, lock: number, row: number, attempts = 1): Promise<void> {
  await run(`
    CREATE FUNCTION public.test_hold_row() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN PERFORM pg_advisory_lock(TG_ARGV[0]::bigint); PERFORM pg_advisory_unlock(TG_ARGV[0]::bigint); RETURN NEW; END $$;
    CREATE FUNCTION public.test_hold_first_attempt() RETURNS event_trigger LANGUAGE plpgsql AS $$
      DECLARE r record; attempt int;
      BEGIN
        FOR r IN SELECT * FROM pg_event_trigger_ddl_commands() WHERE command_tag = 'CREATE TABLE' AND schema_name = 'datastore' LOOP
          IF r.object_identity ~ '^datastore\\.v\\d+_\\d+$' THEN
            attempt := substring(r.object_identity from '_(\\d+)$')::int;
            IF attempt <= ${Number(attempts)} THEN
              EXECUTE format('CREATE TRIGGER test_hold BEFORE INSERT ON %s FOR EACH ROW WHEN (NEW._id = ${Number(row)}) EXECUTE FUNCTION public.test_hold_row(%s)', r.object_identity, ${Number(lock)} + attempt - 1);
            END IF;
          END IF;
        END LOOP;
      END $$;
    CREATE EVENT TRIGGER test_hold ON ddl_command_end WHEN TAG IN ('CREATE TABLE') EXECUTE FUNCTION public.test_hold_first_attempt();
  `);
}
