-- vestige SQLite schema, version 1 (PRAGMA user_version): the twin of
-- sql/migrations/001_init.sql. Same tables, columns, defaults and checks, in SQLite's terms:
--   - ids are UUIDs as lowercase text; times are UTC microseconds since the Unix epoch
--     (INTEGER); arrays and maps are JSON text; vectors are little-endian float32 BLOBs.
--   - every table is STRICT, so a value the Go bind helper failed to convert is refused
--     instead of being stored as the wrong type.
--   - the full-text index is an FTS5 external-content table kept in sync by triggers.
-- Not mirrored: vestige_functions (it records which PL/pgSQL functions are installed; the
-- SQLite backend's functions are Go code of the same binary).

-- The time DEFAULTs serve rows written by hand in the sqlite3 shell (the Go store always
-- supplies its own times): now in µs, at the millisecond precision of unixepoch('subsec').

CREATE TABLE embedding_model (
    id         INTEGER PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    name       TEXT NOT NULL CHECK (name <> ''),
    dimension  INTEGER NOT NULL CHECK (dimension > 0),
    hash       TEXT NOT NULL CHECK (hash <> ''),
    created_at INTEGER NOT NULL DEFAULT (CAST(unixepoch('subsec') * 1000000 AS INTEGER))
) STRICT;

CREATE TABLE domains (
    id           TEXT PRIMARY KEY CHECK (id <> ''),
    label        TEXT NOT NULL,
    centroid     BLOB CHECK (centroid IS NULL OR (length(centroid) > 0 AND length(centroid) % 4 = 0)),
    top_terms    TEXT NOT NULL DEFAULT '[]' CHECK (json_type(top_terms) = 'array'),
    memory_count INTEGER NOT NULL DEFAULT 0 CHECK (memory_count >= 0),
    created_at   INTEGER NOT NULL DEFAULT (CAST(unixepoch('subsec') * 1000000 AS INTEGER)),
    metadata     TEXT NOT NULL DEFAULT '{}' CHECK (json_type(metadata) = 'object')
) STRICT;

-- rid is the FTS5 rowid. It is declared (an INTEGER PRIMARY KEY) because an implicit rowid
-- may change on VACUUM, which would silently detach the full-text index from its rows.
CREATE TABLE memories (
    rid           INTEGER PRIMARY KEY,
    id            TEXT NOT NULL UNIQUE CHECK (length(id) = 36 AND id = lower(id)),
    domains       TEXT NOT NULL DEFAULT '[]' CHECK (json_type(domains) = 'array'),
    domain_scores TEXT NOT NULL DEFAULT '{}' CHECK (json_type(domain_scores) = 'object'),
    content       TEXT NOT NULL,
    node_type     TEXT NOT NULL DEFAULT 'general',
    tags          TEXT NOT NULL DEFAULT '[]' CHECK (json_type(tags) = 'array'),
    embedding     BLOB CHECK (embedding IS NULL OR (length(embedding) > 0 AND length(embedding) % 4 = 0)),
    metadata      TEXT NOT NULL DEFAULT '{}' CHECK (json_type(metadata) = 'object'),
    created_at    INTEGER NOT NULL DEFAULT (CAST(unixepoch('subsec') * 1000000 AS INTEGER)),
    updated_at    INTEGER NOT NULL DEFAULT (CAST(unixepoch('subsec') * 1000000 AS INTEGER))
) STRICT;

-- FSRS state. A memory without a row here is a new card: never reviewed, retrievability 1,
-- due from its creation time. The first review creates the row.
CREATE TABLE scheduling (
    memory_id      TEXT PRIMARY KEY REFERENCES memories (id) ON DELETE CASCADE,
    stability      REAL NOT NULL DEFAULT 0 CHECK (stability >= 0),
    difficulty     REAL NOT NULL DEFAULT 0 CHECK (difficulty >= 0),
    -- R just before the last review; the live value is Store.Retrievability.
    retrievability REAL NOT NULL DEFAULT 1 CHECK (retrievability >= 0 AND retrievability <= 1),
    last_review    INTEGER,
    next_review    INTEGER,
    reps           INTEGER NOT NULL DEFAULT 0 CHECK (reps >= 0),
    lapses         INTEGER NOT NULL DEFAULT 0 CHECK (lapses >= 0),
    -- 1 learning, 2 review, 3 relearning (as the reference scheduler numbers them).
    state          INTEGER NOT NULL DEFAULT 1 CHECK (state IN (1, 2, 3)),
    -- Index of the current learning or relearning step; NULL in the review state.
    step           INTEGER CHECK (step >= 0)
) STRICT;

CREATE TABLE edges (
    source_id  TEXT NOT NULL REFERENCES memories (id) ON DELETE CASCADE,
    target_id  TEXT NOT NULL REFERENCES memories (id) ON DELETE CASCADE,
    edge_type  TEXT NOT NULL DEFAULT 'related' CHECK (edge_type <> ''),
    -- Activation multiplies weights along a path, so they must stay in [0, 1].
    weight     REAL NOT NULL DEFAULT 1 CHECK (weight >= 0 AND weight <= 1),
    created_at INTEGER NOT NULL DEFAULT (CAST(unixepoch('subsec') * 1000000 AS INTEGER)),
    PRIMARY KEY (source_id, target_id, edge_type)
) STRICT;

-- Append-only log of reviews. A UUID key (not a sequence) so that copying between databases
-- is exactly-once.
CREATE TABLE review_events (
    id          TEXT PRIMARY KEY CHECK (length(id) = 36 AND id = lower(id)),
    memory_id   TEXT NOT NULL REFERENCES memories (id) ON DELETE CASCADE,
    reviewed_at INTEGER NOT NULL DEFAULT (CAST(unixepoch('subsec') * 1000000 AS INTEGER)),
    rating      INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 4),
    prior_state TEXT NOT NULL CHECK (json_type(prior_state) = 'object'),
    new_state   TEXT NOT NULL CHECK (json_type(new_state) = 'object')
) STRICT;

