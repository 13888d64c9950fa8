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
    SELECT * INTO registered FROM embedding_model WHERE id = 1;
    IF FOUND AND vector_dims(embedding) <> registered.dimension THEN
        RAISE EXCEPTION 'embedding has % dimensions but the registered model % has %',
            vector_dims(embedding), registered.name, registered.dimension USING ERRCODE = 'VS002';
    END IF;
    IF vector_norm(embedding) = 0 THEN
        RAISE EXCEPTION 'embedding is the zero vector: cosine similarity is undefined' USING ERRCODE = 'VS006';
    END IF;
    RETURN QUERY
        SELECT d.id, 1 - (d.centroid <=> vestige_classify.embedding)
          FROM domains d
         WHERE d.centroid IS NOT NULL
           AND vector_dims(d.centroid) = vector_dims(vestige_classify.embedding)
           AND vector_norm(d.centroid) > 0
         ORDER BY 2 DESC, d.id
         LIMIT match_count;
END;
$$;

COMMENT ON FUNCTION vestige_classify(vector, integer) IS
'Domains ranked by cosine similarity of their centroid to the embedding, best first (ties by id); match_count NULL lists all. Domains without a centroid, or whose centroid has another dimension or is zero, are skipped. VS002 when the dimension differs from the registered model''s, VS006 for a NULL or zero embedding.';
