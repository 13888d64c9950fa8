-- Building block of vestige_fts_ranked: the full-text score of every memory that holds a
-- base term, from memory_terms alone (index-only; migration 006), by a hash aggregation of
-- every posting of every term. Each term's postings are read in turn, in query order (the
-- LATERAL ... OFFSET 0 keeps the nested loop), so each memory's sum adds its terms in query
-- order, as the ranking over rows, vestige_fts_postings_sql and the SQLite store do. A plain
-- SQL function, so that the planner inlines it into the statement that calls it.
CREATE FUNCTION vestige_fts_postings(lexemes text[], idfs double precision[], base boolean[])
RETURNS TABLE (memory_id uuid, score double precision)
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT p.memory_id, sum(q.idf * p.tf * 2.2 / (p.tf + 1.2))
      FROM unnest(lexemes, idfs, base) AS q(lexeme, idf, base)
     CROSS JOIN LATERAL (SELECT t.memory_id, t.tf::double precision AS tf
                           FROM memory_terms t WHERE t.lexeme = q.lexeme OFFSET 0) p
     GROUP BY p.memory_id
    HAVING bool_or(q.base)
$$;

COMMENT ON FUNCTION vestige_fts_postings(text[], double precision[], boolean[]) IS
'Internal building block of vestige_fts_ranked: per memory holding a lexeme whose base flag is set, the sum in lexeme order of idf × tf × 2.2 / (tf + 1.2) over the lexemes it holds (tf from memory_terms). Not meant to be called directly.';

-- Building block of vestige_fts_ranked: the text of one statement that scores, from
-- memory_terms alone (index-only; migration 006), every memory holding a base term, adding
-- each query term's share in query order (as the ranking over rows and the SQLite store do).
--
-- Why a statement per query rather than one static one: summing the postings per memory (a
-- hash aggregation over every posting of every term) cost ~0.3 µs a posting, most of a
-- query's time at 100k memories. Each term's postings come out of the primary key in
-- memory_id order, so the scores are a chain of merge left joins on memory_id from the base
-- term(s): no hashing, and each non-base posting costs one comparison. A term with far more
-- postings than the base has rows is looked up per base row instead (an index probe costs
-- ~16 postings' worth of scan). The caller runs the statement with hash and nested-loop
-- joins disabled, so that the planner's guesses about a lexeme's rows cannot turn a merge
-- into thousands of probes; the probes are LATERAL, which only a nested loop can join.
--
-- The statement reads $1 (the lexemes) and $8 (their idfs), and returns (memory_id, score).
CREATE FUNCTION vestige_fts_postings_sql(dfs bigint[], base boolean[])
RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
DECLARE
    -- One index probe costs about this many postings read in order (measured on the
    -- synthetic 100k corpus: ~2.4 µs a probe against ~0.15 µs a posting).
    probe_cost constant bigint := 16;
    base_terms integer[];
    base_rows bigint := 0;
    key text;
    from_clause text;
    where_clause text := '';
    score text;
    i integer;
BEGIN
    SELECT array_agg(u.ord ORDER BY u.ord), coalesce(sum(u.df), 0)
      INTO base_terms, base_rows
      FROM unnest(dfs, base) WITH ORDINALITY AS u(df, b, ord)
     WHERE u.b AND u.df > 0;
    IF base_terms IS NULL THEN
        RETURN NULL;
    END IF;
    IF cardinality(base_terms) = 1 THEN
        key := format('t%s.memory_id', base_terms[1]);
        from_clause := format('memory_terms t%s', base_terms[1]);
        where_clause := format(' WHERE t%1$s.lexeme = $1[%1$s]', base_terms[1]);
    ELSE
        key := 'b.memory_id';
        from_clause := format('(SELECT DISTINCT t.memory_id FROM memory_terms t WHERE t.lexeme = ANY (ARRAY[%s]) ORDER BY t.memory_id) b',
                              (SELECT string_agg(format('$1[%s]', k), ', ') FROM unnest(base_terms) AS k));
    END IF;
    FOR i IN 1 .. cardinality(dfs) LOOP
        CONTINUE WHEN dfs[i] = 0 OR (cardinality(base_terms) = 1 AND i = base_terms[1]);
        IF base_rows * probe_cost < dfs[i] THEN
            from_clause := from_clause || format(
                ' LEFT JOIN LATERAL (SELECT t.tf FROM memory_terms t WHERE t.lexeme = $1[%1$s] AND t.memory_id = %2$s OFFSET 0) t%1$s ON true',
                i, key);
        ELSE
            -- A subquery, ordered: with the lexeme in the join's ON clause the planner
            -- does not see that the primary key returns the term's postings in memory_id
            -- order, and sorts them.
            from_clause := from_clause || format(
                ' LEFT JOIN (SELECT t.memory_id, t.tf FROM memory_terms t WHERE t.lexeme = $1[%1$s] ORDER BY t.memory_id) t%1$s ON t%1$s.memory_id = %2$s',
                i, key);
        END IF;
    END LOOP;
    SELECT string_agg(format('coalesce($8[%1$s] * t%1$s.tf::double precision * 2.2 / (t%1$s.tf::double precision + 1.2), 0)', u.ord), ' + ' ORDER BY u.ord)
      INTO score
      FROM unnest(dfs) WITH ORDINALITY AS u(df, ord)
     WHERE u.df > 0;
    RETURN 'SELECT ' || key || ' AS memory_id, ' || score || ' AS score FROM ' || from_clause || where_clause;
END;
$$;

COMMENT ON FUNCTION vestige_fts_postings_sql(bigint[], boolean[]) IS
'Internal building block of vestige_fts_ranked: the text of a statement returning (memory_id, score) for every memory holding a lexeme whose base flag is set, score = sum in lexeme order of idf × tf × 2.2 / (tf + 1.2) over the lexemes it holds (tf from memory_terms; lexemes with df 0 are left out); it reads $1 (lexemes) and $8 (idfs). NULL when no base lexeme has postings. Not meant to be called directly.';
