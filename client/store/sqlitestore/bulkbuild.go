package sqlitestore

import (
	"context"
	"fmt"
	"strings"
	"time"

	"zombiezen.com/go/sqlite"
)

// A copy into a store with no memory (transfer.Copy through transfer.SearchIndexer, as on
// Postgres) loads memories without what each inserted row would otherwise cost on top of
// its B-tree entry: the insert triggers of memories (the value and vector checks, the
// full-text index, the new-card list, the vector log) and its secondary indexes. The rows
// are checked in Go as for any load; BuildSearchIndexes then builds all of it once from the
// rows, which costs a fraction of the per-row work (one statement per derived structure,
// sorted index builds, the full-text index written in large segments).
//
// The dropped definitions are kept, as the file had them, in vestige_copy_deferred, whose
// presence is the mark that the build is due: the drop and the build are each one
// transaction, so a copy killed at any point leaves either the whole schema or the table
// with everything it lacks. Open finishes a pending build (unless Options.KeepCopyPending,
// for the copy that runs again and finishes it), and so does a migration before its steps,
// which expect the schema whole.
const deferredTable = "vestige_copy_deferred"

// deferredObjects are the triggers and indexes of memories DropSearchIndexes drops. The
// update and delete triggers stay: a copy only inserts, and writers that open the store
// meanwhile finish the build first.
var deferredObjects = []string{
	"trg_memories_values_insert", "trg_memories_check_embedding_insert", "trg_memories_fts_insert",
	"trg_memories_new_cards_insert", "trg_memories_vector_log_insert",
	"idx_memories_node_type", "idx_memories_created", "idx_memories_updated",
}

