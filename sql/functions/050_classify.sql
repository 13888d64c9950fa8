-- Ties are broken by domain id bytewise (COLLATE "C"), never by the database's collation, so
-- that an ICU or libc locale cannot reorder them and the SQLite twin (which compares bytes)
-- agrees. The query vector obeys the rule every stored vector does (store.CheckVector): a
-- norm in [1e-6, 1e6] (pgvector cannot hold NaN or infinities at all); outside it the
-- cosine is NaN or meaningless.
CREATE FUNCTION vestige_classify(embedding vector, match_count integer DEFAULT NULL)
RETURNS TABLE (domain_id text, similarity double precision)
LANGUAGE plpgsql STABLE PARALLEL SAFE
AS $$
DECLARE
    registered embedding_model%ROWTYPE;
BEGIN
    IF embedding IS NULL THEN
        RAISE EXCEPTION 'embedding is NULL' USING ERRCODE = 'VS006';
    END IF;
    IF match_count IS NOT NULL AND match_count < 0 THEN
        RAISE EXCEPTION 'match_count % is negative', match_count USING ERRCODE = 'VS006';
    END IF;
    -- The stored vectors' rule, in the schema's own words (migration 002).
    PERFORM value_rule_refuse('embedding', value_rule_vector_problem(embedding));
    SELECT * INTO registered FROM embedding_model WHERE id = 1;
    IF FOUND AND vector_dims(embedding) <> registered.dimension THEN
        RAISE EXCEPTION 'embedding has % dimensions but the registered model % has %',
            vector_dims(embedding), registered.name, registered.dimension USING ERRCODE = 'VS002';
    END IF;
    RETURN QUERY
        SELECT d.id, 1 - (d.centroid <=> vestige_classify.embedding)
          FROM domains d
         WHERE d.centroid IS NOT NULL
           AND vector_dims(d.centroid) = vector_dims(vestige_classify.embedding)
           AND vector_norm(d.centroid) > 0
         ORDER BY 2 DESC, d.id COLLATE "C"
         LIMIT match_count;
END;
$$;

COMMENT ON FUNCTION vestige_classify(vector, integer) IS
'Domains ranked by cosine similarity of their centroid to the embedding, best first, ties by domain id bytewise (COLLATE "C", whatever the database collation); match_count NULL lists all. Domains without a centroid, or whose centroid has another dimension or is zero, are skipped. VS002 when the dimension differs from the registered model''s; VS006 for a NULL embedding, one whose norm is outside [1e-6, 1e6] (the zero vector included), or a negative match_count.';