-- The FSRS-6 scheduler's parameters (py-fsrs 6.3.2 defaults), as in Postgres.
CREATE TABLE fsrs_parameters (
    id                    INTEGER PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    weights               TEXT NOT NULL DEFAULT '[0.212,1.2931,2.3065,8.2956,6.4133,0.8334,3.0194,0.001,1.8722,0.1666,0.796,1.4835,0.0614,0.2629,1.6483,0.6014,1.8729,0.5425,0.0912,0.0658,0.1542]'
        CHECK (json_type(weights) = 'array' AND json_array_length(weights) = 21),
    desired_retention     REAL NOT NULL DEFAULT 0.9 CHECK (desired_retention > 0 AND desired_retention < 1),
    learning_steps_secs   TEXT NOT NULL DEFAULT '[60,600]' CHECK (json_type(learning_steps_secs) = 'array'),
    relearning_steps_secs TEXT NOT NULL DEFAULT '[600]' CHECK (json_type(relearning_steps_secs) = 'array'),
    maximum_interval_days INTEGER NOT NULL DEFAULT 36500 CHECK (maximum_interval_days > 0),
    updated_at            INTEGER NOT NULL DEFAULT (CAST(unixepoch('subsec') * 1000000 AS INTEGER))
) STRICT;
INSERT INTO fsrs_parameters DEFAULT VALUES;

CREATE INDEX idx_memories_node_type ON memories (node_type);
CREATE INDEX idx_memories_created ON memories (created_at, id);
CREATE INDEX idx_memories_updated ON memories (updated_at);
CREATE INDEX idx_scheduling_next_review ON scheduling (next_review, memory_id);
CREATE INDEX idx_scheduling_last_review ON scheduling (last_review);
CREATE INDEX idx_edges_target ON edges (target_id);
CREATE INDEX idx_edges_source ON edges (source_id);
CREATE INDEX idx_edges_type ON edges (edge_type);
CREATE INDEX idx_review_events_memory ON review_events (memory_id, reviewed_at);
CREATE INDEX idx_review_events_ts ON review_events (reviewed_at);

-- Vectors of two models never mix (the twin of memories_check_embedding). The messages
-- start with the SQLSTATE Postgres raises, which the Go store maps to the same errors.
CREATE TRIGGER trg_memories_check_embedding_insert
BEFORE INSERT ON memories
WHEN new.embedding IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'VS004: no embedding model is registered: register one before writing embeddings')
     WHERE NOT EXISTS (SELECT 1 FROM embedding_model WHERE id = 1);
    SELECT RAISE(ABORT, 'VS006: embedding is the zero vector: cosine similarity is undefined')
     WHERE new.embedding = zeroblob(length(new.embedding));
    SELECT RAISE(ABORT, 'VS002: embedding dimension differs from the registered model''s')
      FROM embedding_model e
     WHERE e.id = 1 AND length(new.embedding) <> 4 * e.dimension;
END;

