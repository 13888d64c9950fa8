CREATE FUNCTION vestige_vector_search(query_embedding vector, match_count integer DEFAULT 10,
    domain_filter text[] DEFAULT NULL, node_type_filter text[] DEFAULT NULL,
    tag_filter text[] DEFAULT NULL, min_retrievability double precision DEFAULT NULL)
RETURNS TABLE (id uuid, content text, node_type text, tags text[], domains text[], domain_scores jsonb,
    metadata jsonb, created_at timestamptz, updated_at timestamptz,
    rrf_score double precision, fts_score double precision, vector_score double precision,
    fts_rank integer, vector_rank integer)
LANGUAGE sql STABLE PARALLEL UNSAFE
SET jit = off
AS $$
    SELECT * FROM vestige_search(NULL::text, query_embedding, match_count,
        domain_filter, node_type_filter, tag_filter, min_retrievability)
$$;

COMMENT ON FUNCTION vestige_vector_search(vector, integer, text[], text[], text[], double precision) IS
'Vector search only: vestige_search with no text (same columns; fts_score and fts_rank are NULL). NULL embedding raises VS001, a wrong dimension VS002, a norm outside [1e-06, 1e+06] (the zero vector included) VS006.';
