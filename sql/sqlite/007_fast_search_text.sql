-- SQLite schema, version 7: nothing to change. Postgres' migration 007 computes the same
-- search_vec faster and keeps memories rows whole instead of toasting them; SQLite computes
-- its full-text text in Go (ftstext.go) and has no TOAST. The file exists so that version 7
-- means the same schema on both backends (the numbers must run without gaps).
SELECT 1;

---- create above / drop below ----

SELECT 1;
