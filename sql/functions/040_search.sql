CREATE FUNCTION vestige_search(query_text text, query_embedding vector, match_count integer DEFAULT 10,
    domain_filter text[] DEFAULT NULL, node_type_filter text[] DEFAULT NULL,
    tag_filter text[] DEFAULT NULL, min_retrievability double precision DEFAULT NULL,
    fts_weight double precision DEFAULT NULL, vector_weight double precision DEFAULT NULL,
    min_vector_score double precision DEFAULT NULL)
RETURNS TABLE (id uuid, content text, node_type text, tags text[], domains text[], domain_scores jsonb,
    metadata jsonb, created_at timestamptz, updated_at timestamptz,
    rrf_score double precision, fts_score double precision, vector_score double precision,
    fts_rank integer, vector_rank integer)
LANGUAGE plpgsql STABLE PARALLEL UNSAFE
SET jit = off
AS $$
#variable_conflict use_column
DECLARE
    registered embedding_model%ROWTYPE;
    w_fts double precision := 1;
    w_vec double precision := 1;
    has_text constant boolean := query_text IS NOT NULL AND query_text <> '';
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

    IF fts_weight IS NOT NULL AND NOT (fts_weight >= 0 AND fts_weight <= 1) THEN
        RAISE EXCEPTION 'fts_weight % is outside [0, 1]', fts_weight USING ERRCODE = 'VS006';
    END IF;
    IF vector_weight IS NOT NULL AND NOT (vector_weight >= 0 AND vector_weight <= 1) THEN
        RAISE EXCEPTION 'vector_weight % is outside [0, 1]', vector_weight USING ERRCODE = 'VS006';
    END IF;
    IF min_vector_score IS NOT NULL AND NOT (min_vector_score >= -1 AND min_vector_score <= 1) THEN
        RAISE EXCEPTION 'min_vector_score % is outside [-1, 1]', min_vector_score USING ERRCODE = 'VS006';
    END IF;

    -- The weights: those given; otherwise the registered model's defaults when both branches
    -- run, and 1 for a lone branch.
    SELECT * INTO registered FROM embedding_model WHERE embedding_model.id = 1;
    IF has_text AND query_embedding IS NOT NULL THEN
        SELECT d.fts_weight, d.vector_weight INTO w_fts, w_vec FROM vestige_fusion_defaults(registered.name) d;
    END IF;
    w_fts := coalesce(vestige_search.fts_weight, w_fts);
    w_vec := coalesce(vestige_search.vector_weight, w_vec);
    IF (NOT has_text OR w_fts = 0) AND (query_embedding IS NULL OR w_vec = 0) THEN
        RAISE EXCEPTION 'fts_weight and vector_weight give every branch that runs weight 0: the results would have no order'
            USING ERRCODE = 'VS006';
    END IF;
    -- A branch of weight 0 is not run (it could neither add a memory nor move one); its input
    -- is still checked, so that an error does not depend on the weights.
    IF w_vec = 0 AND query_embedding IS NOT NULL AND registered.dimension IS NOT NULL
       AND vector_dims(query_embedding) <> registered.dimension THEN
        RAISE EXCEPTION 'query embedding has % dimensions but the registered model % has %',
            vector_dims(query_embedding), registered.name, registered.dimension
            USING ERRCODE = 'VS002';
    END IF;

    -- Full text alone (the hash embedders' default, or no embedding): its ranks are the
    -- fusion's order, so the page is its first match_count rows, without the fusion's join
    -- (0.4 ms of a 2 ms query on 100k memories). The branch is still asked for the 3× it
    -- gets below: its candidate bound gives way to every term by that count.
    IF query_embedding IS NULL OR w_vec = 0 THEN
        RETURN QUERY
        SELECT m.id, m.content, m.node_type, m.tags, m.domains, m.domain_scores, m.metadata,
               m.created_at, m.updated_at, w_fts / (60 + f.rank), f.score, NULL::double precision,
               f.rank, NULL::integer
          FROM vestige_fts_ranked(query_text, 3 * match_count, domain_filter, node_type_filter, tag_filter,
                                  min_retrievability) f
         CROSS JOIN LATERAL (SELECT * FROM memories m WHERE m.id = f.id OFFSET 0) m
         WHERE f.rank <= match_count
         ORDER BY f.rank;
        RETURN;
    END IF;
    -- Reciprocal Rank Fusion, k = 60 over 1-based ranks, each branch weighted; each branch
    -- over-fetches 3×.
    RETURN QUERY
    WITH f AS (
        SELECT * FROM vestige_fts_ranked(CASE WHEN has_text AND w_fts > 0 THEN query_text END, 3 * match_count,
            domain_filter, node_type_filter, tag_filter, min_retrievability)
    ), v AS (
        SELECT * FROM vestige_vector_ranked(CASE WHEN w_vec > 0 THEN query_embedding END, 3 * match_count,
            domain_filter, node_type_filter, tag_filter, min_retrievability) r
         WHERE vestige_search.min_vector_score IS NULL OR r.score >= vestige_search.min_vector_score
    ), fused AS (
        SELECT coalesce(f.id, v.id) AS id,
               coalesce(w_fts / (60 + f.rank), 0) + coalesce(w_vec / (60 + v.rank), 0) AS rrf,
               f.score AS fts_score, v.score AS vector_score, f.rank AS fts_rank, v.rank AS vector_rank
          FROM f FULL JOIN v ON f.id = v.id
         ORDER BY 2 DESC, 1
         LIMIT match_count
    )
    -- The page is cut before the rows are read: the planner cannot know that the branches
    -- return a few dozen rows, and joined the whole memories table by hash (12 ms on 5k).
    SELECT m.id, m.content, m.node_type, m.tags, m.domains, m.domain_scores, m.metadata,
           m.created_at, m.updated_at, fused.rrf, fused.fts_score, fused.vector_score,
           fused.fts_rank, fused.vector_rank
      FROM fused CROSS JOIN LATERAL (SELECT * FROM memories m WHERE m.id = fused.id OFFSET 0) m
     ORDER BY fused.rrf DESC, m.id;
END;
$$;

COMMENT ON FUNCTION vestige_search(text, vector, integer, text[], text[], text[], double precision,
    double precision, double precision, double precision) IS
'Hybrid search: full-text (any-term, ts_rank_cd) and vector (cosine, HNSW) ranks fused by weighted Reciprocal Rank Fusion, rrf = fts_weight/(60 + fts rank) + vector_weight/(60 + vector rank), each branch over-fetching 3 × match_count; ties by id. A NULL weight is vestige_fusion_defaults(registered model) when both branches run (hash-* models: vector weight 0) and 1 for a lone branch; weights are in [0, 1], a branch of weight 0 is not run, and a search whose running branches all weigh 0 raises VS006. min_vector_score (in [-1, 1]) drops vector candidates of lower cosine similarity (score). Empty text searches by vector only, NULL embedding by text only; both missing raises VS001. Filters (domains overlap, node type in, tags overlap, live retrievability >=) apply inside both branches, and filtered pages are full. VS002 for a wrong embedding dimension, VS006 for a query embedding of norm outside [1e-06, 1e+06] (the zero vector included), match_count outside 1..1000 or min_retrievability outside [0, 1]. A NULL or empty filter array is no filter. Scores are never NaN.';