// deferredPending reports whether a bulk load's build is due (vestige_copy_deferred exists).
func deferredPending(conn *sqlite.Conn) (bool, error) {
	var n int
	_, err := queryOne(conn, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1`,
		func(stmt *sqlite.Stmt) error { n = stmt.ColumnInt(0); return nil }, deferredTable)
	return n > 0, err
}

// SearchIndexesPending reports whether a bulk load left the triggers and indexes of
// memories to BuildSearchIndexes (a copy killed before its build).
func (s *Store) SearchIndexesPending(ctx context.Context) (bool, error) {
	var pending bool
	err := s.read(ctx, func(conn *sqlite.Conn) error {
		var err error
		pending, err = deferredPending(conn)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("sqlitestore search indexes: %w", interpretError(ctx, err))
	}
	return pending, nil
}

// DropSearchIndexes drops the insert triggers and the secondary indexes of memories before a
// bulk load into an empty store, keeping their definitions for BuildSearchIndexes. From then
// on LoadBulk writes each memory's row and its id's index entry only, and until the build
// full-text searches do not see the rows loaded, nor vector searches of other processes. A
// second call before the build does nothing.
func (s *Store) DropSearchIndexes(ctx context.Context) error {
	err := s.write(ctx, func(conn *sqlite.Conn) error {
		pending, err := deferredPending(conn)
		if err != nil || pending {
			return err
		}
		if err := exec(conn, `CREATE TABLE `+deferredTable+` (
				name TEXT PRIMARY KEY,
				type TEXT NOT NULL,
				sql  TEXT NOT NULL
			) STRICT`); err != nil {
			return err
		}
		args := make([]any, len(deferredObjects))
		for i, name := range deferredObjects {
			args[i] = name
		}
		if err := exec(conn, `INSERT INTO `+deferredTable+` (name, type, sql)
				SELECT name, type, sql FROM sqlite_master
				 WHERE tbl_name = 'memories' AND type IN ('trigger', 'index') AND sql IS NOT NULL
				   AND name IN (`+strings.TrimSuffix(strings.Repeat("?,", len(args)), ",")+`)`, args...); err != nil {
			return err
		}
		var drops []string
		err = query(conn, `SELECT name, type FROM `+deferredTable+` ORDER BY name`, func(stmt *sqlite.Stmt) error {
			// The names come from sqlite_master and deferredObjects: plain identifiers.
			drops = append(drops, "DROP "+strings.ToUpper(stmt.ColumnText(1))+" IF EXISTS "+stmt.ColumnText(0))
			return nil
		})
		if err != nil {
			return err
		}
		for _, sql := range drops {
			if err := exec(conn, sql); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sqlitestore drop search indexes: %w", interpretError(ctx, err))
	}
	return nil
}

// BuildSearchIndexes puts back what DropSearchIndexes took away, in one transaction: each
// secondary index of memories, the full-text index (its entries rebuilt from every memory,
// with the index form of text that NFC or CJK pairs change), the new-card list, the
// triggers; the vector log's epoch changes, so every process reloads its vectors. done is
// called after each step with its name (the index's, "memories_fts", "new_cards") and
// time. A build killed midway left nothing: the next call (or Open) does it all.
func (s *Store) BuildSearchIndexes(ctx context.Context, done func(step string, took time.Duration)) error {
	// The build reads every row of memories five times (three indexes, the full-text text,
	// new cards): memory-mapped, those reads cost no read(2) and no copy (a quarter of the
	// build's CPU at 10,000 memories).
	err := s.writer(ctx, func(conn *sqlite.Conn) error {
		return mapped(conn, func() error {
			return inTx(conn, "BEGIN IMMEDIATE", func(conn *sqlite.Conn) error { return finishDeferred(conn, done) })
		})
	})
	if err != nil {
		return fmt.Errorf("sqlitestore build search indexes: %w", interpretError(ctx, err))
	}
	return nil
}

// finishDeferred is BuildSearchIndexes inside the caller's write transaction; it does nothing
// when no build is due.
func finishDeferred(conn *sqlite.Conn, done func(step string, took time.Duration)) error {
	pending, err := deferredPending(conn)
	if err != nil || !pending {
		return err
	}
	if done == nil {
		done = func(string, time.Duration) {}
	}
	type object struct{ name, kind, sql string }
	var objects []object
	err = query(conn, `SELECT name, type, sql FROM `+deferredTable+` ORDER BY type, name`, func(stmt *sqlite.Stmt) error {
		objects = append(objects, object{stmt.ColumnText(0), stmt.ColumnText(1), stmt.ColumnText(2)})
		return nil
	})
	if err != nil {
		return err
	}
	// Indexes first (ORDER BY type): each is one sorted build.
	for _, o := range objects {
		if o.kind != "index" {
			continue
		}
		t := time.Now()
		if err := exec(conn, o.sql); err != nil {
			return fmt.Errorf("create %s: %w", o.name, err)
		}
		done(o.name, time.Since(t))
	}
	t := time.Now()
	if err := rebuildFTS(conn); err != nil {
		return fmt.Errorf("rebuild the full-text index: %w", err)
	}
	done("memories_fts", time.Since(t))
	t = time.Now()
	// The new cards as migration 005 first filled them: memories without a scheduling row
	// that has a next review.
	for _, sql := range []string{`DELETE FROM new_cards`,
		`INSERT INTO new_cards (memory_id, created_at)
		 SELECT m.id, m.created_at FROM memories m
		  WHERE NOT EXISTS (SELECT 1 FROM scheduling s WHERE s.memory_id = m.id AND s.next_review IS NOT NULL)
		  ORDER BY m.id`} {
		if err := exec(conn, sql); err != nil {
			return fmt.Errorf("rebuild new_cards: %w", err)
		}
	}
	done("new_cards", time.Since(t))
	for _, o := range objects {
		if o.kind == "index" {
			continue
		}
		if err := exec(conn, o.sql); err != nil {
			return fmt.Errorf("create %s: %w", o.name, err)
		}
	}
	// The rows loaded never went through the vector log: a new epoch makes every process's
	// vector index reload.
	if err := exec(conn, `UPDATE vector_log_state SET epoch = lower(hex(randomblob(8))) WHERE id = 1`); err != nil {
		return err
	}
	return exec(conn, `DROP TABLE `+deferredTable)
}

// rebuildFTS makes the full-text index hold exactly every memory's indexed text, from
// scratch, in one pass over memories: each row's text goes into the index as indexFTS
// would leave it (memories_fts_text records the rows whose ftsText differs from the stored
// text). One-row inserts share FTS5's pending terms (no statement savepoint flushes them),
// so the index is written in large segments as by 'rebuild', which cannot read the view.
func rebuildFTS(conn *sqlite.Conn) error {
	for _, sql := range []string{`INSERT INTO memories_fts (memories_fts) VALUES ('delete-all')`, `DELETE FROM memories_fts_text`} {
		if err := exec(conn, sql); err != nil {
			return err
		}
	}
	return query(conn, `SELECT rid, content, node_type,
			(SELECT group_concat(t.value, ' ' ORDER BY t.key) FROM json_each(m.tags) t) FROM memories m ORDER BY rid`, func(stmt *sqlite.Stmt) error {
		rid := stmt.ColumnInt64(0)
		content, nodeType, tags := stmt.ColumnText(1), stmt.ColumnText(2), stmt.ColumnText(3)
		var tagsArg any = tags
		if stmt.ColumnType(3) == sqlite.TypeNull {
			tagsArg = nil
		}
		if needsFTSText(content) || needsFTSText(nodeType) || needsFTSText(tags) {
			content, nodeType = ftsText(content), ftsText(nodeType)
			if tagsArg != nil {
				tagsArg = ftsText(tags)
			}
			if err := exec(conn, `INSERT INTO memories_fts_text (rid, content, node_type, tags) VALUES (?1, ?2, ?3, ?4)`,
				rid, content, nodeType, tagsArg); err != nil {
				return err
			}
		}
		return exec(conn, `INSERT INTO memories_fts (rowid, content, node_type, tags) VALUES (?1, ?2, ?3, ?4)`,
			rid, content, nodeType, tagsArg)
	})
}

// mapped runs fn with up to 64 MiB of the file memory-mapped on conn (SQLite reads the rest
// as usual), for a copy's build, which reads every row five times: no read(2) and no copy
// per page. The mapped pages count in the process's resident memory (+10 MB at 10,000
// memories), hence the bound, and the mapping ends with fn. (A dump, which reads each row
// once, saved too little to be worth that memory.)
func mapped(conn *sqlite.Conn, fn func() error) error {
	if err := exec(conn, "PRAGMA mmap_size = 67108864"); err != nil {
		return err
	}
	defer func() { _ = exec(conn, "PRAGMA mmap_size = 0") }()
	return fn()
}
