-- The same tokens on both backends (docs/fts-ranking.md, "Tokens"). FTS5 must index the text
-- in NFC with runs of Chinese and Japanese characters cut into overlapping pairs, as Postgres'
-- memories_search_text (sql/migrations/004_tokens.sql) does. SQLite has no NFC in SQL, so the
-- Go store computes that text (sqlitestore/ftstext.go) and keeps it here, one row per memory
-- whose indexed text differs from its stored text (most rows have none: ASCII, NFC text
-- without CJK runs is indexed as stored). The stored content itself is never changed.
--
-- Plain SQL writers (any sqlite3 without vestige's Go code) keep working: the triggers index
-- the text as stored and drop a row's entry here whenever its text changes, so the index is
-- always exactly what memories_fts_source shows (an external-content FTS5 table must be told
-- the very values it indexed to delete them). Such rows are found as before 004 until the Go
-- store next writes them. The index is brought to the new text by the Go store right after
-- this script, in the same transaction (schema.go: afterUp, reindexAllFTS).
CREATE TABLE memories_fts_text (
    rid       INTEGER PRIMARY KEY,
    content   TEXT NOT NULL,
    node_type TEXT NOT NULL,
    tags      TEXT
) STRICT;

DROP TRIGGER trg_memories_fts_update;
DROP TRIGGER trg_memories_fts_delete;
DROP TRIGGER trg_memories_fts_insert;
DROP VIEW memories_fts_source;

CREATE VIEW memories_fts_source (rid, content, node_type, tags) AS
SELECT m.rid, coalesce(x.content, m.content), coalesce(x.node_type, m.node_type),
       CASE WHEN x.rid IS NULL
            THEN (SELECT group_concat(t.value, ' ' ORDER BY t.key) FROM json_each(m.tags) t)
            ELSE x.tags END
  FROM memories m LEFT JOIN memories_fts_text x ON x.rid = m.rid;

CREATE TRIGGER trg_memories_fts_insert AFTER INSERT ON memories BEGIN
    DELETE FROM memories_fts_text WHERE rid = new.rid;
    INSERT INTO memories_fts (rowid, content, node_type, tags)
    VALUES (new.rid, new.content, new.node_type,
            (SELECT group_concat(t.value, ' ' ORDER BY t.key) FROM json_each(new.tags) t));
END;

-- Deleting from the index takes the values it indexed: the memory's row here if it has one.
CREATE TRIGGER trg_memories_fts_delete AFTER DELETE ON memories BEGIN
    INSERT INTO memories_fts (memories_fts, rowid, content, node_type, tags)
    SELECT 'delete', old.rid, coalesce(x.content, old.content), coalesce(x.node_type, old.node_type),
           CASE WHEN x.rid IS NULL
                THEN (SELECT group_concat(t.value, ' ' ORDER BY t.key) FROM json_each(old.tags) t)
                ELSE x.tags END
      FROM (SELECT old.rid AS rid) o LEFT JOIN memories_fts_text x ON x.rid = o.rid;
    DELETE FROM memories_fts_text WHERE rid = old.rid;
END;

CREATE TRIGGER trg_memories_fts_update AFTER UPDATE OF content, node_type, tags ON memories BEGIN
    INSERT INTO memories_fts (memories_fts, rowid, content, node_type, tags)
    SELECT 'delete', old.rid, coalesce(x.content, old.content), coalesce(x.node_type, old.node_type),
           CASE WHEN x.rid IS NULL
                THEN (SELECT group_concat(t.value, ' ' ORDER BY t.key) FROM json_each(old.tags) t)
                ELSE x.tags END
      FROM (SELECT old.rid AS rid) o LEFT JOIN memories_fts_text x ON x.rid = o.rid;
    DELETE FROM memories_fts_text WHERE rid = old.rid;
    INSERT INTO memories_fts (rowid, content, node_type, tags)
    VALUES (new.rid, new.content, new.node_type,
            (SELECT group_concat(t.value, ' ' ORDER BY t.key) FROM json_each(new.tags) t));
END;

---- create above / drop below ----

-- Back to the text as stored, for the rows indexed otherwise ('rebuild' would read every row;
-- it also cannot read this view: FTS5 resolves its json_each as main.json_each).
INSERT INTO memories_fts (memories_fts, rowid, content, node_type, tags)
SELECT 'delete', rid, content, node_type, tags FROM memories_fts_text;
INSERT INTO memories_fts (rowid, content, node_type, tags)
SELECT m.rid, m.content, m.node_type, (SELECT group_concat(t.value, ' ' ORDER BY t.key) FROM json_each(m.tags) t)
  FROM memories m WHERE m.rid IN (SELECT rid FROM memories_fts_text);
DROP TRIGGER IF EXISTS trg_memories_fts_update;
DROP TRIGGER IF EXISTS trg_memories_fts_delete;
DROP TRIGGER IF EXISTS trg_memories_fts_insert;
DROP VIEW IF EXISTS memories_fts_source;
DROP TABLE IF EXISTS memories_fts_text;

CREATE VIEW memories_fts_source (rid, content, node_type, tags) AS
SELECT m.rid, m.content, m.node_type,
       (SELECT group_concat(t.value, ' ' ORDER BY t.key) FROM json_each(m.tags) t)
  FROM memories m;

CREATE TRIGGER trg_memories_fts_insert AFTER INSERT ON memories BEGIN
    INSERT INTO memories_fts (rowid, content, node_type, tags)
    VALUES (new.rid, new.content, new.node_type,
            (SELECT group_concat(t.value, ' ' ORDER BY t.key) FROM json_each(new.tags) t));
END;

CREATE TRIGGER trg_memories_fts_delete AFTER DELETE ON memories BEGIN
    INSERT INTO memories_fts (memories_fts, rowid, content, node_type, tags)
    VALUES ('delete', old.rid, old.content, old.node_type,
            (SELECT group_concat(t.value, ' ' ORDER BY t.key) FROM json_each(old.tags) t));
END;

CREATE TRIGGER trg_memories_fts_update AFTER UPDATE OF content, node_type, tags ON memories BEGIN
    INSERT INTO memories_fts (memories_fts, rowid, content, node_type, tags)
    VALUES ('delete', old.rid, old.content, old.node_type,
            (SELECT group_concat(t.value, ' ' ORDER BY t.key) FROM json_each(old.tags) t));
    INSERT INTO memories_fts (rowid, content, node_type, tags)
    VALUES (new.rid, new.content, new.node_type,
            (SELECT group_concat(t.value, ' ' ORDER BY t.key) FROM json_each(new.tags) t));
END;
