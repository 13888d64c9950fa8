package sqlitestore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"zombiezen.com/go/sqlite"

	"github.com/vestige-mem/vestige/client/store"
)

var _ store.Reembedder = (*Store)(nil)

// A re-embed keeps the new vectors in two tables of its own until the switch: the target
// and start time in vestige_reembed_state, one row per memory done in
// vestige_reembed_vectors (a NULL vector: the text has nothing to embed). They are the
// persisted progress (a killed re-embed resumes from them), searches never read them, and
// the switch moves the vectors into memories and drops both tables in one transaction.
const reembedTables = `
CREATE TABLE IF NOT EXISTS vestige_reembed_state (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    name       TEXT NOT NULL,
    dimension  INTEGER NOT NULL,
    hash       TEXT NOT NULL,
    started_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS vestige_reembed_vectors (
    memory_id TEXT PRIMARY KEY,
    embedding BLOB
) WITHOUT ROWID;`

func reembedState(conn *sqlite.Conn) (*store.ReembedProgress, error) {
	var exists bool
	if _, err := queryOne(conn, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'vestige_reembed_state'`,
		func(stmt *sqlite.Stmt) error { exists = stmt.ColumnInt(0) > 0; return nil }); err != nil || !exists {
		return nil, err
	}
	var p *store.ReembedProgress
	_, err := queryOne(conn, `SELECT name, dimension, hash, started_at,
			(SELECT count(*) FROM memories), (SELECT count(*) FROM vestige_reembed_vectors)
		FROM vestige_reembed_state WHERE id = 1`, func(stmt *sqlite.Stmt) error {
		p = &store.ReembedProgress{Target: store.ModelSignature{Name: stmt.ColumnText(0), Dimension: stmt.ColumnInt(1),
			Hash: stmt.ColumnText(2)}, StartedAt: colTime(stmt, 3), Total: stmt.ColumnInt(4), Done: stmt.ColumnInt(5)}
		return nil
	})
	return p, err
}

// ReembedState is the unfinished re-embed, or nil.
func (s *Store) ReembedState(ctx context.Context) (*store.ReembedProgress, error) {
	var p *store.ReembedProgress
	err := s.read(ctx, func(conn *sqlite.Conn) error {
		var err error
		p, err = reembedState(conn)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("sqlitestore reembed state: %w", interpretError(ctx, err))
	}
	return p, nil
}

// ReembedStart creates the re-embed's tables, or finds them holding the same target.
func (s *Store) ReembedStart(ctx context.Context, target store.ModelSignature) (store.ReembedProgress, error) {
	var p store.ReembedProgress
	err := s.write(ctx, func(conn *sqlite.Conn) error {
		cur, err := reembedState(conn)
		if err != nil {
			return err
		}
		if cur != nil {
			if cur.Target != target {
				return &store.ReembedInProgressError{Unfinished: cur.Target, Requested: target}
			}
			p = *cur
			p.Resumed = true
			return nil
		}
		if target.Dimension < 1 || target.Dimension > maxDimension {
			return &store.InvalidInputError{Field: "model dimension", Reason: fmt.Sprintf("%d is outside 1..%d", target.Dimension, maxDimension)}
		}
		if err := execScript(conn, reembedTables); err != nil {
			return err
		}
		if err := exec(conn, `INSERT INTO vestige_reembed_state (id, name, dimension, hash, started_at) VALUES (1, ?1, ?2, ?3, ?4)`,
			target.Name, target.Dimension, target.Hash, time.Now().UTC().Truncate(time.Microsecond)); err != nil {
			return err
		}
		cur, err = reembedState(conn)
		if err == nil && cur != nil {
			p = *cur
		}
		return err
	})
	if err != nil {
		var ip *store.ReembedInProgressError
		if !errors.As(err, &ip) {
			err = interpretError(ctx, err)
		}
		return p, fmt.Errorf("sqlitestore reembed start: %w", err)
	}
	return p, nil
}

func execScript(conn *sqlite.Conn, script string) error {
	for _, q := range splitStatements(script) {
		if err := exec(conn, q); err != nil {
			return err
		}
	}
	return nil
}

func splitStatements(script string) []string {
	var out []string
	start := 0
	for i := 0; i < len(script); i++ {
		if script[i] == ';' {
			out = append(out, script[start:i])
			start = i + 1
		}
	}
	return out
}

// ReembedPending lists memories without a new vector, by id.
func (s *Store) ReembedPending(ctx context.Context, after uuid.UUID, limit int) ([]store.TextRow, error) {
	var out []store.TextRow
	err := s.read(ctx, func(conn *sqlite.Conn) error {
		out = out[:0]
		return query(conn, `SELECT m.id, m.content FROM memories m WHERE m.id > ?1
				AND NOT EXISTS (SELECT 1 FROM vestige_reembed_vectors v WHERE v.memory_id = m.id)
			ORDER BY m.id LIMIT +?2`, func(stmt *sqlite.Stmt) error {
			id, err := colUUID(stmt, 0)
			if err != nil {
				return err
			}
			out = append(out, store.TextRow{ID: id, Content: stmt.ColumnText(1)})
			return nil
		}, after, limit)
	})
	if err != nil {
		return nil, fmt.Errorf("sqlitestore reembed pending: %w", interpretError(ctx, err))
	}
	return out, nil
}

// ReembedWrite records new vectors in one transaction.
func (s *Store) ReembedWrite(ctx context.Context, ids []uuid.UUID, vecs [][]float32) error {
	err := s.write(ctx, func(conn *sqlite.Conn) error { return writeNext(conn, ids, vecs) })
	if err != nil {
		return fmt.Errorf("sqlitestore reembed write: %w", interpretError(ctx, err))
	}
	return nil
}

func writeNext(conn *sqlite.Conn, ids []uuid.UUID, vecs [][]float32) error {
	for i, id := range ids {
		if err := exec(conn, `INSERT INTO vestige_reembed_vectors (memory_id, embedding) VALUES (?1, ?2)
			ON CONFLICT (memory_id) DO UPDATE SET embedding = excluded.embedding`, id, vecs[i]); err != nil {
			return err
		}
	}
	return nil
}

// ReembedIndex has nothing to build: SQLite searches vectors by an exact scan.
func (s *Store) ReembedIndex(context.Context) (bool, error) { return false, nil }

// ReembedSwitch embeds what is missing or changed since the start, then in the same write
// transaction rewrites the registry, moves every new vector into memories and drops the
// re-embed's tables. Readers see the old state until it commits (WAL).
func (s *Store) ReembedSwitch(ctx context.Context, embed store.EmbedFunc) (int, error) {
	n := 0
	var target store.ModelSignature
	err := s.write(ctx, func(conn *sqlite.Conn) error {
		n = 0
		p, err := reembedState(conn)
		if err != nil {
			return err
		}
		if p == nil {
			return errors.New("no re-embed is in progress")
		}
		var late []store.TextRow
		err = query(conn, `SELECT m.id, m.content FROM memories m
			WHERE m.updated_at > ?1 OR NOT EXISTS (SELECT 1 FROM vestige_reembed_vectors v WHERE v.memory_id = m.id)
			ORDER BY m.id`, func(stmt *sqlite.Stmt) error {
			id, err := colUUID(stmt, 0)
			late = append(late, store.TextRow{ID: id, Content: stmt.ColumnText(1)})
			return err
		}, p.StartedAt)
		if err != nil {
			return err
		}
		n, err = store.EmbedRows(ctx, late, embed, func(ids []uuid.UUID, vecs [][]float32) error {
			return writeNext(conn, ids, vecs)
		})
		if err != nil {
			return err
		}
		// The row triggers that check values on update see only the embedding change here,
		// and the vectors came from the target model: they are dropped for this statement and
		// created again from their own text, inside the transaction (no other connection
		// ever sees them gone). The vector log trigger stays: other processes' vector
		// indexes replay it.
		var triggers []string
		err = query(conn, `SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'memories'
				AND name IN ('trg_memories_values_update', 'trg_memories_check_embedding_update')`,
			func(stmt *sqlite.Stmt) error { triggers = append(triggers, stmt.ColumnText(0)); return nil })
		if err != nil {
			return err
		}
		for _, name := range []string{"trg_memories_values_update", "trg_memories_check_embedding_update"} {
			if err := exec(conn, `DROP TRIGGER IF EXISTS `+name); err != nil {
				return err
			}
		}
		t := p.Target
		target = t
		for _, q := range []struct {
			sql  string
			args []any
		}{
			{`INSERT INTO embedding_model (id, name, dimension, hash, created_at) VALUES (1, ?1, ?2, ?3, ?4)
				ON CONFLICT (id) DO UPDATE SET name = excluded.name, dimension = excluded.dimension,
					hash = excluded.hash, created_at = excluded.created_at`,
				[]any{t.Name, t.Dimension, t.Hash, time.Now().UTC().Truncate(time.Microsecond)}},
			{`UPDATE memories SET embedding = (SELECT v.embedding FROM vestige_reembed_vectors v WHERE v.memory_id = memories.id)`, nil},
			{`DROP TABLE vestige_reembed_vectors`, nil},
			{`DROP TABLE vestige_reembed_state`, nil},
		} {
			if err := exec(conn, q.sql, q.args...); err != nil {
				return err
			}
		}
		for _, sql := range triggers {
			if err := exec(conn, sql); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("sqlitestore reembed switch: %w", interpretError(ctx, err))
	}
	if s.writerModel.Load() != nil {
		s.writerModel.Store(&target)
	}
	return n, nil
}

// ReembedAbort drops the re-embed's tables: the store never read them.
func (s *Store) ReembedAbort(ctx context.Context) error {
	err := s.write(ctx, func(conn *sqlite.Conn) error {
		return errors.Join(exec(conn, `DROP TABLE IF EXISTS vestige_reembed_vectors`),
			exec(conn, `DROP TABLE IF EXISTS vestige_reembed_state`))
	})
	if err != nil {
		return fmt.Errorf("sqlitestore reembed abort: %w", interpretError(ctx, err))
	}
	return nil
}
