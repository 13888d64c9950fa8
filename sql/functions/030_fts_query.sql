-- Any-term retrieval: the query's important words (English stemming, stop words dropped)
-- joined by OR. Built from lexemes, never parsed from user syntax, so no text can raise.
CREATE FUNCTION vestige_fts_query(query_text text)
RETURNS tsquery
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN (
    SELECT string_agg('''' || replace(replace(lexeme, '\', '\\'), '''', '''''') || '''', ' | ')::tsquery
      FROM unnest(tsvector_to_array(to_tsvector('english'::regconfig, coalesce(query_text, '')))) AS lexeme
);

COMMENT ON FUNCTION vestige_fts_query(text) IS
'The tsquery vestige searches with: every English lexeme of the text (stemmed, stop words dropped) joined by OR. NULL when the text has no searchable term. Never raises, whatever the text.';
