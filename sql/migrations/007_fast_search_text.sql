-- vestige schema, version 7: the same search_vec, computed in ~40 % less time, and memories
-- rows that the toaster leaves alone. Nothing stored changes meaning: no row is rewritten.
--
-- 1. memories_search_text (migration 004) gives the same text for every input, faster. ASCII
--    text (nearly all of it) is in NFC and holds no Chinese or Japanese character, so only
--    its punctuation needs blanking; the NFC check alone was half the function's time. The
--    function is now a SQL expression, which the planner inlines into its callers (no call
--    per use), and other text goes to the previous body, unchanged, under a new name.
--    octet_length(t) = length(t) means "ASCII" only in a UTF8 database; in any other one the
--    previous body is all there is (it refuses such a database, as before: normalize() and
--    IS NFC NORMALIZED need UTF8).
-- 2. memories_search_vector, the generated expression of search_vec, becomes PL/pgSQL: as a
--    SQL function it was never inlined (array_to_string is only STABLE) and the SQL-function
--    executor ran for every row; a PL/pgSQL function evaluates the same expression, with
--    memories_search_text inlined, as one simple expression (and its own search_path, see
--    below). Same result for every input, so search_vec needs no recomputation
--    (tests/sqlapi/searchtext_test.go compares the old and new functions).
-- 3. toast_tuple_target = 8160 on memories. A row with a vector of 768 dimensions (3 KB,
--    kept in the row: SET STORAGE PLAIN) is always above the 2 KB toasting target, so every
--    insert and update tried to compress each other column of the row and then moved
--    content, tags, domains, metadata and domain scores out of line into the TOAST table
--    (4-5 TOAST rows a memory), and every read of the content fetched them back. With the
--    target at a page, a row that fits a page stays whole; larger ones are toasted as
--    before. Rows already stored keep their layout until they are rewritten.

CREATE FUNCTION memories_search_text_unicode(t text)
RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
AS $$
DECLARE
    -- The 32 ASCII punctuation characters, each to a space. (regexp_replace: translate() is
    -- ten times slower on multibyte text; the NFC check skips normalize() for text already
    -- in NFC, nearly all of it, at a quarter of its cost. Measured in docs/fts-ranking.md.)
    s text := regexp_replace(CASE WHEN t IS NFC NORMALIZED THEN t ELSE normalize(t, NFC) END,
                             '[!-/:-@[-`{-~]', ' ', 'g');
    cjk constant text := '\u3005-\u3007\u3041-\u3096\u309d-\u309f\u30a1-\u30fa\u30fc-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f\U00020000-\U0002ffff';
BEGIN
    IF s !~ ('[' || cjk || ']') THEN
        RETURN s;
    END IF;
    -- Each CJK run becomes its overlapping pairs (a lone character stays itself), set apart
    -- by spaces; the text between runs is kept as it is.
    RETURN (
        SELECT string_agg(
                   CASE WHEN r.m[1] IS NULL THEN r.m[2]
                        ELSE ' ' || (SELECT string_agg(substr(r.m[1], i, 2), ' ' ORDER BY i)
                                       FROM generate_series(1, greatest(length(r.m[1]) - 1, 1)) AS i) || ' '
                   END, '' ORDER BY r.n)
          FROM regexp_matches(s, '([' || cjk || ']+)|([^' || cjk || ']+)', 'g') WITH ORDINALITY AS r(m, n)
    );
END
$$;

COMMENT ON FUNCTION memories_search_text_unicode(text) IS
'memories_search_text for any text (the body of migration 004): NFC, ASCII punctuation blanked, runs of Chinese/Japanese characters cut into overlapping pairs. memories_search_text calls it for text that is not ASCII.';

