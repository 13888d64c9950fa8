-- The share of memories that pass the domain, node-type and tag filters, from ANALYZE's
-- statistics: what the vector branch needs to choose between an exact ranking and an HNSW
-- walk, without counting (a capped count of a 40 % domain costs more than the search).
-- Filters are taken as independent; a value absent from the most-common lists gets half the
-- least common one's frequency, as Postgres' own estimators do. NULL when a filtered column
-- has no statistics yet (the caller then counts). An empty array is no filter, as NULL is.
-- The statistics may be stale (taken before a bulk write): the result is still a share in
-- [0, 1], never an error.
CREATE FUNCTION vestige_filter_selectivity(domain_filter text[], node_type_filter text[], tag_filter text[])
RETURNS double precision
LANGUAGE plpgsql STABLE PARALLEL SAFE
AS $$
DECLARE
    sel double precision := 1;
    part double precision;
    elems text[];
    freqs real[];
    n integer;
    col text;
    v text;
    pos integer;
BEGIN
    IF cardinality(domain_filter) = 0 THEN domain_filter := NULL; END IF;
    IF cardinality(node_type_filter) = 0 THEN node_type_filter := NULL; END IF;
    IF cardinality(tag_filter) = 0 THEN tag_filter := NULL; END IF;
    -- Array columns: most_common_elems with their frequencies (followed by min, max and
    -- null-fraction entries, which the loop below never reads).
    IF domain_filter IS NOT NULL OR tag_filter IS NOT NULL THEN
        FOREACH col IN ARRAY ARRAY['domains', 'tags'] LOOP
            CONTINUE WHEN (col = 'domains' AND domain_filter IS NULL) OR (col = 'tags' AND tag_filter IS NULL);
            SELECT s.most_common_elems::text::text[], s.most_common_elem_freqs INTO elems, freqs
              FROM pg_stats s
             WHERE s.schemaname = current_schema() AND s.tablename = 'memories' AND s.attname = col;
            IF NOT FOUND THEN
                RETURN NULL;
            END IF;
            n := coalesce(cardinality(elems), 0);
            part := 0;
            FOREACH v IN ARRAY CASE WHEN col = 'domains' THEN domain_filter ELSE tag_filter END LOOP
                pos := array_position(elems, v);
                part := part + CASE WHEN pos IS NOT NULL THEN freqs[pos]
                                    WHEN n > 0 THEN freqs[n + 1] / 2
                                    ELSE 0 END;
            END LOOP;
            sel := sel * least(part, 1);
        END LOOP;
    END IF;
    IF node_type_filter IS NOT NULL THEN
        SELECT s.most_common_vals::text::text[], s.most_common_freqs INTO elems, freqs
          FROM pg_stats s
         WHERE s.schemaname = current_schema() AND s.tablename = 'memories' AND s.attname = 'node_type';
        IF NOT FOUND THEN
            RETURN NULL;
        END IF;
        n := coalesce(cardinality(elems), 0);
        part := 0;
        -- A value outside the most-common list shares what the list leaves, at most half the
        -- least common one's frequency.
        FOREACH v IN ARRAY node_type_filter LOOP
            pos := array_position(elems, v);
            part := part + CASE WHEN pos IS NOT NULL THEN freqs[pos]
                                WHEN n > 0 THEN least(freqs[n], greatest(1 - (SELECT sum(x) FROM unnest(freqs) x), 0)) / 2
                                ELSE 0 END;
        END LOOP;
        sel := sel * least(part, 1);
    END IF;
    RETURN least(greatest(sel, 0), 1);
END;
$$;

COMMENT ON FUNCTION vestige_filter_selectivity(text[], text[], text[]) IS
'Internal building block of the vector branch: the estimated share of memories passing the domain, node-type and tag filters, from ANALYZE statistics (independent filters; absent values at half the least common frequency; a NULL or empty array is no filter), always in [0, 1]. NULL when a filtered column has no statistics.';
