package testdb

// The tables the schema's triggers derive from memories, checked against their definitions
// in plain SQL: each query gives 0 when the derived table is exact.
const (
	// PostingsDrift counts the rows by which memory_terms differs from its definition (each
	// distinct lexeme of each memory's search_vec, with ts_rank_cd's single-term weight as
	// tf), whether memory_count_shards' sum differs from the number of memories, and the
	// lexemes whose document frequency in term_stats (summed over shards) differs from
	// memory_terms' (migration 006).
	PostingsDrift = `SELECT ` + postingsDrift

	// NewCardsDrift counts the rows by which new_cards differs from its definition:
	// memories without a scheduling row whose next_review is set, with their creation
	// time (migration 005).
	NewCardsDrift = `SELECT ` + newCardsDrift

	// DerivedDrift is both.
	DerivedDrift = `SELECT ` + postingsDrift + ` + ` + newCardsDrift
)

const postingsDrift = `(SELECT count(*) FROM (
	(SELECT lexeme, memory_id, tf FROM memory_terms
	 EXCEPT SELECT u.lexeme, m.id, ts_rank_cd(m.search_vec, quote_literal(u.lexeme)::tsquery)
	          FROM memories m, unnest(m.search_vec) u)
	UNION ALL
	(SELECT u.lexeme, m.id, ts_rank_cd(m.search_vec, quote_literal(u.lexeme)::tsquery)
	   FROM memories m, unnest(m.search_vec) u
	 EXCEPT SELECT lexeme, memory_id, tf FROM memory_terms)) d)
	+ (SELECT abs((SELECT count(*) FROM memories) - (SELECT coalesce(sum(memories), 0) FROM memory_count_shards)))
	+ (SELECT count(*) FROM (
	(SELECT lexeme, sum(df) FROM term_stats GROUP BY lexeme HAVING sum(df) <> 0
	 EXCEPT SELECT lexeme, count(*) FROM memory_terms GROUP BY lexeme)
	UNION ALL
	(SELECT lexeme, count(*) FROM memory_terms GROUP BY lexeme
	 EXCEPT SELECT lexeme, sum(df) FROM term_stats GROUP BY lexeme HAVING sum(df) <> 0)) d)`

const newCardsDrift = `(SELECT count(*) FROM (
	(SELECT memory_id, created_at FROM new_cards
	 EXCEPT SELECT m.id, m.created_at FROM memories m
	         WHERE NOT EXISTS (SELECT 1 FROM scheduling s WHERE s.memory_id = m.id AND s.next_review IS NOT NULL))
	UNION ALL
	(SELECT m.id, m.created_at FROM memories m
	  WHERE NOT EXISTS (SELECT 1 FROM scheduling s WHERE s.memory_id = m.id AND s.next_review IS NOT NULL)
	 EXCEPT SELECT memory_id, created_at FROM new_cards)) d)`