-- Not STRICT: the planner inlines a SQL function only if its expression is as strict as the
-- function, and CASE is not. A NULL still gives NULL (the ELSE branch's function is STRICT).
DO $$
BEGIN
    IF getdatabaseencoding() = 'UTF8' THEN
        CREATE OR REPLACE FUNCTION memories_search_text(t text)
        RETURNS text
        LANGUAGE sql IMMUTABLE PARALLEL SAFE
        RETURN CASE WHEN octet_length(t) = length(t) THEN regexp_replace(t, '[!-/:-@[-`{-~]', ' ', 'g')
                    ELSE memories_search_text_unicode(t) END;
        COMMENT ON FUNCTION memories_search_text(text) IS
        'The text full-text search indexes and parses instead of the text as stored: NFC, ASCII punctuation blanked, runs of Chinese/Japanese characters cut into overlapping pairs. Mirrors the SQLite store (ftstext.go). ASCII text takes a short path with the same result.';
    END IF;
END;
$$;

CREATE OR REPLACE FUNCTION memories_search_vector(content text, node_type text, tags text[])
RETURNS tsvector
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
BEGIN
    RETURN setweight(to_tsvector('english'::regconfig, memories_search_text(coalesce(content, ''))), 'A')
        || setweight(to_tsvector('english'::regconfig, memories_search_text(coalesce(node_type, ''))), 'B')
        || setweight(to_tsvector('english'::regconfig, memories_search_text(coalesce(array_to_string(tags, ' '), ''))), 'C');
END
$$;

-- A SQL function's body is bound to the functions it calls when it is created; a PL/pgSQL
-- body looks memories_search_text up when a session first runs it, by the session's
-- search_path. search_vec is computed wherever a row is written, also where that path does
-- not name the store's schema (pg_restore loads rows with an empty one; a logical
-- replication subscriber too): the function carries its own path (the install's schema, as
-- migration 001's objects live there). pg_catalog is searched first in any case.
DO $$
BEGIN
    EXECUTE format('ALTER FUNCTION %I.memories_search_vector(text, text, text[]) SET search_path = %I',
                   current_schema(), current_schema());
END;
$$;

ALTER TABLE memories SET (toast_tuple_target = 8160);

---- create above / drop below ----

ALTER TABLE memories RESET (toast_tuple_target);

CREATE OR REPLACE FUNCTION memories_search_vector(content text, node_type text, tags text[])
RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN setweight(to_tsvector('english'::regconfig, memories_search_text(coalesce(content, ''))), 'A')
    || setweight(to_tsvector('english'::regconfig, memories_search_text(coalesce(node_type, ''))), 'B')
    || setweight(to_tsvector('english'::regconfig, memories_search_text(coalesce(array_to_string(tags, ' '), ''))), 'C');

CREATE OR REPLACE FUNCTION memories_search_text(t text)
RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
AS $$
DECLARE
    -- The 32 ASCII punctuation characters, each to a space. (regexp_replace: translate() is
    -- ten times slower on multibyte text; the NFC check skips normalize() for text already
    -- in NFC, nearly all of it, at a quarter of its cost. Measured in docs/fts-ranking.md.)
    s text := regexp_replace(CASE WHEN t IS NFC NORMALIZED THEN t ELSE normalize(t, NFC) END,
                             '[!-/:-@[-`{-~]', ' ', 'g');
    cjk constant text := '\u3005-\u3007\u3041-\u3096\u309d-\u309f\u30a1-\u30fa\u30fc-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f\U00020000-\U0002ffff';
BEGIN
    IF s !~ ('[' || cjk || ']') THEN
        RETURN s;
    END IF;
    -- Each CJK run becomes its overlapping pairs (a lone character stays itself), set apart
    -- by spaces; the text between runs is kept as it is.
    RETURN (
        SELECT string_agg(
                   CASE WHEN r.m[1] IS NULL THEN r.m[2]
                        ELSE ' ' || (SELECT string_agg(substr(r.m[1], i, 2), ' ' ORDER BY i)
                                       FROM generate_series(1, greatest(length(r.m[1]) - 1, 1)) AS i) || ' '
                   END, '' ORDER BY r.n)
          FROM regexp_matches(s, '([' || cjk || ']+)|([^' || cjk || ']+)', 'g') WITH ORDINALITY AS r(m, n)
    );
END
$$;

COMMENT ON FUNCTION memories_search_text(text) IS
'The text full-text search indexes and parses instead of the text as stored: NFC, ASCII punctuation blanked, runs of Chinese/Japanese characters cut into overlapping pairs. Mirrors the SQLite store (ftstext.go).';

DROP FUNCTION IF EXISTS memories_search_text_unicode(text);
