-- vestige schema, version 6: full-text postings and an exact memory count.
--
-- Measured on SciFact (5,183 abstracts, claims of ~12 terms; docs/benchmarks.md), the
-- full-text branch spent its time in three places: counting the memories (a scan of the wide
-- memories heap, 4 KB a row: 7 ms), counting each term's documents (one bitmap heap scan per
-- term: 7 ms) and ranking the candidates (ts_rank_cd per term per candidate, each call
-- reading the row's compressed tsvector again: 7 ms). The data it needs is small: per
-- (term, memory) one number. So it now lives apart:
--   - memory_terms holds one row per distinct lexeme of each memory's search_vec with its
--     term frequency as the ranking uses it, in a primary key that covers it: a term's
--     document frequency is the length of its run in the index, and a search scores every
--     candidate from index-only scans, without visiting memories;
--   - term_stats holds each lexeme's document frequency and memory_count_shards the number of
--     memories, exactly (the BM25 idf's df and N), each split in 16 shards that writers pick
--     by backend (pg_backend_pid() % 16), so that concurrent writers do not queue on one
--     row; a reader sums the shards. Two backends of the same shard take turns (a
--     transaction-level advisory lock on the shard), so their row locks cannot deadlock.
-- Triggers keep both equal to memories for every write, plain SQL included.

-- tf(t) exactly as ts_rank_cd(search_vec, t) computes it for a single-term query: the sum
-- of the weights of t's positions (D 0.1, C 0.2, B 0.4, A 1.0, as float4, summed in double,
-- returned as float4). Checked equal to ts_rank_cd on every (memory, lexeme) of SciFact.
CREATE FUNCTION memory_terms_of(v tsvector)
RETURNS TABLE (lexeme text, tf real)
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
    SELECT u.lexeme,
           (SELECT sum(CASE w WHEN 'A' THEN 1.0::real WHEN 'B' THEN 0.4::real
                              WHEN 'C' THEN 0.2::real ELSE 0.1::real END::double precision)
              FROM unnest(u.weights) AS w)::real
      FROM unnest(v) AS u
$$;

COMMENT ON FUNCTION memory_terms_of(tsvector) IS
'The postings of a tsvector: each lexeme with its term frequency as ts_rank_cd weighs a single-term query (sum of its positions'' weights: A 1.0, B 0.4, C 0.2, D 0.1). Used by the triggers that keep memory_terms.';

CREATE TABLE memory_terms (
    lexeme    text COLLATE "C" NOT NULL,
    memory_id uuid NOT NULL,
    tf        real NOT NULL,
    PRIMARY KEY (lexeme, memory_id) INCLUDE (tf)
);

COMMENT ON TABLE memory_terms IS
'Derived from memories.search_vec by triggers (never write it directly): one row per distinct lexeme of each memory, with its term frequency. The full-text ranking reads it with index-only scans.';

CREATE TABLE term_stats (
    lexeme text COLLATE "C" NOT NULL,
    shard  integer NOT NULL,
    df     bigint NOT NULL,
    PRIMARY KEY (lexeme, shard) INCLUDE (df)
);

COMMENT ON TABLE term_stats IS
'Derived from memories.search_vec by triggers (never write it directly): sum(df) over a lexeme''s shards is the number of memories holding it.';

CREATE TABLE memory_count_shards (
    shard    integer PRIMARY KEY,
    memories bigint NOT NULL
);

COMMENT ON TABLE memory_count_shards IS
'Derived from memories by triggers: sum(memories) is the exact number of memories. Writers add to the row of their backend (pg_backend_pid() % 16), so they do not wait on each other.';

-- Recomputes the three tables from memories: here, to fill them, and after a bulk load that
-- ran without the triggers (pgstore's copy into an empty store). The postings go in key order
-- (a third cheaper than unordered inserts); the counts land in shard 0. The caller keeps
-- writers of memories out meanwhile (their triggers write these tables too).
CREATE FUNCTION memory_terms_rebuild() RETURNS void
LANGUAGE sql AS $$
    DELETE FROM memory_terms;
    DELETE FROM term_stats;
    DELETE FROM memory_count_shards;
    INSERT INTO memory_terms (lexeme, memory_id, tf)
    SELECT t.lexeme, m.id, t.tf FROM memories m, memory_terms_of(m.search_vec) AS t ORDER BY 1, 2;
    INSERT INTO term_stats (lexeme, shard, df) SELECT p.lexeme, 0, count(*) FROM memory_terms p GROUP BY p.lexeme;
    INSERT INTO memory_count_shards (shard, memories) SELECT 0, count(*) FROM memories;
$$;

COMMENT ON FUNCTION memory_terms_rebuild() IS
'Recomputes memory_terms, term_stats and memory_count_shards from memories (after a load that bypassed their triggers). Keep writers of memories out meanwhile (LOCK TABLE memories IN SHARE MODE).';

SELECT memory_terms_rebuild();

-- The statistics' writers: each adds to the rows of its backend's shard, after taking the
-- shard's advisory lock (key space 0x76657374 'vest', shard), held to the end of the
-- transaction. Lexemes are added in byte order.
CREATE FUNCTION search_stats_add(lexemes text[], deltas bigint[], memories bigint) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    my_shard constant integer := pg_backend_pid() % 16;
BEGIN
    PERFORM pg_advisory_xact_lock(1986359156, my_shard);
    INSERT INTO term_stats AS s (lexeme, shard, df)
    SELECT d.lexeme, my_shard, sum(d.delta)
      FROM unnest(lexemes, deltas) AS d(lexeme, delta)
     GROUP BY d.lexeme
     ORDER BY d.lexeme COLLATE "C"
    ON CONFLICT (lexeme, shard) DO UPDATE SET df = s.df + excluded.df;
    IF memories <> 0 THEN
        INSERT INTO memory_count_shards AS s (shard, memories) VALUES (my_shard, memories)
        ON CONFLICT (shard) DO UPDATE SET memories = s.memories + excluded.memories;
    END IF;
END;
$$;

-- Inserts and deletes are kept per statement (a bulk load writes its postings in one
-- statement); updates per row, and only those that change the indexed text or the id.
CREATE FUNCTION memory_terms_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO memory_terms (lexeme, memory_id, tf)
    SELECT t.lexeme, n.id, t.tf FROM new_rows n, memory_terms_of(n.search_vec) AS t;
    PERFORM search_stats_add(array_agg(d.lexeme), array_agg(d.n), (SELECT count(*) FROM new_rows))
       FROM (SELECT l.lexeme, count(*) AS n FROM new_rows r, unnest(tsvector_to_array(r.search_vec)) AS l(lexeme)
              GROUP BY l.lexeme) d;
    RETURN NULL;
END;
$$;

CREATE FUNCTION memory_terms_delete() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM memory_terms p
     USING (SELECT o.id, l.lexeme FROM old_rows o, unnest(tsvector_to_array(o.search_vec)) AS l(lexeme)) d
     WHERE p.lexeme = d.lexeme AND p.memory_id = d.id;
    PERFORM search_stats_add(array_agg(d.lexeme), array_agg(-d.n), -(SELECT count(*) FROM old_rows))
       FROM (SELECT l.lexeme, count(*) AS n FROM old_rows r, unnest(tsvector_to_array(r.search_vec)) AS l(lexeme)
              GROUP BY l.lexeme) d;
    RETURN NULL;
END;
$$;

CREATE FUNCTION memory_terms_update() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM memory_terms p
     WHERE p.lexeme = ANY (tsvector_to_array(OLD.search_vec)) AND p.memory_id = OLD.id;
    INSERT INTO memory_terms (lexeme, memory_id, tf)
    SELECT t.lexeme, NEW.id, t.tf FROM memory_terms_of(NEW.search_vec) AS t;
    IF OLD.search_vec IS DISTINCT FROM NEW.search_vec THEN
        PERFORM search_stats_add(array_agg(d.lexeme), array_agg(d.delta), 0)
           FROM (SELECT coalesce(n.l, o.l) AS lexeme, CASE WHEN o.l IS NULL THEN 1 ELSE -1 END::bigint AS delta
                   FROM unnest(tsvector_to_array(NEW.search_vec)) AS n(l)
                   FULL JOIN unnest(tsvector_to_array(OLD.search_vec)) AS o(l) ON o.l = n.l
                  WHERE n.l IS NULL OR o.l IS NULL) d;
    END IF;
    RETURN NULL;
END;
$$;

CREATE FUNCTION memory_terms_truncate() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE memory_terms, term_stats, memory_count_shards;
    RETURN NULL;
END;
$$;

CREATE TRIGGER trg_memories_terms_insert AFTER INSERT ON memories
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION memory_terms_insert();
CREATE TRIGGER trg_memories_terms_delete AFTER DELETE ON memories
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION memory_terms_delete();
CREATE TRIGGER trg_memories_terms_update AFTER UPDATE OF id, content, node_type, tags ON memories
    FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id OR OLD.search_vec IS DISTINCT FROM NEW.search_vec)
    EXECUTE FUNCTION memory_terms_update();
CREATE TRIGGER trg_memories_terms_truncate AFTER TRUNCATE ON memories
    FOR EACH STATEMENT EXECUTE FUNCTION memory_terms_truncate();

-- Roles already granted the app's tables (vestige schema grant) write these through the
-- triggers and read them in the search: give them what they have on memories.
DO $$
DECLARE
    g record;
BEGIN
    FOR g IN SELECT grantee, string_agg(privilege_type, ', ') AS privs
               FROM information_schema.role_table_grants
              WHERE table_schema = current_schema() AND table_name = 'memories'
                AND privilege_type IN ('SELECT', 'INSERT', 'UPDATE', 'DELETE')
                AND grantee <> current_user
              GROUP BY grantee
    LOOP
        EXECUTE format('GRANT %s ON memory_terms, term_stats, memory_count_shards TO %I', g.privs, g.grantee);
    END LOOP;
END;
$$;

ANALYZE memory_terms;

---- create above / drop below ----

DROP TRIGGER IF EXISTS trg_memories_terms_truncate ON memories;
DROP TRIGGER IF EXISTS trg_memories_terms_update ON memories;
DROP TRIGGER IF EXISTS trg_memories_terms_delete ON memories;
DROP TRIGGER IF EXISTS trg_memories_terms_insert ON memories;
DROP FUNCTION IF EXISTS memory_terms_truncate();
DROP FUNCTION IF EXISTS memory_terms_update();
DROP FUNCTION IF EXISTS memory_terms_delete();
DROP FUNCTION IF EXISTS memory_terms_insert();
DROP FUNCTION IF EXISTS search_stats_add(text[], bigint[], bigint);
DROP FUNCTION IF EXISTS memory_terms_rebuild();
DROP TABLE IF EXISTS memory_count_shards;
DROP TABLE IF EXISTS term_stats;
DROP TABLE IF EXISTS memory_terms;
DROP FUNCTION IF EXISTS memory_terms_of(tsvector);
