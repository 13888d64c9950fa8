-- The full-text branch. Retrieval is any-term (vestige_fts_query); ranking weighs each query
-- term by its rarity, so a long question ranks the memories that share its important words
-- above those that merely repeat its everyday ones (plain ts_rank_cd over an OR query does the
-- opposite). Per term t matched by a memory:
--     idf(t) × tf(t) × (k1 + 1) / (tf(t) + k1),   k1 = 1.2
-- where tf(t) = ts_rank_cd(search_vec, t): occurrences weighted content 1.0, node type 0.4,
-- tags 0.2, and idf(t) = max(ln((N − df + 0.5) / (df + 0.5)), 1e-6) as in SQLite FTS5's bm25,
-- with N never below any term's df. The score is the sum over terms; ties by id.
CREATE FUNCTION vestige_fts_ranked(query_text text, match_count integer,
    domain_filter text[] DEFAULT NULL, node_type_filter text[] DEFAULT NULL,
    tag_filter text[] DEFAULT NULL, min_retrievability double precision DEFAULT NULL)
RETURNS TABLE (id uuid, score double precision, rank integer)
LANGUAGE plpgsql STABLE PARALLEL UNSAFE
-- Unsafe: set_config below (for its own statements) is refused inside a parallel worker,
-- where a query that joins this function with a table scanned in parallel would run it.
SET jit = off
AS $$
#variable_conflict use_column
DECLARE
    -- Ranking costs time per candidate: past this many, candidates come from the rarest
    -- terms only (the common ones still add to those candidates' scores). Measured on 100k
    -- memories and 200 queries: 2,000 gives the same top 10 as 10,000 for every query, 30 %
    -- faster (docs/benchmarks.md).
    candidate_bound constant bigint := 2000;
    retrieve boolean[];
    -- A filtered ranking from postings reads at most this many candidates' rows per row
    -- of the page before it hands over to the ranking over rows.
    walk_bound constant integer := 10;
    -- Merge joins for at most this many terms: each term is one more join to plan and a
    -- step per base memory, so a long query is aggregated whatever its postings.
    merge_terms constant integer := 8;
    walked_ids uuid[];
    walked_scores double precision[];
    lexemes text[];
    terms tsquery[];
    dfs bigint[];
    idfs double precision[];
    retrieval tsquery;
    everything tsquery;
    restricted boolean;
    clause text;
    passing bigint;
    decay double precision;
    -- Queries of up to four terms of like df, scored by merge joins from one base term, run
    -- one of the static statements below (whose plans the session keeps): the base's place
    -- among the terms held (df > 0), its lexeme and idf, and the others' in query order.
    base_at integer;
    base_lexeme text;
    base_idf double precision;
    lexeme1 text;
    lexeme2 text;
    lexeme3 text;
    idf1 double precision;
    idf2 double precision;
    idf3 double precision;
    -- A term's share where its tf is 1 (most postings), worked out once with the same
    -- arithmetic: the statements below take it instead of dividing again.
    base_one double precision;
    one1 double precision;
    one2 double precision;
    one3 double precision;
    planmode text;
    held_lexemes text[];
    held_idfs double precision[];
    tf_columns text;
    score_sum text;
    scored text;
    base boolean[];
    base_rows bigint;
    held bigint;
    postings bigint;
    merged boolean;
    hashjoin text;
    nestloop text;
    i integer;
BEGIN
    IF match_count IS NULL OR match_count < 1 THEN
        RETURN;
    END IF;
    -- One statement for what every query needs: its terms in query order; each term's df
    -- and N, exact, from the statistics the triggers of migration 006 keep (sums of their
    -- shards); idf(t); and which terms retrieve (candidate_bound: the rarest terms, in
    -- order of df, while their dfs add up to at most the bound, and always the rarest).
    -- N and df are never below 0: while a copy's build is pending (pgstore
    -- DropSearchIndexes), its memories have no postings, yet deleting or rewriting one
    -- subtracts its terms, so the sums can go negative until the build recomputes them.
    -- N is never below any df, so the logarithm's argument is always > 0.
    SELECT array_agg(s.lexeme ORDER BY s.ord), array_agg(s.df ORDER BY s.ord),
           array_agg(greatest(ln((greatest(n.memories, s.max_df, 1) - s.df + 0.5) / (s.df + 0.5)), 1e-6)::double precision ORDER BY s.ord),
           array_agg(s.df > 0 AND (s.rarest OR s.running <= candidate_bound) ORDER BY s.ord),
           bool_or(s.df > 0 AND NOT s.rarest AND s.running > candidate_bound)
      INTO lexemes, dfs, idfs, retrieve, restricted
      FROM (SELECT d.lexeme, d.ord, d.df,
                   count(*) FILTER (WHERE d.df > 0) OVER w = 1 AS rarest,
                   sum(d.df) OVER w AS running,
                   max(d.df) OVER () AS max_df
              FROM (SELECT t.lexeme, t.ord,
                           greatest(coalesce((SELECT sum(st.df) FROM term_stats st WHERE st.lexeme = t.lexeme), 0), 0)::bigint AS df
                      FROM vestige_fts_terms(query_text) AS t) d
            WINDOW w AS (ORDER BY d.df, d.ord)) s
     CROSS JOIN (SELECT greatest(coalesce(sum(c.memories), 0), 0)::bigint AS memories FROM memory_count_shards c) n;
    IF lexemes IS NULL OR NOT (true = ANY (retrieve)) THEN
        RETURN; -- no searchable term, or no memory holds any
    END IF;

    IF min_retrievability IS NOT NULL THEN
        SELECT p.weights[21] INTO decay FROM fsrs_parameters p WHERE p.id = 1;
    END IF;
    clause := vestige_filter_clause(domain_filter, node_type_filter, tag_filter, min_retrievability);

    -- The ranking reads postings (memory_terms, index-only), never rows: a candidate's row
    -- costs more than its postings, whatever the sizes (on 100k memories, reading 28,000
    -- postings took less than half the CPU of ranking its 4,200 candidates' rows). Only a
    -- filter that the best candidates do not pass falls back to the rows.
    -- The candidate bound's rule decides which terms' memories are scored, and it never
    -- costs a page: when fewer memories that hold a retrieving term pass the filters than
    -- asked for, every match counts.
    IF clause = '' AND restricted THEN
        -- Without filters the candidates that hold a retrieving term are at least as
        -- many as the largest df among those terms, so the fallback is settled before
        -- the ranking (counted exactly only when that df is below the page).
        SELECT max(u.df) INTO passing FROM unnest(dfs, retrieve) AS u(df, r) WHERE u.r;
        IF passing < match_count THEN
            SELECT count(DISTINCT t.memory_id) INTO passing
              FROM unnest(lexemes, retrieve) AS u(lexeme, r) JOIN memory_terms t ON t.lexeme = u.lexeme
             WHERE u.r;
        END IF;
        restricted := passing >= match_count;
    END IF;
    base := CASE WHEN restricted THEN retrieve ELSE array_fill(true, ARRAY[cardinality(lexemes)]) END;
    -- Two ways to add up the postings per memory. Merge joins from the base term(s)
    -- (vestige_fts_postings_sql) cost about a step per base memory and term, and nothing to
    -- hash: they win where a few terms have many postings (on 100k memories, a third of a
    -- hash aggregation's CPU). A hash aggregation of every posting (vestige_fts_postings)
    -- costs a step per posting: it wins where many terms have few postings each (SciFact's
    -- claims: 6 to 15 terms, most memories holding one or two of them) and for long
    -- queries, and as a static statement its plan is kept for the session.
    SELECT coalesce(sum(u.df) FILTER (WHERE u.b), 0), count(*), coalesce(sum(u.df), 0)
      INTO base_rows, held, postings
      FROM unnest(dfs, base) AS u(df, b)
     WHERE u.df > 0;
    merged := held <= merge_terms AND base_rows * (held - 1) <= postings;
    -- The common shape as static statements: no filter, one base term, at most four terms
    -- held, each with at most twice the base's postings (so that the generic plan, the
    -- same for any lexemes, is the plan the statement text would get: a chain of merge
    -- joins). Their plans are kept for the session; vestige_fts_postings_sql's text is
    -- planned at every search (0.2-0.3 ms of a 3-4 ms three-term query on 100k
    -- memories). Each score adds the same terms in the same order with the same
    -- arithmetic as the statement text would (a term's share at tf 1 worked out once:
    -- most postings have tf 1, and the division per row and term was ~5 % of a query).
    IF merged AND clause = '' AND held <= 4 THEN
        SELECT min(u.place) FILTER (WHERE u.b), min(u.lexeme) FILTER (WHERE u.b), min(u.idf) FILTER (WHERE u.b),
               (array_agg(u.lexeme ORDER BY u.ord) FILTER (WHERE NOT u.b))[1:3],
               (array_agg(u.idf ORDER BY u.ord) FILTER (WHERE NOT u.b))[1:3]
          INTO base_at, base_lexeme, base_idf, held_lexemes, held_idfs
          FROM (SELECT u.lexeme, u.idf, u.df, u.b, u.ord, row_number() OVER (ORDER BY u.ord) AS place
                  FROM unnest(lexemes, idfs, dfs, base) WITH ORDINALITY AS u(lexeme, idf, df, b, ord)
                 WHERE u.df > 0) u
         HAVING count(*) FILTER (WHERE u.b) = 1 AND max(u.df) <= 2 * base_rows;
    END IF;
    IF base_at IS NOT NULL THEN
        lexeme1 := held_lexemes[1]; lexeme2 := held_lexemes[2]; lexeme3 := held_lexemes[3];
        idf1 := held_idfs[1]; idf2 := held_idfs[2]; idf3 := held_idfs[3];
        SELECT base_idf * (1::real)::double precision * 2.2 / ((1::real)::double precision + 1.2),
               idf1 * (1::real)::double precision * 2.2 / ((1::real)::double precision + 1.2),
               idf2 * (1::real)::double precision * 2.2 / ((1::real)::double precision + 1.2),
               idf3 * (1::real)::double precision * 2.2 / ((1::real)::double precision + 1.2)
          INTO base_one, one1, one2, one3;
        hashjoin := current_setting('enable_hashjoin');
        nestloop := current_setting('enable_nestloop');
        planmode := current_setting('plan_cache_mode');
        PERFORM set_config('enable_hashjoin', 'off', true), set_config('enable_nestloop', 'off', true),
                set_config('plan_cache_mode', 'force_generic_plan', true);
        CASE held
        WHEN 1 THEN
            RETURN QUERY
            SELECT s.memory_id, s.score, (row_number() OVER (ORDER BY s.score DESC, s.memory_id))::integer
              FROM (SELECT b.memory_id,
                           CASE WHEN b.tf = 1::real THEN base_one ELSE base_idf * b.tf::double precision * 2.2 / (b.tf::double precision + 1.2) END AS score
                      FROM memory_terms b
                     WHERE b.lexeme = base_lexeme
                     ORDER BY 2 DESC, 1
                     LIMIT match_count) s
             ORDER BY 3;
        WHEN 2 THEN
            RETURN QUERY
            SELECT s.memory_id, s.score, (row_number() OVER (ORDER BY s.score DESC, s.memory_id))::integer
              FROM (SELECT b.memory_id,
                           CASE base_at
                                WHEN 1 THEN CASE WHEN b.tf = 1::real THEN base_one ELSE base_idf * b.tf::double precision * 2.2 / (b.tf::double precision + 1.2) END + CASE WHEN o1.tf IS NULL THEN 0 WHEN o1.tf = 1::real THEN one1 ELSE idf1 * o1.tf::double precision * 2.2 / (o1.tf::double precision + 1.2) END
                                ELSE CASE WHEN o1.tf IS NULL THEN 0 WHEN o1.tf = 1::real THEN one1 ELSE idf1 * o1.tf::double precision * 2.2 / (o1.tf::double precision + 1.2) END + CASE WHEN b.tf = 1::real THEN base_one ELSE base_idf * b.tf::double precision * 2.2 / (b.tf::double precision + 1.2) END END AS score
                      FROM memory_terms b
                      LEFT JOIN (SELECT t.memory_id, t.tf FROM memory_terms t WHERE t.lexeme = lexeme1 ORDER BY t.memory_id) o1 ON o1.memory_id = b.memory_id
                     WHERE b.lexeme = base_lexeme
                     ORDER BY 2 DESC, 1
                     LIMIT match_count) s
             ORDER BY 3;
        WHEN 3 THEN
            RETURN QUERY
            SELECT s.memory_id, s.score, (row_number() OVER (ORDER BY s.score DESC, s.memory_id))::integer
              FROM (SELECT b.memory_id,
                           CASE base_at
                                WHEN 1 THEN CASE WHEN b.tf = 1::real THEN base_one ELSE base_idf * b.tf::double precision * 2.2 / (b.tf::double precision + 1.2) END + CASE WHEN o1.tf IS NULL THEN 0 WHEN o1.tf = 1::real THEN one1 ELSE idf1 * o1.tf::double precision * 2.2 / (o1.tf::double precision + 1.2) END + CASE WHEN o2.tf IS NULL THEN 0 WHEN o2.tf = 1::real THEN one2 ELSE idf2 * o2.tf::double precision * 2.2 / (o2.tf::double precision + 1.2) END
                                WHEN 2 THEN CASE WHEN o1.tf IS NULL THEN 0 WHEN o1.tf = 1::real THEN one1 ELSE idf1 * o1.tf::double precision * 2.2 / (o1.tf::double precision + 1.2) END + CASE WHEN b.tf = 1::real THEN base_one ELSE base_idf * b.tf::double precision * 2.2 / (b.tf::double precision + 1.2) END + CASE WHEN o2.tf IS NULL THEN 0 WHEN o2.tf = 1::real THEN one2 ELSE idf2 * o2.tf::double precision * 2.2 / (o2.tf::double precision + 1.2) END
                                ELSE CASE WHEN o1.tf IS NULL THEN 0 WHEN o1.tf = 1::real THEN one1 ELSE idf1 * o1.tf::double precision * 2.2 / (o1.tf::double precision + 1.2) END + CASE WHEN o2.tf IS NULL THEN 0 WHEN o2.tf = 1::real THEN one2 ELSE idf2 * o2.tf::double precision * 2.2 / (o2.tf::double precision + 1.2) END + CASE WHEN b.tf = 1::real THEN base_one ELSE base_idf * b.tf::double precision * 2.2 / (b.tf::double precision + 1.2) END END AS score
                      FROM memory_terms b
                      LEFT JOIN (SELECT t.memory_id, t.tf FROM memory_terms t WHERE t.lexeme = lexeme1 ORDER BY t.memory_id) o1 ON o1.memory_id = b.memory_id
                      LEFT JOIN (SELECT t.memory_id, t.tf FROM memory_terms t WHERE t.lexeme = lexeme2 ORDER BY t.memory_id) o2 ON o2.memory_id = b.memory_id
                     WHERE b.lexeme = base_lexeme
                     ORDER BY 2 DESC, 1
                     LIMIT match_count) s
             ORDER BY 3;
        WHEN 4 THEN
            RETURN QUERY
            SELECT s.memory_id, s.score, (row_number() OVER (ORDER BY s.score DESC, s.memory_id))::integer
              FROM (SELECT b.memory_id,
                           CASE base_at
                                WHEN 1 THEN CASE WHEN b.tf = 1::real THEN base_one ELSE base_idf * b.tf::double precision * 2.2 / (b.tf::double precision + 1.2) END + CASE WHEN o1.tf IS NULL THEN 0 WHEN o1.tf = 1::real THEN one1 ELSE idf1 * o1.tf::double precision * 2.2 / (o1.tf::double precision + 1.2) END + CASE WHEN o2.tf IS NULL THEN 0 WHEN o2.tf = 1::real THEN one2 ELSE idf2 * o2.tf::double precision * 2.2 / (o2.tf::double precision + 1.2) END + CASE WHEN o3.tf IS NULL THEN 0 WHEN o3.tf = 1::real THEN one3 ELSE idf3 * o3.tf::double precision * 2.2 / (o3.tf::double precision + 1.2) END
                                WHEN 2 THEN CASE WHEN o1.tf IS NULL THEN 0 WHEN o1.tf = 1::real THEN one1 ELSE idf1 * o1.tf::double precision * 2.2 / (o1.tf::double precision + 1.2) END + CASE WHEN b.tf = 1::real THEN base_one ELSE base_idf * b.tf::double precision * 2.2 / (b.tf::double precision + 1.2) END + CASE WHEN o2.tf IS NULL THEN 0 WHEN o2.tf = 1::real THEN one2 ELSE idf2 * o2.tf::double precision * 2.2 / (o2.tf::double precision + 1.2) END + CASE WHEN o3.tf IS NULL THEN 0 WHEN o3.tf = 1::real THEN one3 ELSE idf3 * o3.tf::double precision * 2.2 / (o3.tf::double precision + 1.2) END
                                WHEN 3 THEN CASE WHEN o1.tf IS NULL THEN 0 WHEN o1.tf = 1::real THEN one1 ELSE idf1 * o1.tf::double precision * 2.2 / (o1.tf::double precision + 1.2) END + CASE WHEN o2.tf IS NULL THEN 0 WHEN o2.tf = 1::real THEN one2 ELSE idf2 * o2.tf::double precision * 2.2 / (o2.tf::double precision + 1.2) END + CASE WHEN b.tf = 1::real THEN base_one ELSE base_idf * b.tf::double precision * 2.2 / (b.tf::double precision + 1.2) END + CASE WHEN o3.tf IS NULL THEN 0 WHEN o3.tf = 1::real THEN one3 ELSE idf3 * o3.tf::double precision * 2.2 / (o3.tf::double precision + 1.2) END
                                ELSE CASE WHEN o1.tf IS NULL THEN 0 WHEN o1.tf = 1::real THEN one1 ELSE idf1 * o1.tf::double precision * 2.2 / (o1.tf::double precision + 1.2) END + CASE WHEN o2.tf IS NULL THEN 0 WHEN o2.tf = 1::real THEN one2 ELSE idf2 * o2.tf::double precision * 2.2 / (o2.tf::double precision + 1.2) END + CASE WHEN o3.tf IS NULL THEN 0 WHEN o3.tf = 1::real THEN one3 ELSE idf3 * o3.tf::double precision * 2.2 / (o3.tf::double precision + 1.2) END + CASE WHEN b.tf = 1::real THEN base_one ELSE base_idf * b.tf::double precision * 2.2 / (b.tf::double precision + 1.2) END END AS score
                      FROM memory_terms b
                      LEFT JOIN (SELECT t.memory_id, t.tf FROM memory_terms t WHERE t.lexeme = lexeme1 ORDER BY t.memory_id) o1 ON o1.memory_id = b.memory_id
                      LEFT JOIN (SELECT t.memory_id, t.tf FROM memory_terms t WHERE t.lexeme = lexeme2 ORDER BY t.memory_id) o2 ON o2.memory_id = b.memory_id
                      LEFT JOIN (SELECT t.memory_id, t.tf FROM memory_terms t WHERE t.lexeme = lexeme3 ORDER BY t.memory_id) o3 ON o3.memory_id = b.memory_id
                     WHERE b.lexeme = base_lexeme
                     ORDER BY 2 DESC, 1
                     LIMIT match_count) s
             ORDER BY 3;
        END CASE;
        PERFORM set_config('enable_hashjoin', hashjoin, true), set_config('enable_nestloop', nestloop, true),
                set_config('plan_cache_mode', planmode, true);
        RETURN;
    END IF;
    IF merged THEN
        scored := vestige_fts_postings_sql(dfs, base);
        -- Merge joins only (see vestige_fts_postings_sql), for this statement: the
        -- settings are put back before anything else runs.
        hashjoin := current_setting('enable_hashjoin');
        nestloop := current_setting('enable_nestloop');
        PERFORM set_config('enable_hashjoin', 'off', true), set_config('enable_nestloop', 'off', true);
    ELSIF clause = '' THEN
        RETURN QUERY
        SELECT p.memory_id, p.score, (row_number() OVER (ORDER BY p.score DESC, p.memory_id))::integer
          FROM (SELECT p.memory_id, p.score FROM vestige_fts_postings(lexemes, idfs, base) p
                 ORDER BY p.score DESC, p.memory_id
                 LIMIT match_count) p
         ORDER BY 3;
        RETURN;
    ELSE
        scored := 'SELECT p.memory_id, p.score FROM vestige_fts_postings($1, $8, $9) p';
    END IF;
    IF clause = '' THEN
        RETURN QUERY EXECUTE
            'SELECT s.memory_id, s.score, (row_number() OVER (ORDER BY s.score DESC, s.memory_id))::integer
               FROM (' || scored || ' ORDER BY 2 DESC, 1 LIMIT $7) s
              ORDER BY 3'
            USING lexemes, domain_filter, node_type_filter, tag_filter, min_retrievability, decay, match_count, idfs, base;
        PERFORM set_config('enable_hashjoin', hashjoin, true), set_config('enable_nestloop', nestloop, true);
        RETURN;
    END IF;
    -- With filters, the best candidates' rows are read in score order until the page is
    -- full: a filter passing 12-50 % of rows reads a few dozen rows (joining every
    -- candidate read thousands). When the walk_bound best do not fill the page (a
    -- selective filter, or one that the query's words rarely meet), the ranking over
    -- rows below takes over, where the GIN indexes intersect the terms and the filter.
    EXECUTE 'SELECT array_agg(s.memory_id ORDER BY s.score DESC, s.memory_id), array_agg(s.score ORDER BY s.score DESC, s.memory_id)
               FROM (' || scored || ' ORDER BY 2 DESC, 1 LIMIT $7) s'
       INTO walked_ids, walked_scores
      USING lexemes, domain_filter, node_type_filter, tag_filter, min_retrievability, decay,
            walk_bound * match_count, idfs, base;
    IF merged THEN
        PERFORM set_config('enable_hashjoin', hashjoin, true), set_config('enable_nestloop', nestloop, true);
    END IF;
    -- The filter, as a separate statement: it wants the nested loop (a few dozen
    -- primary-key probes) that the scoring statement may not use.
    EXECUTE 'SELECT array_agg(w.id ORDER BY w.ord), array_agg(w.score ORDER BY w.ord)
               FROM (SELECT w.id, w.score, w.ord
                       FROM unnest($1, $8) WITH ORDINALITY AS w(id, score, ord)
                      WHERE EXISTS (SELECT 1 FROM memories m WHERE m.id = w.id' || clause || ')
                      ORDER BY w.ord
                      LIMIT $7) w'
       INTO walked_ids, walked_scores
      USING walked_ids, domain_filter, node_type_filter, tag_filter, min_retrievability, decay, match_count, walked_scores;
    IF cardinality(walked_ids) = match_count THEN
        RETURN QUERY SELECT w.id, w.score, w.ord::integer
                       FROM unnest(walked_ids, walked_scores) WITH ORDINALITY AS w(id, score, ord);
        RETURN;
    END IF;

    -- A filter the best candidates do not pass (a selective one, or one the query's words
    -- rarely meet): the candidates come from the GIN index on search_vec with the filter's
    -- own indexes, and each term's tf from ts_rank_cd on the row.
    -- The bound never costs a page: when the rare terms' matches that pass the filters cannot
    -- fill it, every term retrieves.
    -- The terms as tsqueries; the retrieving ones and all held ones OR-ed, rarest first.
    SELECT array_agg(('''' || replace(replace(u.lexeme, '\', '\\'), '''', '''''') || '''')::tsquery ORDER BY u.ord)
      INTO terms
      FROM unnest(lexemes) WITH ORDINALITY AS u(lexeme, ord);
    FOR i IN SELECT u.ord FROM unnest(dfs) WITH ORDINALITY AS u(df, ord) WHERE u.df > 0 ORDER BY u.df, u.ord LOOP
        everything := CASE WHEN everything IS NULL THEN terms[i] ELSE everything || terms[i] END;
        IF retrieve[i] THEN
            retrieval := CASE WHEN retrieval IS NULL THEN terms[i] ELSE retrieval || terms[i] END;
        END IF;
    END LOOP;
    IF restricted THEN
        EXECUTE 'SELECT count(*) FROM (SELECT 1 FROM memories m WHERE m.search_vec @@ $1' || clause || ' LIMIT $7) s'
           INTO passing
          USING retrieval, domain_filter, node_type_filter, tag_filter, min_retrievability, decay, match_count;
        IF passing < match_count THEN
            retrieval := everything;
        END IF;
    END IF;
    -- One column per term (its tf where the memory holds it), then the score: the same
    -- arithmetic, in the same order, as a sum over the terms; written out rather than a
    -- subquery per row, which costs twice as much.
    SELECT string_agg(format('CASE WHEN m.search_vec @@ $8[%s] THEN ts_rank_cd(m.search_vec, $8[%s])::double precision END AS tf%s', k, k, k), ', ' ORDER BY k),
           string_agg(format('coalesce($9[%s] * c.tf%s * 2.2 / (c.tf%s + 1.2), 0)', k, k, k), ' + ' ORDER BY k)
      INTO tf_columns, score_sum
      FROM generate_series(1, cardinality(terms)) AS k;
    RETURN QUERY EXECUTE
        'SELECT s.id, s.score, (row_number() OVER (ORDER BY s.score DESC, s.id))::integer
           FROM (SELECT c.id, ' || score_sum || ' AS score
                   FROM (SELECT m.id, ' || tf_columns || '
                           FROM memories m
                          WHERE m.search_vec @@ $1' || clause || '
                         OFFSET 0) c
                  ORDER BY score DESC, c.id
                  LIMIT $7) s
          ORDER BY 3'
        USING retrieval, domain_filter, node_type_filter, tag_filter, min_retrievability, decay, match_count, terms, idfs;
END;
$$;

COMMENT ON FUNCTION vestige_fts_ranked(text, integer, text[], text[], text[], double precision) IS
'Building block of vestige_search: the full-text branch as (id, score, rank), best first. Any-term retrieval over the English lexemes of the text; score = sum over matched terms of idf × saturated tf (bm25-like, k1 = 1.2; tf weighs content 1.0, node type 0.4, tags 0.2; idf as SQLite FTS5), ties by id. Filters as vestige_search. No rows when the text has no searchable term.';
