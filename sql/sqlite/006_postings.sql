-- SQLite schema, version 6: nothing to change. Postgres' migration 006 keeps full-text
-- postings (memory_terms) and an exact memory count beside memories, so that its ranking
-- reads them from an index; FTS5 already keeps both (its index and fts5vocab), which the
-- SQLite ranking reads. The file exists so that version 6 means the same schema on both
-- backends (the numbers must run without gaps).
SELECT 1;

---- create above / drop below ----

SELECT 1;
