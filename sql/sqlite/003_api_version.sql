-- SQLite schema, version 3: nothing to change. Postgres' migration 003 gives the installed
-- PL/pgSQL API an ordered version; SQLite's "functions" are Go code of the binary, so there
-- is no installed API to version. The file exists so that version 3 means the same schema
-- on both backends (the numbers must run without gaps).
SELECT 1;

---- create above / drop below ----

SELECT 1;
