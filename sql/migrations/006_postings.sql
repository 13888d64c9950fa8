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
--   - memory_count_shards holds the number of memories, exactly (the BM25 idf's N), in 16
--     rows that writers pick by backend, so that concurrent writers do not queue on one row.
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

CREATE TABLE memory_count_shards (
    shard    integer PRIMARY KEY,
    memories bigint NOT NULL
);

COMMENT ON TABLE memory_count_shards IS
'Derived from memories by triggers: sum(memories) is the exact number of memories. Writers add to the row of their backend (pg_backend_pid() % 16), so they do not wait on each other.';

INSERT INTO memory_terms (lexeme, memory_id, tf)
SELECT t.lexeme, m.id, t.tf
  FROM memories m, memory_terms_of(m.search_vec) AS t;
INSERT INTO memory_count_shards (shard, memories) SELECT 0, count(*) FROM memories;

CREATE FUNCTION memory_count_add(delta bigint) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO memory_count_shards AS s (shard, memories) VALUES (pg_backend_pid() % 16, delta)
    ON CONFLICT (shard) DO UPDATE SET memories = s.memories + excluded.memories
$$;

-- Inserts and deletes are kept per statement (a bulk load writes its postings in one
-- statement); updates per row, and only those that change the indexed text or the id.
CREATE FUNCTION memory_terms_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO memory_terms (lexeme, memory_id, tf)
    SELECT t.lexeme, n.id, t.tf FROM new_rows n, memory_terms_of(n.search_vec) AS t;
    PERFORM memory_count_add((SELECT count(*) FROM new_rows));
    RETURN NULL;
END;
$$;

CREATE FUNCTION memory_terms_delete() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM memory_terms p
     USING (SELECT o.id, l.lexeme FROM old_rows o, unnest(tsvector_to_array(o.search_vec)) AS l(lexeme)) d
     WHERE p.lexeme = d.lexeme AND p.memory_id = d.id;
    PERFORM memory_count_add(-(SELECT count(*) FROM old_rows));
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
    RETURN NULL;
END;
$$;

CREATE FUNCTION memory_terms_truncate() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE memory_terms;
    DELETE FROM memory_count_shards;
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
        EXECUTE format('GRANT %s ON memory_terms, memory_count_shards TO %I', g.privs, g.grantee);
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
DROP FUNCTION IF EXISTS memory_count_add(bigint);
DROP TABLE IF EXISTS memory_count_shards;
DROP TABLE IF EXISTS memory_terms;
DROP FUNCTION IF EXISTS memory_terms_of(tsvector);
