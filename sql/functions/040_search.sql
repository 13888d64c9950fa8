CREATE FUNCTION vestige_search(query_text text, query_embedding vector, match_count integer DEFAULT 10,
    domain_filter text[] DEFAULT NULL, node_type_filter text[] DEFAULT NULL,
    tag_filter text[] DEFAULT NULL, min_retrievability double precision DEFAULT NULL)
RETURNS TABLE (id uuid, content text, node_type text, tags text[], domains text[], domain_scores jsonb,
    metadata jsonb, created_at timestamptz, updated_at timestamptz,
    rrf_score double precision, fts_score double precision, vector_score double precision,
    fts_rank integer, vector_rank integer)
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET jit = off
AS $$
#variable_conflict use_column
DECLARE
BEGIN
    IF (query_text IS NULL OR query_text = '') AND query_embedding IS NULL THEN
        RAISE EXCEPTION 'empty query: give query_text, query_embedding, or both' USING ERRCODE = 'VS001';
    END IF;
    -- A query embedding must have a direction: the bounds of store.MinVectorNorm and
    -- MaxVectorNorm, checked before any work (pgvector already refuses NaN and infinities).
    IF query_embedding IS NOT NULL THEN
        PERFORM value_rule_refuse('query embedding', value_rule_vector_problem(query_embedding));
    END IF;
    IF match_count IS NULL OR match_count < 1 OR match_count > 1000 THEN
        RAISE EXCEPTION 'match_count % is outside 1..1000', match_count USING ERRCODE = 'VS006';
    END IF;
    IF min_retrievability IS NOT NULL AND (min_retrievability < 0 OR min_retrievability > 1) THEN
        RAISE EXCEPTION 'min_retrievability % is outside [0, 1]', min_retrievability USING ERRCODE = 'VS006';
    END IF;

    -- Reciprocal Rank Fusion, k = 60 over 1-based ranks; each branch over-fetches 3×.
    RETURN QUERY
    WITH f AS (
        SELECT * FROM vestige_fts_ranked(nullif(query_text, ''), 3 * match_count,
            domain_filter, node_type_filter, tag_filter, min_retrievability)
    ), v AS (
        SELECT * FROM vestige_vector_ranked(query_embedding, 3 * match_count,
            domain_filter, node_type_filter, tag_filter, min_retrievability)
    ), fused AS (
        SELECT coalesce(f.id, v.id) AS id,
               coalesce(1.0::double precision / (60 + f.rank), 0) + coalesce(1.0::double precision / (60 + v.rank), 0) AS rrf,
               f.score AS fts_score, v.score AS vector_score, f.rank AS fts_rank, v.rank AS vector_rank
          FROM f FULL JOIN v ON f.id = v.id
    )
    SELECT m.id, m.content, m.node_type, m.tags, m.domains, m.domain_scores, m.metadata,
           m.created_at, m.updated_at, fused.rrf, fused.fts_score, fused.vector_score,
           fused.fts_rank, fused.vector_rank
      FROM fused JOIN memories m ON m.id = fused.id
     ORDER BY fused.rrf DESC, m.id
     LIMIT match_count;
END;
$$;

COMMENT ON FUNCTION vestige_search(text, vector, integer, text[], text[], text[], double precision) IS
'Hybrid search: full-text (any-term, ts_rank_cd) and vector (cosine, HNSW) ranks fused by Reciprocal Rank Fusion, k = 60, each branch over-fetching 3 × match_count; ties by id. Empty text searches by vector only, NULL embedding by text only; both missing raises VS001. Filters (domains overlap, node type in, tags overlap, live retrievability >=) apply inside both branches, and filtered pages are full. VS002 for a wrong embedding dimension, VS006 for a query embedding of norm outside [1e-06, 1e+06] (the zero vector included), match_count outside 1..1000 or min_retrievability outside [0, 1]. A NULL or empty filter array is no filter. Scores are never NaN.';
