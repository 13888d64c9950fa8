CREATE FUNCTION vestige_fts_ranked(query_text text, match_count integer,
    domain_filter text[] DEFAULT NULL, node_type_filter text[] DEFAULT NULL,
    tag_filter text[] DEFAULT NULL, min_retrievability double precision DEFAULT NULL)
RETURNS TABLE (id uuid, score double precision, rank integer)
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET jit = off
AS $$
DECLARE
    q tsquery := vestige_fts_query(query_text);
    decay double precision;
BEGIN
    IF q IS NULL OR match_count IS NULL OR match_count < 1 THEN
        RETURN;
    END IF;
    IF min_retrievability IS NOT NULL THEN
        SELECT p.weights[21] INTO decay FROM fsrs_parameters p WHERE p.id = 1;
    END IF;
    -- Rank by cover density (content A, node type B, tags C), ties by id.
    RETURN QUERY EXECUTE
        'SELECT c.id, c.score, (row_number() OVER (ORDER BY c.score DESC, c.id))::integer
           FROM (SELECT m.id, ts_rank_cd(m.search_vec, $1)::double precision AS score
                   FROM memories m
                  WHERE m.search_vec @@ $1' || vestige_filter_clause(domain_filter, node_type_filter, tag_filter, min_retrievability) || '
                  ORDER BY score DESC, m.id
                  LIMIT $7) c
          ORDER BY 3'
        USING q, domain_filter, node_type_filter, tag_filter, min_retrievability, decay, match_count;
END;
$$;

COMMENT ON FUNCTION vestige_fts_ranked(text, integer, text[], text[], text[], double precision) IS
'Building block of vestige_search: the full-text branch as (id, score, rank), best first. Any-term retrieval (vestige_fts_query), ranked by ts_rank_cd over search_vec (content A, node type B, tags C), ties by id; filters as vestige_search. No rows when the text has no searchable term.';
