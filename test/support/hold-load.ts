/**
 * Makes the first attempt of every version's load wait, at row `row` of its COPY, for the
 * advisory lock `lock` that the test holds: a fault can then be injected mid-load however fast or
 * slow the machine is. `run` executes SQL as a role that may create event triggers (a superuser).
 */
export async function holdFirstAttempts(run: (sql: string) => Promise<unknown>, lock: number, row: number): Promise<void> {
  await run(`
    CREATE FUNCTION public.test_hold_row() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN PERFORM pg_advisory_lock(${Number(lock)}); PERFORM pg_advisory_unlock(${Number(lock)}); RETURN NEW; END $$;
    CREATE FUNCTION public.test_hold_first_attempt() RETURNS event_trigger LANGUAGE plpgsql AS $$
      DECLARE r record;
      BEGIN
        FOR r IN SELECT * FROM pg_event_trigger_ddl_commands() WHERE command_tag = 'CREATE TABLE' AND schema_name = 'datastore' LOOP
          IF r.object_identity ~ '^datastore\\.v\\d+_1$' THEN
            EXECUTE format('CREATE TRIGGER test_hold BEFORE INSERT ON %s FOR EACH ROW WHEN (NEW._id = ${Number(row)}) EXECUTE FUNCTION public.test_hold_row()', r.object_identity);
          END IF;
        END LOOP;
      END $$;
    CREATE EVENT TRIGGER test_hold ON ddl_command_end WHEN TAG IN ('CREATE TABLE') EXECUTE FUNCTION public.test_hold_first_attempt();
  `);
}
