CREATE FUNCTION vestige_stats()
RETURNS TABLE (memories bigint, with_embeddings bigint, edges bigint, domains bigint,
    review_events bigint, model_name text, model_dimension integer, model_hash text)
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT (SELECT count(*) FROM memories),
           (SELECT count(*) FROM memories WHERE embedding IS NOT NULL),
           (SELECT count(*) FROM edges),
           (SELECT count(*) FROM domains),
           (SELECT count(*) FROM review_events),
           em.name, em.dimension, em.hash
      FROM (SELECT 1) one
      LEFT JOIN embedding_model em ON em.id = 1
$$;

COMMENT ON FUNCTION vestige_stats() IS
'Counts of memories (and those with an embedding), edges, domains and review events, with the registered embedding model (NULLs when none). One row.';
