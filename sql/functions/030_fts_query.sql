-- Any-term retrieval: the query's important words joined by OR. Built from lexemes, never
-- parsed from user syntax, so no text can raise.
CREATE FUNCTION vestige_fts_query(query_text text)
RETURNS tsquery
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN (
    SELECT string_agg('''' || replace(replace(t.lexeme, '\', '\\'), '''', '''''') || '''', ' | ' ORDER BY t.ord)::tsquery
      FROM vestige_fts_terms(query_text) AS t
);

COMMENT ON FUNCTION vestige_fts_query(text) IS
'The tsquery vestige searches with: the searchable terms of the text (vestige_fts_terms) joined by OR. NULL when the text has no searchable term. Never raises, whatever the text.';
