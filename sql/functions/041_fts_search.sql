CREATE FUNCTION vestige_fts_search(query_text text, match_count integer DEFAULT 10,
    domain_filter text[] DEFAULT NULL, node_type_filter text[] DEFAULT NULL,
    tag_filter text[] DEFAULT NULL, min_retrievability double precision DEFAULT NULL)
RETURNS TABLE (id uuid, content text, node_type text, tags text[], domains text[], domain_scores jsonb,
    metadata jsonb, created_at timestamptz, updated_at timestamptz,
    rrf_score double precision, fts_score double precision, vector_score double precision,
    fts_rank integer, vector_rank integer)
LANGUAGE sql STABLE PARALLEL UNSAFE
SET jit = off
AS $$
    SELECT * FROM vestige_search(query_text, NULL::vector, match_count,
        domain_filter, node_type_filter, tag_filter, min_retrievability)
$$;

COMMENT ON FUNCTION vestige_fts_search(text, integer, text[], text[], text[], double precision) IS
'Full-text search only: vestige_search with no embedding (same columns; vector_score and vector_rank are NULL). Empty or NULL text raises VS001; text with no searchable term returns no rows.';
