-- The first part of every install of the SQL API (install.sql includes it first; both
-- `vestige schema up` and `tern code install sql/functions` run install.sql, in one
-- transaction). install.sql has set vestige.install_api_version and vestige.install_hash.

-- pgvector defines its settings (hnsw.ef_search, …) only once its library is loaded in the
-- session. Until then they are mere placeholders, which a role without superuser may not
-- name in a function's SET clause ("permission denied to set parameter"). Reading a vector
-- value loads the library.
SELECT vector_dims('[1]'::vector);

DO $$
DECLARE
    ns   oid := (SELECT oid FROM pg_namespace WHERE nspname = current_schema());
    want integer := current_setting('vestige.install_api_version')::integer;
    have integer;
    acls jsonb;
    sig  regprocedure;
BEGIN
    IF ns IS NULL THEN
        RAISE EXCEPTION 'no current schema to install the vestige SQL API into (check search_path)';
    END IF;
    -- Never downgrade: an older binary (or an older checkout's code package) must not
    -- replace the API a newer one installed while both run during a rolling upgrade.
    SELECT f.api_version INTO have FROM vestige_functions f WHERE f.id = 1;
    IF have > want THEN
        RAISE EXCEPTION 'the installed vestige SQL API is version %, newer than this one (%): upgrade vestige instead', have, want
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    -- The functions are dropped and created (a changed output column cannot be replaced),
    -- which would forget every GRANT and REVOKE made on them: keep their privileges, by
    -- name, for 999_install_end.sql to put back. NULL (never granted) is left out.
    SELECT coalesce(jsonb_object_agg(p.proname, p.proacl::text[]), '{}') INTO acls
      FROM pg_proc p
     WHERE p.pronamespace = ns AND p.proname LIKE 'vestige\_%' AND p.proacl IS NOT NULL;
    PERFORM set_config('vestige.install_acls', acls::text, true);
    FOR sig IN SELECT p.oid::regprocedure FROM pg_proc p
                WHERE p.pronamespace = ns AND p.proname LIKE 'vestige\_%' LOOP
        EXECUTE 'DROP FUNCTION ' || sig::text;
    END LOOP;
END;
$$;
