import type { Knex } from 'knex';

// Search over everything a reader would look for: a weighted full-text document per dataset
// (title highest; then tags, MS-Ind indicator and topic; description and organization; column
// labels and the rest of the MS-Ind metadata), stemmed in Bahasa Indonesia (`kemiskinan` finds
// `miskin`) and in English for the English title, description and topic names; plus a plain
// lower-case text for pg_trgm (partial words, typos, "did you mean"). Kept by a trigger, so every
// way a dataset, its organization, topic or current version changes keeps it up to date. The
// years and the region levels the current version covers are kept beside it for the facets.

export async function up(knex: Knex): Promise<void> {
  await knex.raw('CREATE EXTENSION IF NOT EXISTS pg_trgm');
  // PostgreSQL ships `indonesian` since 13; on a server without it, plain words still work.
  const { rows } = await knex.raw("SELECT 1 FROM pg_ts_config WHERE cfgname = 'indonesian'");
  await knex.raw(`CREATE TEXT SEARCH CONFIGURATION satudata_id (COPY = ${rows.length ? 'pg_catalog.indonesian' : 'pg_catalog.simple'})`);

  await knex.raw('DROP INDEX IF EXISTS datasets_search_idx');
  await knex.raw('ALTER TABLE datasets DROP COLUMN search');
  await knex.raw(`ALTER TABLE datasets
    ADD COLUMN search tsvector NOT NULL DEFAULT ''::tsvector,
    ADD COLUMN search_text text NOT NULL DEFAULT '',
    ADD COLUMN years int4range,
    ADD COLUMN region_levels text[] NOT NULL DEFAULT '{}'`);

  await knex.raw(`
    CREATE FUNCTION datasets_search_fill() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      o_name text; o_short text; t_id text; t_en text; cols text; y_min int; y_max int; levels text[]; rest text;
    BEGIN
      SELECT name, coalesce(short_name, '') INTO o_name, o_short FROM organizations WHERE id = NEW.organization_id;
      SELECT name_id, name_en INTO t_id, t_en FROM topics WHERE id = NEW.topic_id;
      SELECT string_agg(concat_ws(' ', label, unit, description), ' ' ORDER BY position),
             min(CASE WHEN type IN ('year', 'date') AND stats->>'min' ~ '^[0-9]{4}' THEN substr(stats->>'min', 1, 4)::int END),
             max(CASE WHEN type IN ('year', 'date') AND stats->>'max' ~ '^[0-9]{4}' THEN substr(stats->>'max', 1, 4)::int END),
             coalesce(array_agg(DISTINCT CASE
                 WHEN name ~ '(^|_)(provinsi|prov)$' THEN 'provinsi'
                 WHEN name ~ '(^|_)(kabupaten_kota|kab_kota|kabkota|kabupaten|kab|kota)$' THEN 'kabupaten_kota'
                 ELSE 'lainnya' END) FILTER (WHERE role = 'region'), '{}')
        INTO cols, y_min, y_max, levels
        FROM version_columns WHERE version_id = NEW.current_version_id;
      SELECT string_agg(value, ' ') INTO rest FROM jsonb_each_text(coalesce(NEW.metadata, '{}'::jsonb)) WHERE key <> 'nama_indikator';
      NEW.search :=
        setweight(to_tsvector('satudata_id', coalesce(NEW.title, '')), 'A') ||
        setweight(to_tsvector('english', coalesce(NEW.title_en, '')), 'A') ||
        setweight(to_tsvector('satudata_id', concat_ws(' ', array_to_string(NEW.tags, ' '), NEW.metadata->>'nama_indikator', t_id)), 'B') ||
        setweight(to_tsvector('english', coalesce(t_en, '')), 'B') ||
        setweight(to_tsvector('satudata_id', concat_ws(' ', NEW.description, o_name, o_short)), 'C') ||
        setweight(to_tsvector('english', coalesce(NEW.description_en, '')), 'C') ||
        setweight(to_tsvector('satudata_id', concat_ws(' ', cols, rest)), 'D');
      NEW.search_text := lower(concat_ws(' ', NEW.title, NEW.title_en, array_to_string(NEW.tags, ' '), NEW.metadata->>'nama_indikator', t_id, t_en, o_short, cols));
      NEW.years := CASE WHEN y_min IS NOT NULL AND y_max IS NOT NULL AND y_min <= y_max THEN int4range(y_min, y_max, '[]') END;
      NEW.region_levels := levels;
      RETURN NEW;
    END $$`);
  await knex.raw(`
    CREATE TRIGGER datasets_search_fill BEFORE INSERT OR UPDATE OF
      title, title_en, description, description_en, tags, metadata, organization_id, topic_id, current_version_id
    ON datasets FOR EACH ROW EXECUTE FUNCTION datasets_search_fill()`);
  // A renamed organization or topic is found under its new name.
  await knex.raw(`
    CREATE FUNCTION datasets_search_touch() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_TABLE_NAME = 'organizations' THEN
        UPDATE datasets SET organization_id = organization_id WHERE organization_id = NEW.id;
      ELSE
        UPDATE datasets SET topic_id = topic_id WHERE topic_id = NEW.id;
      END IF;
      RETURN NULL;
    END $$`);
  await knex.raw('CREATE TRIGGER organizations_search_touch AFTER UPDATE OF name, short_name ON organizations FOR EACH ROW EXECUTE FUNCTION datasets_search_touch()');
  await knex.raw('CREATE TRIGGER topics_search_touch AFTER UPDATE OF name_id, name_en ON topics FOR EACH ROW EXECUTE FUNCTION datasets_search_touch()');

  await knex.raw('UPDATE datasets SET title = title');
  await knex.raw('CREATE INDEX datasets_search_idx ON datasets USING gin (search)');
  await knex.raw('CREATE INDEX datasets_search_text_trgm_idx ON datasets USING gin (search_text gin_trgm_ops)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TRIGGER IF EXISTS topics_search_touch ON topics');
  await knex.raw('DROP TRIGGER IF EXISTS organizations_search_touch ON organizations');
  await knex.raw('DROP TRIGGER IF EXISTS datasets_search_fill ON datasets');
  await knex.raw('DROP FUNCTION IF EXISTS datasets_search_touch()');
  await knex.raw('DROP FUNCTION IF EXISTS datasets_search_fill()');
  await knex.raw('ALTER TABLE datasets DROP COLUMN search, DROP COLUMN search_text, DROP COLUMN years, DROP COLUMN region_levels');
  await knex.raw(`ALTER TABLE datasets ADD COLUMN search tsvector GENERATED ALWAYS AS (
      setweight(to_tsvector('simple', coalesce(title, '')), 'A') ||
      setweight(to_tsvector('simple', coalesce(metadata->>'nama_indikator', '')), 'B') ||
      setweight(to_tsvector('simple', coalesce(description, '')), 'C')
    ) STORED`);
  await knex.raw('CREATE INDEX datasets_search_idx ON datasets USING gin (search)');
  await knex.raw('DROP TEXT SEARCH CONFIGURATION IF EXISTS satudata_id');
}
