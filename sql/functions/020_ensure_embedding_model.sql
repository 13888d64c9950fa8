-- The registry check every writer makes before it stores vectors. The first call stamps the
-- dimension on memories.embedding and builds the HNSW index, which alters the table: the
-- function runs as its owner (the role that ran `vestige schema up`), so a role that may only
-- read and write rows can still open a fresh store.
CREATE FUNCTION vestige_ensure_embedding_model(model_name text, model_dimension integer, model_hash text)
RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
AS $$
DECLARE
    registered embedding_model%ROWTYPE;
BEGIN
    IF model_name IS NULL OR model_name = '' THEN
        RAISE EXCEPTION 'model name is empty' USING ERRCODE = 'VS006';
    END IF;
    IF model_hash IS NULL OR model_hash = '' THEN
        RAISE EXCEPTION 'model hash is empty' USING ERRCODE = 'VS006';
    END IF;
    IF model_dimension IS NULL OR model_dimension < 1 OR model_dimension > 16000 THEN
        RAISE EXCEPTION 'model dimension % is outside 1..16000', model_dimension USING ERRCODE = 'VS006';
    END IF;

    SELECT * INTO registered FROM embedding_model WHERE id = 1;
    IF NOT FOUND THEN
        -- Two first writers at once: the second waits here and then sees the first's row.
        LOCK TABLE embedding_model IN SHARE ROW EXCLUSIVE MODE;
        SELECT * INTO registered FROM embedding_model WHERE id = 1;
    END IF;
    IF FOUND THEN
        IF registered.name = model_name AND registered.dimension = model_dimension AND registered.hash = model_hash THEN
            RETURN false;
        END IF;
        RAISE EXCEPTION 'embedding model mismatch: the store holds vectors of % (% dimensions, hash %) but % (% dimensions, hash %) was requested; run `vestige migrate reembed` to switch models',
            registered.name, registered.dimension, registered.hash, model_name, model_dimension, model_hash
            USING ERRCODE = 'VS003',
                  DETAIL = json_build_object(
                      'registered', json_build_object('name', registered.name, 'dimension', registered.dimension, 'hash', registered.hash),
                      'requested', json_build_object('name', model_name, 'dimension', model_dimension, 'hash', model_hash))::text;
    END IF;

    INSERT INTO embedding_model (id, name, dimension, hash) VALUES (1, model_name, model_dimension, model_hash);
    EXECUTE format('ALTER TABLE memories ALTER COLUMN embedding TYPE vector(%s)', model_dimension);
    -- A 3 KB vector would otherwise be TOASTed: the planner then under-costs full scans and
    -- skips HNSW, and index builds get no parallel workers (DESIGN.md §8).
    EXECUTE format('ALTER TABLE memories ALTER COLUMN embedding SET STORAGE %s',
                   CASE WHEN model_dimension <= 1536 THEN 'PLAIN' ELSE 'MAIN' END);
    -- pgvector's HNSW indexes vectors of up to 2000 dimensions; larger ones are searched exactly.
    IF model_dimension <= 2000 THEN
        CREATE INDEX IF NOT EXISTS idx_memories_embedding_hnsw ON memories
            USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 64);
    END IF;
    RETURN true;
END;
$$;

COMMENT ON FUNCTION vestige_ensure_embedding_model(text, integer, text) IS
'Registers the embedding model (name, dimension, hash) on first use: stamps vector(dimension) on memories.embedding and builds the HNSW index; returns true then. Later calls return false when all three match and raise VS003 (naming both models) otherwise. VS006 for an empty name or hash or a dimension outside 1..16000. Runs as the schema owner.';

-- A SECURITY DEFINER function must not find a caller's objects: its search_path is the
-- install's schemas (the store's, then wherever pgvector lives) with pg_temp named last, so
-- that a caller's temporary embedding_model table cannot stand in for the registry. The
-- schema names are quoted, so a schema such as "Vestige Mem" works.
DO $$
BEGIN
    EXECUTE format('ALTER FUNCTION %I.vestige_ensure_embedding_model(text, integer, text) SET search_path = %s, pg_temp',
                   current_schema(),
                   (SELECT string_agg(quote_ident(s), ', ' ORDER BY o)
                      FROM unnest(current_schemas(false)) WITH ORDINALITY AS t(s, o)
                     WHERE s NOT LIKE 'pg\_temp\_%' AND s NOT LIKE 'pg\_toast\_temp\_%'));
END;
$$;
