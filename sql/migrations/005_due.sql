-- vestige schema, version 5: new cards have an index of their own.
--
-- vestige_due merges two streams in due order: reviewed memories by scheduling.next_review,
-- new cards (no scheduling row with a next review) by memories.created_at. Without a way to
-- tell new cards apart in an index, the second stream walked every reviewed memory older than
-- the first new card: at 230k memories, 95 % reviewed (the old ones, as in use), 0.5-0.8 s
-- for ten rows. A partial index cannot look at another table, and a flag on memories would
-- make every review rewrite (and bump updated_at on) the memory row, so new_cards lists them:
-- triggers keep it equal to "memories without a scheduling row whose next_review is set".

CREATE TABLE new_cards (
    -- ON UPDATE CASCADE: a memory's id may change while it has no scheduling row.
    memory_id  uuid PRIMARY KEY REFERENCES memories (id) ON DELETE CASCADE ON UPDATE CASCADE,
    -- A copy of memories.created_at (the due time of a new card), so the index sorts by it.
    created_at timestamptz NOT NULL
);
CREATE INDEX idx_new_cards_due ON new_cards (created_at, memory_id);

INSERT INTO new_cards (memory_id, created_at)
SELECT m.id, m.created_at
  FROM memories m
 WHERE NOT EXISTS (SELECT 1 FROM scheduling s WHERE s.memory_id = m.id AND s.next_review IS NOT NULL);

-- Roles already granted the app's tables (vestige schema grant) write new_cards through the
-- triggers and read it in vestige_due: give them on new_cards what they have on scheduling.
DO $$
DECLARE
    g record;
BEGIN
    FOR g IN SELECT grantee, string_agg(privilege_type, ', ') AS privs
               FROM information_schema.role_table_grants
              WHERE table_schema = current_schema() AND table_name = 'scheduling'
                AND privilege_type IN ('SELECT', 'INSERT', 'UPDATE', 'DELETE')
                AND grantee <> current_user
              GROUP BY grantee
    LOOP
        EXECUTE format('GRANT %s ON new_cards TO %I', g.privs, g.grantee);
    END LOOP;
END;
$$;

-- A new memory is a new card (no scheduling row can name it yet); a changed creation time
-- moves it.
CREATE FUNCTION new_cards_track_memory() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO new_cards (memory_id, created_at) VALUES (NEW.id, NEW.created_at);
    ELSIF NEW.created_at IS DISTINCT FROM OLD.created_at THEN
        UPDATE new_cards SET created_at = NEW.created_at WHERE memory_id = NEW.id;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER trg_memories_new_cards
    AFTER INSERT OR UPDATE OF created_at ON memories
    FOR EACH ROW EXECUTE FUNCTION new_cards_track_memory();

-- A first review (a row with a next review) takes the card out; a deleted row puts it back
-- (scheduling has one row per memory). Any other change re-decides the card of each memory
-- the row named. Plain statements, not a helper function: plpgsql caches their plans.
CREATE FUNCTION new_cards_track_scheduling() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.next_review IS NOT NULL THEN
            DELETE FROM new_cards WHERE memory_id = NEW.memory_id;
        END IF;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO new_cards (memory_id, created_at)
        SELECT m.id, m.created_at FROM memories m WHERE m.id = OLD.memory_id
        ON CONFLICT (memory_id) DO NOTHING;
    -- A review moves next_review from one time to another: the card stays reviewed.
    ELSIF NEW.memory_id IS DISTINCT FROM OLD.memory_id
          OR (NEW.next_review IS NULL) <> (OLD.next_review IS NULL) THEN
        DELETE FROM new_cards WHERE memory_id IN (OLD.memory_id, NEW.memory_id);
        INSERT INTO new_cards (memory_id, created_at)
        SELECT m.id, m.created_at
          FROM memories m
         WHERE m.id IN (OLD.memory_id, NEW.memory_id)
           AND NOT EXISTS (SELECT 1 FROM scheduling s WHERE s.memory_id = m.id AND s.next_review IS NOT NULL);
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER trg_scheduling_new_cards
    AFTER INSERT OR DELETE OR UPDATE OF memory_id, next_review ON scheduling
    FOR EACH ROW EXECUTE FUNCTION new_cards_track_scheduling();

---- create above / drop below ----

DROP TRIGGER IF EXISTS trg_scheduling_new_cards ON scheduling;
DROP FUNCTION IF EXISTS new_cards_track_scheduling();
DROP TRIGGER IF EXISTS trg_memories_new_cards ON memories;
DROP FUNCTION IF EXISTS new_cards_track_memory();
DROP TABLE IF EXISTS new_cards;
