-- The last part of every install of the SQL API: put back the privileges the old functions
-- had (000_install_begin.sql kept them) and record what is installed, so that `vestige
-- schema status` recognises an install made by `tern code install` as its own.
DO $$
DECLARE
    ns    oid := (SELECT oid FROM pg_namespace WHERE nspname = current_schema());
    acls  jsonb := current_setting('vestige.install_acls')::jsonb;
    f     record;
    e     record;
BEGIN
    FOR f IN SELECT p.oid::regprocedure AS sig, p.proname, p.proowner, p.proacl
               FROM pg_proc p
              WHERE p.pronamespace = ns AND p.proname LIKE 'vestige\_%' AND acls ? p.proname LOOP
        -- Take away what the new function was given (the defaults, default privileges)...
        FOR e IN SELECT * FROM aclexplode(coalesce(f.proacl, acldefault('f', f.proowner))) LOOP
            EXECUTE format('REVOKE %s ON FUNCTION %s FROM %s', e.privilege_type, f.sig,
                           CASE WHEN e.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(e.grantee)) END);
        END LOOP;
        -- ...and give exactly what the old one had.
        FOR e IN SELECT * FROM aclexplode(ARRAY(SELECT x::aclitem FROM jsonb_array_elements_text(acls -> f.proname) x)) LOOP
            EXECUTE format('GRANT %s ON FUNCTION %s TO %s%s', e.privilege_type, f.sig,
                           CASE WHEN e.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(e.grantee)) END,
                           CASE WHEN e.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END);
        END LOOP;
    END LOOP;
    INSERT INTO vestige_functions (id, hash, api_version, installed_at)
    VALUES (1, current_setting('vestige.install_hash'), current_setting('vestige.install_api_version')::integer, now())
    ON CONFLICT (id) DO UPDATE
        SET hash = excluded.hash, api_version = excluded.api_version, installed_at = excluded.installed_at;
END;
$$;
