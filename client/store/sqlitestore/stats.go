package sqlitestore

import (
	"context"

	"zombiezen.com/go/sqlite"

	"github.com/vestige-mem/vestige/client/store"
)

// Stats is vestige_stats: what the store holds and the registered model.
func (s *Store) Stats(ctx context.Context) (store.Stats, error) {
	var st store.Stats
	err := s.read(ctx, func(conn *sqlite.Conn) error {
		_, err := queryOne(conn, `SELECT (SELECT count(*) FROM memories),
				(SELECT count(*) FROM memories WHERE embedding IS NOT NULL),
				(SELECT count(*) FROM edges), (SELECT count(*) FROM domains),
				(SELECT count(*) FROM review_events), em.name, em.dimension
			  FROM (SELECT 1) one LEFT JOIN embedding_model em ON em.id = 1`,
			func(stmt *sqlite.Stmt) error {
				st = store.Stats{
					Memories: stmt.ColumnInt64(0), WithEmbeddings: stmt.ColumnInt64(1),
					Edges: stmt.ColumnInt64(2), Domains: stmt.ColumnInt64(3), ReviewEvents: stmt.ColumnInt64(4),
					ModelName: stmt.ColumnText(5), ModelDimension: stmt.ColumnInt(6),
				}
				return nil
			})
		return err
	})
	return st, interpretError(ctx, err)
}

// Vacuum compacts the file: it merges the FTS5 index segments, trims the vector change log
// (an index that had replayed it all carries on; one that lagged behind reloads once),
// rebuilds the file and checkpoints the WAL.
func (s *Store) Vacuum(ctx context.Context) error {
	err := s.write(ctx, func(conn *sqlite.Conn) error {
		if err := exec(conn, `INSERT INTO memories_fts (memories_fts) VALUES ('optimize')`); err != nil {
			return err
		}
		if err := exec(conn, `UPDATE vector_log_state
				SET pruned_through = (SELECT coalesce(max(seq), pruned_through) FROM vector_log) WHERE id = 1`); err != nil {
			return err
		}
		return exec(conn, `DELETE FROM vector_log`)
	})
	if err != nil {
		return interpretError(ctx, err)
	}
	// VACUUM cannot run inside a transaction; it takes the write lock itself.
	err = s.writer(ctx, func(conn *sqlite.Conn) error {
		for _, stmt := range []string{"VACUUM", "PRAGMA wal_checkpoint(TRUNCATE)", "PRAGMA optimize"} {
			if err := exec(conn, stmt); err != nil {
				return err
			}
		}
		return nil
	})
	return interpretError(ctx, err)
}
