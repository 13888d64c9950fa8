-- The vector branch. Exact where an exact ranking is cheap: an unfiltered table of at most
-- 1.5 M vector components (2,000 rows of 768 dimensions, 3,900 of 384 or fewer), or filtered,
-- at most 4 M components passing (5,200 rows of 768, 10,400 of 384 or fewer). Above that, HNSW: unfiltered at ef_search 200,
-- filtered by an iterative walk until the page is full, falling back to the exact scan if the
-- index runs out of candidates first. A filtered page is never short.
-- A stored vector written before the norm rules (store.MinVectorNorm) can make pgvector's
-- distance NaN; such rows are left out (NaN sorts after every number, so the exact scans
-- lose no real row to them), so no score is ever NaN.
CREATE FUNCTION vestige_vector_ranked(query_embedding vector, match_count integer,
    domain_filter text[] DEFAULT NULL, node_type_filter text[] DEFAULT NULL,
    tag_filter text[] DEFAULT NULL, min_retrievability double precision DEFAULT NULL)
RETURNS TABLE (id uuid, score double precision, rank integer)
LANGUAGE plpgsql STABLE PARALLEL UNSAFE
-- Unsafe: set_config below (for its own statements) is refused inside a parallel worker,
-- where a query that joins this function with a table scanned in parallel would run it.
SET jit = off
SET hnsw.ef_search = 100
SET hnsw.iterative_scan = strict_order
SET hnsw.max_scan_tuples = 10000
AS $$
#variable_conflict use_column
DECLARE
    -- Rows times dimensions up to which rows are ranked exactly (docs/benchmarks.md, "Vector
    -- branch: recall and the exact threshold"). Unfiltered, HNSW at ef_search 200 answers
    -- SciFact (5,183 × 384) 3-4× faster than the exact ranking, with 96 % of its top 10.
    -- Filtered, an iterative walk over a 10 % domain of 100k × 768 beat the exact ranking of
    -- its 10k rows by 4×, but a walk for a small set of rows unrelated to the query can spend
    -- its whole max_scan_tuples budget, so small sets are ranked exactly.
    exact_budget constant bigint := 1500000;
    filtered_exact_budget constant bigint := 4000000;
    exact_threshold integer;
    registered embedding_model%ROWTYPE;
    clause text;
    decay double precision;
    passing integer;
    total_rows real;
    ids uuid[];
    distances double precision[];
BEGIN
    IF query_embedding IS NULL OR match_count IS NULL OR match_count < 1 THEN
        RETURN;
    END IF;
    -- The bounds of store.MinVectorNorm and MaxVectorNorm (vestige_search checks them first;
    -- this building block is callable on its own). pgvector sums squares in float4: a vector
    -- too short underflows and scores NaN.
    PERFORM value_rule_refuse('query embedding', value_rule_vector_problem(query_embedding));
    SELECT * INTO registered FROM embedding_model WHERE embedding_model.id = 1;
    IF NOT FOUND THEN
        RETURN; -- no model, so no vectors stored
    END IF;
    IF vector_dims(query_embedding) <> registered.dimension THEN
        RAISE EXCEPTION 'query embedding has % dimensions but the registered model % has %',
            vector_dims(query_embedding), registered.name, registered.dimension
            USING ERRCODE = 'VS002';
    END IF;

    clause := vestige_filter_clause(domain_filter, node_type_filter, tag_filter, min_retrievability);
    -- Short vectors count as 384: below that, visiting the row costs more than the distance.
    exact_threshold := (CASE WHEN clause = '' THEN exact_budget ELSE filtered_exact_budget END
                        / greatest(registered.dimension, 384))::integer;
    -- A small table is ranked exactly: about as cheap as the graph walk, and exact.
    IF clause = '' AND (SELECT c.reltuples FROM pg_class c WHERE c.oid = 'memories'::regclass) >= exact_threshold THEN
        -- ef_search 100 finds 91 % of the exact top 10 on hash vectors of real text (SciFact),
        -- 200 finds 96 % (and 99.9 % on the synthetic 100k). Not for the filtered walk below: there
        -- 100 already keeps recall at 0.998, and at 200 pgvector's cost estimate makes the
        -- planner leave the index for a bitmap scan and sort of the whole domain (10× slower).
        PERFORM set_config('hnsw.ef_search', '200', true);
        -- The row count is ANALYZE's and may be stale: with most rows deleted since (their
        -- index entries not yet vacuumed), a walk can come back short; the exact ranking
        -- below then fills the page.
        SELECT array_agg(c.id ORDER BY c.distance, c.id), array_agg(c.distance ORDER BY c.distance, c.id)
          INTO ids, distances
          FROM (SELECT m.id, m.embedding <=> query_embedding AS distance
                  FROM memories m
                 WHERE m.embedding IS NOT NULL
                 ORDER BY m.embedding <=> query_embedding
                 LIMIT match_count) c
         WHERE c.distance <> 'NaN';
        IF coalesce(cardinality(ids), 0) >= match_count THEN
            RETURN QUERY
                SELECT u.id, 1 - u.distance, u.ord::integer
                  FROM unnest(ids, distances) WITH ORDINALITY AS u(id, distance, ord)
                 ORDER BY u.ord;
            RETURN;
        END IF;
    ELSE
        IF min_retrievability IS NOT NULL THEN
            SELECT p.weights[21] INTO decay FROM fsrs_parameters p WHERE p.id = 1;
        END IF;
        -- How many rows pass: estimated from statistics on a large table, where a capped count
        -- of a common domain costs more than the search (the retrievability filter counts as
        -- passing everything: most memories are recent); counted on a small one.
        SELECT c.reltuples INTO total_rows FROM pg_class c WHERE c.oid = 'memories'::regclass;
        IF total_rows >= 50000 THEN
            -- Capped: a share of a stale (or huge) estimate must not overflow the integer.
            passing := least(vestige_filter_selectivity(domain_filter, node_type_filter, tag_filter) * total_rows,
                             exact_threshold)::integer;
        END IF;
        IF passing IS NULL THEN
            EXECUTE 'SELECT count(*) FROM (SELECT 1 FROM memories m WHERE m.embedding IS NOT NULL'
                    || clause || ' LIMIT ' || exact_threshold || ') s'
               INTO passing
              USING query_embedding, domain_filter, node_type_filter, tag_filter, min_retrievability, decay, match_count;
        END IF;

        IF passing >= exact_threshold THEN
            EXECUTE 'SELECT array_agg(c.id ORDER BY c.distance, c.id), array_agg(c.distance ORDER BY c.distance, c.id)
                       FROM (SELECT m.id, m.embedding <=> $1 AS distance FROM memories m
                              WHERE m.embedding IS NOT NULL' || clause || '
                              ORDER BY m.embedding <=> $1 LIMIT $7) c
                      WHERE c.distance <> ''NaN'''
               INTO ids, distances
              USING query_embedding, domain_filter, node_type_filter, tag_filter, min_retrievability, decay, match_count;
            IF coalesce(cardinality(ids), 0) >= match_count THEN
                RETURN QUERY
                    SELECT u.id, 1 - u.distance, u.ord::integer
                      FROM unnest(ids, distances) WITH ORDINALITY AS u(id, distance, ord)
                     ORDER BY u.ord;
                RETURN;
            END IF;
        END IF;
    END IF;

    -- Exact: "+ 0" keeps the planner off the HNSW index.
    RETURN QUERY EXECUTE
        'SELECT c.id, 1 - c.distance, (row_number() OVER (ORDER BY c.distance, c.id))::integer
           FROM (SELECT m.id, (m.embedding <=> $1) + 0 AS distance FROM memories m
                  WHERE m.embedding IS NOT NULL' || clause || '
                  ORDER BY 2, m.id LIMIT $7) c
          WHERE c.distance <> ''NaN''
          ORDER BY 3'
        USING query_embedding, domain_filter, node_type_filter, tag_filter, min_retrievability, decay, match_count;
END;
$$;

COMMENT ON FUNCTION vestige_vector_ranked(vector, integer, text[], text[], text[], double precision) IS
'Building block of vestige_search: the vector branch as (id, score, rank), best first. score = 1 - cosine distance; exact when the rows searched hold at most 1,500,000 vector components unfiltered (2,000 rows of 768 dimensions, 3,900 of 384 or fewer) or 4,000,000 filtered (5,200 rows of 768, 10,400 of 384 or fewer), else HNSW: unfiltered at ef_search 200 (exact when the walk comes back short), filtered by an iterative walk (ef_search 100) with an exact fallback, so filtered pages are always full (the passing rows are estimated from statistics on large tables). Raises VS002 for a dimension other than the registered model''s, VS006 for a query embedding of norm outside [1e-06, 1e+06] (the zero vector included). Never a NaN score: a stored vector pgvector cannot score is left out. No rows when no model is registered.';