CREATE TRIGGER trg_memories_check_embedding_update
BEFORE UPDATE OF embedding ON memories
WHEN new.embedding IS NOT NULL AND new.embedding IS NOT old.embedding
BEGIN
    SELECT RAISE(ABORT, 'VS004: no embedding model is registered: register one before writing embeddings')
     WHERE NOT EXISTS (SELECT 1 FROM embedding_model WHERE id = 1);
    SELECT RAISE(ABORT, 'VS006: embedding is the zero vector: cosine similarity is undefined')
     WHERE new.embedding = zeroblob(length(new.embedding));
    SELECT RAISE(ABORT, 'VS002: embedding dimension differs from the registered model''s')
      FROM embedding_model e
     WHERE e.id = 1 AND length(new.embedding) <> 4 * e.dimension;
END;

-- Full-text index: content, node type and tags, the columns Postgres weighs A, B and C in
-- search_vec (docs/fts-ranking.md). porter over
-- unicode61 with diacritics kept: Postgres' 'english' configuration stems and lowercases but
-- does not unaccent. Tags are indexed as their elements joined by spaces (JSON's brackets,
-- quotes and escapes must not become tokens), so the content table is this view.
CREATE VIEW memories_fts_source (rid, content, node_type, tags) AS
SELECT m.rid, m.content, m.node_type,
       (SELECT group_concat(t.value, ' ' ORDER BY t.key) FROM json_each(m.tags) t)
  FROM memories m;

CREATE VIRTUAL TABLE memories_fts USING fts5 (
    content, node_type, tags,
    content = 'memories_fts_source', content_rowid = 'rid',
    tokenize = 'porter unicode61 remove_diacritics 0'
);

-- The index's statistics for the ranking: documents per term, and every occurrence with its
-- column (the Go store computes the same score as vestige_fts_ranked from them).
CREATE VIRTUAL TABLE memories_fts_terms USING fts5vocab (memories_fts, row);
CREATE VIRTUAL TABLE memories_fts_instances USING fts5vocab (memories_fts, instance);

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

-- The Go store searches vectors in memory. Each process keeps its copy current by replaying
-- this log of changed rows (every writer, any process, appends through the triggers) instead
-- of reloading every vector after each write. vector_log_state.epoch changes when the schema
-- is recreated, and pruned_through when Vacuum trims the log: either means "reload all".
CREATE TABLE vector_log (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    rid INTEGER NOT NULL
) STRICT;

CREATE TABLE vector_log_state (
    id             INTEGER PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    epoch          TEXT NOT NULL DEFAULT (lower(hex(randomblob(8)))),
    pruned_through INTEGER NOT NULL DEFAULT 0
) STRICT;
INSERT INTO vector_log_state DEFAULT VALUES;

CREATE TRIGGER trg_memories_vector_log_insert AFTER INSERT ON memories
WHEN new.embedding IS NOT NULL
BEGIN
    INSERT INTO vector_log (rid) VALUES (new.rid);
END;

CREATE TRIGGER trg_memories_vector_log_update AFTER UPDATE OF embedding, id ON memories
WHEN new.embedding IS NOT old.embedding OR new.id IS NOT old.id
BEGIN
    INSERT INTO vector_log (rid) VALUES (new.rid);
END;

CREATE TRIGGER trg_memories_vector_log_delete AFTER DELETE ON memories
WHEN old.embedding IS NOT NULL
BEGIN
    INSERT INTO vector_log (rid) VALUES (old.rid);
END;

---- create above / drop below ----

DROP TRIGGER IF EXISTS trg_memories_vector_log_delete;
DROP TRIGGER IF EXISTS trg_memories_vector_log_update;
DROP TRIGGER IF EXISTS trg_memories_vector_log_insert;
DROP TABLE IF EXISTS vector_log_state;
DROP TABLE IF EXISTS vector_log;
DROP TRIGGER IF EXISTS trg_memories_fts_update;
DROP TRIGGER IF EXISTS trg_memories_fts_delete;
DROP TRIGGER IF EXISTS trg_memories_fts_insert;
DROP TABLE IF EXISTS memories_fts_instances;
DROP TABLE IF EXISTS memories_fts_terms;
DROP TABLE IF EXISTS memories_fts;
DROP VIEW IF EXISTS memories_fts_source;
DROP TRIGGER IF EXISTS trg_memories_check_embedding_update;
DROP TRIGGER IF EXISTS trg_memories_check_embedding_insert;
DROP TABLE IF EXISTS fsrs_parameters;
DROP TABLE IF EXISTS review_events;
DROP TABLE IF EXISTS edges;
DROP TABLE IF EXISTS scheduling;
DROP TABLE IF EXISTS memories;
DROP TABLE IF EXISTS domains;
DROP TABLE IF EXISTS embedding_model;
