-- Building block of vestige_fts_ranked: the full-text score of every memory that holds a
-- query term, from memory_terms alone (index-only; migration 006). Each term's postings are
-- read in turn, in query order (the LATERAL ... OFFSET 0 keeps the nested loop), so each
-- memory's sum adds its terms in query order, as the ranking over rows and the SQLite store
-- do. A plain SQL function, so that the planner inlines it into the statement that calls it.
CREATE FUNCTION vestige_fts_postings(lexemes text[], idfs double precision[], retrieve boolean[])
RETURNS TABLE (memory_id uuid, score double precision, retrieved boolean)
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT p.memory_id, sum(q.idf * p.tf * 2.2 / (p.tf + 1.2)), bool_or(q.retrieve)
      FROM unnest(lexemes, idfs, retrieve) AS q(lexeme, idf, retrieve)
     CROSS JOIN LATERAL (SELECT t.memory_id, t.tf::double precision AS tf
                           FROM memory_terms t WHERE t.lexeme = q.lexeme OFFSET 0) p
     GROUP BY p.memory_id
$$;

COMMENT ON FUNCTION vestige_fts_postings(text[], double precision[], boolean[]) IS
'Internal building block of vestige_fts_ranked: per memory holding any of the lexemes, the sum in lexeme order of idf × tf × 2.2 / (tf + 1.2) over the lexemes it holds (tf from memory_terms), and whether it holds a lexeme whose retrieve flag is set. Not meant to be called directly.';
