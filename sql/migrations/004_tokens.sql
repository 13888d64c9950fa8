-- vestige schema, version 4: the same tokens on both backends (docs/fts-ranking.md, "Tokens").
--
-- search_vec now indexes memories_search_text(x), not x:
--   - NFC, so a composed é and an e followed by U+0301 are the same word;
--   - ASCII punctuation blanked, so an e-mail address, a URL, a file path, a hyphenated word
--     and a word joined to a number (BENCH-100821) are indexed by their parts, as SQLite's
--     unicode61 indexes them (Postgres' parser kept them whole: alice@example.com was one
--     lexeme, and "alice" did not find it; BENCH-100821 gave bench and -100821);
--   - runs of Chinese or Japanese characters (written without spaces, so the parser made one
--     lexeme of a whole sentence) cut into overlapping pairs of characters, so a two-character
--     query finds them.
-- The stored content is unchanged: only what the index sees is. SQLite computes the same
-- text in Go (client/store/sqlitestore/ftstext.go); the character ranges below are its
-- isCJK, one for one.

CREATE FUNCTION memories_search_text(t text)
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

CREATE OR REPLACE FUNCTION memories_search_vector(content text, node_type text, tags text[])
RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN setweight(to_tsvector('english'::regconfig, memories_search_text(coalesce(content, ''))), 'A')
    || setweight(to_tsvector('english'::regconfig, memories_search_text(coalesce(node_type, ''))), 'B')
    || setweight(to_tsvector('english'::regconfig, memories_search_text(coalesce(array_to_string(tags, ' '), ''))), 'C');

-- Replacing the function does not recompute stored values, and UPDATE memories SET content =
-- content would (through trg_memories_updated_at) change updated_at: re-add the column instead,
-- which computes every row once. The index, storage and statistics go with the column.
ALTER TABLE memories DROP COLUMN search_vec;
ALTER TABLE memories ADD COLUMN search_vec tsvector GENERATED ALWAYS AS (memories_search_vector(content, node_type, tags)) STORED;
ALTER TABLE memories ALTER COLUMN search_vec SET STORAGE MAIN;
CREATE INDEX idx_memories_fts ON memories USING gin (search_vec);
-- vestige_fts_ranked reads search_vec's statistics above 50,000 memories.
ANALYZE memories;

---- create above / drop below ----

CREATE OR REPLACE FUNCTION memories_search_vector(content text, node_type text, tags text[])
RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN setweight(to_tsvector('english'::regconfig, coalesce(content, '')), 'A')
    || setweight(to_tsvector('english'::regconfig, coalesce(node_type, '')), 'B')
    || setweight(to_tsvector('english'::regconfig, coalesce(array_to_string(tags, ' '), '')), 'C');

ALTER TABLE memories DROP COLUMN IF EXISTS search_vec;
ALTER TABLE memories ADD COLUMN search_vec tsvector GENERATED ALWAYS AS (memories_search_vector(content, node_type, tags)) STORED;
ALTER TABLE memories ALTER COLUMN search_vec SET STORAGE MAIN;
CREATE INDEX idx_memories_fts ON memories USING gin (search_vec);
ANALYZE memories;

DROP FUNCTION IF EXISTS memories_search_text(text);
