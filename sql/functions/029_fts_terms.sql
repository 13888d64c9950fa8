-- The query's searchable terms: its English lexemes (stemmed, stop words dropped), distinct,
-- in the order they first appear, at most 64, from at most its first 100,000 characters.
-- The text is parsed as search_vec parses memories: through memories_search_text (migration
-- 004: NFC, ASCII punctuation blanked, CJK runs as character pairs), so a query and a memory
-- meet on the same tokens.
-- The bounds keep any text, however long, from raising (a tsvector holds at most 1 MB) or
-- from costing a count per word; 64 terms is far more than a question has.
CREATE FUNCTION vestige_fts_terms(query_text text)
RETURNS TABLE (lexeme text, ord integer)
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT u.lexeme, (row_number() OVER (ORDER BY u.positions[1], u.lexeme))::integer
      FROM unnest(to_tsvector('english'::regconfig, memories_search_text(left(coalesce(query_text, ''), 100000)))) AS u
     ORDER BY u.positions[1], u.lexeme
     LIMIT 64
$$;

COMMENT ON FUNCTION vestige_fts_terms(text) IS
'The searchable terms of a query text: its English lexemes (stemmed, stop words dropped; parsed as memories are, through memories_search_text), distinct, in order of first appearance, at most 64, from at most the first 100,000 characters. Never raises.';
