-- SQLite schema, version 5: new cards have an index of their own (as in Postgres' 005).
--
-- DueMemories merges two streams in due order: reviewed memories by scheduling.next_review,
-- new cards (no scheduling row with a next review) by memories.created_at. Without a way to
-- tell new cards apart in an index, the second stream walked every reviewed memory older than
-- the first new card. new_cards lists them; triggers keep it equal to "memories without a
-- scheduling row whose next_review is set". (Triggers, not foreign keys: they also keep it
-- right on a connection that has foreign_keys off.)
CREATE TABLE new_cards (
    memory_id  TEXT PRIMARY KEY,
    -- A copy of memories.created_at (the due time of a new card), so the index sorts by it.
    created_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX idx_new_cards_due ON new_cards (created_at, memory_id);

INSERT INTO new_cards (memory_id, created_at)
SELECT m.id, m.created_at
  FROM memories m
 WHERE NOT EXISTS (SELECT 1 FROM scheduling s WHERE s.memory_id = m.id AND s.next_review IS NOT NULL);

-- A new memory is a new card (no scheduling row can name it yet).
CREATE TRIGGER trg_memories_new_cards_insert AFTER INSERT ON memories
BEGIN
    INSERT OR REPLACE INTO new_cards (memory_id, created_at) VALUES (new.id, new.created_at);
END;

CREATE TRIGGER trg_memories_new_cards_update AFTER UPDATE OF id, created_at ON memories
WHEN new.id IS NOT old.id OR new.created_at IS NOT old.created_at
BEGIN
    UPDATE new_cards SET memory_id = new.id, created_at = new.created_at WHERE memory_id = old.id;
END;

CREATE TRIGGER trg_memories_new_cards_delete AFTER DELETE ON memories
BEGIN
    DELETE FROM new_cards WHERE memory_id = old.id;
END;

CREATE TRIGGER trg_scheduling_new_cards_insert AFTER INSERT ON scheduling
WHEN new.next_review IS NOT NULL
BEGIN
    DELETE FROM new_cards WHERE memory_id = new.memory_id;
END;

-- A review moves next_review from one time to another: the card stays reviewed. Any other
-- change re-decides the card of each memory the row named.
CREATE TRIGGER trg_scheduling_new_cards_update AFTER UPDATE OF memory_id, next_review ON scheduling
WHEN new.memory_id IS NOT old.memory_id OR (new.next_review IS NULL) <> (old.next_review IS NULL)
BEGIN
    DELETE FROM new_cards WHERE memory_id IN (old.memory_id, new.memory_id);
    INSERT INTO new_cards (memory_id, created_at)
    SELECT m.id, m.created_at
      FROM memories m
     WHERE m.id IN (old.memory_id, new.memory_id)
       AND NOT EXISTS (SELECT 1 FROM scheduling s WHERE s.memory_id = m.id AND s.next_review IS NOT NULL);
END;

CREATE TRIGGER trg_scheduling_new_cards_delete AFTER DELETE ON scheduling
BEGIN
    INSERT OR IGNORE INTO new_cards (memory_id, created_at)
    SELECT m.id, m.created_at
      FROM memories m
     WHERE m.id = old.memory_id
       AND NOT EXISTS (SELECT 1 FROM scheduling s WHERE s.memory_id = m.id AND s.next_review IS NOT NULL);
END;

---- create above / drop below ----

DROP TRIGGER IF EXISTS trg_scheduling_new_cards_delete;
DROP TRIGGER IF EXISTS trg_scheduling_new_cards_update;
DROP TRIGGER IF EXISTS trg_scheduling_new_cards_insert;
DROP TRIGGER IF EXISTS trg_memories_new_cards_delete;
DROP TRIGGER IF EXISTS trg_memories_new_cards_update;
DROP TRIGGER IF EXISTS trg_memories_new_cards_insert;
DROP TABLE IF EXISTS new_cards;
