package pgstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/pgvector/pgvector-go"

	"github.com/vestige-mem/vestige/client/store"
)

var _ store.Reembedder = (*Store)(nil)

// A re-embed writes the new vectors into a shadow column of the new dimension, indexes it
// (CREATE INDEX CONCURRENTLY) and then, in one short transaction, drops the old column and
// renames the shadow one. The shadow column's comment records the target model and the
// start time: the column and its comment are the whole persisted state, so a re-embed
// killed anywhere resumes from the rows whose shadow value is still NULL.
const (
	shadowColumn = "embedding_next"
	shadowIndex  = "idx_memories_embedding_next_hnsw"
)

type reembedMark struct {
	store.ModelSignature
	StartedAt time.Time `json:"started_at"`
}

// ReembedState reads the shadow column's comment.
func (s *Store) ReembedState(ctx context.Context) (*store.ReembedProgress, error) {
	var p *store.ReembedProgress
	err := s.with(ctx, "reembed state", func(c *pgxpool.Conn) error {
		var err error
		p, err = reembedState(ctx, c.Conn())
		return err
	})
	return p, err
}

func reembedState(ctx context.Context, c *pgx.Conn) (*store.ReembedProgress, error) {
	var comment *string
	err := c.QueryRow(ctx, `SELECT col_description(a.attrelid, a.attnum) FROM pg_attribute a
		WHERE a.attrelid = 'memories'::regclass AND a.attname = $1 AND NOT a.attisdropped`, shadowColumn).Scan(&comment)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var mark reembedMark
	if comment == nil || json.Unmarshal([]byte(*comment), &mark) != nil || mark.Name == "" {
		return nil, fmt.Errorf("memories.%s exists but does not say which model it holds (its comment is gone): run vestige migrate reembed --abort", shadowColumn)
	}
	p := &store.ReembedProgress{Target: mark.ModelSignature, StartedAt: mark.StartedAt.UTC()}
	err = c.QueryRow(ctx, `SELECT count(*), count(embedding_next) FROM memories`).Scan(&p.Total, &p.Done)
	return p, err
}

// ReembedStart adds the shadow column (or finds it) and drops the current model's HNSW
// index: every row is rewritten by the re-embed, and a live index would take the rows at a
// few hundred a second. Searches keep working on the current vectors by an exact scan.
func (s *Store) ReembedStart(ctx context.Context, target store.ModelSignature) (store.ReembedProgress, error) {
	var p store.ReembedProgress
	err := s.with(ctx, "reembed start", func(c *pgxpool.Conn) error {
		cur, err := reembedState(ctx, c.Conn())
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
		mark, err := json.Marshal(reembedMark{ModelSignature: target, StartedAt: time.Now().UTC().Truncate(time.Microsecond)})
		if err != nil {
			return err
		}
		return pgx.BeginFunc(ctx, c, func(tx pgx.Tx) error {
			// MAIN, not PLAIN: until the switch a row holds both vectors, which together
			// may not fit a page uncompressed and inline.
			for _, q := range []string{
				fmt.Sprintf(`ALTER TABLE memories ADD COLUMN %s vector(%d)`, shadowColumn, target.Dimension),
				fmt.Sprintf(`ALTER TABLE memories ALTER COLUMN %s SET STORAGE MAIN`, shadowColumn),
				fmt.Sprintf(`COMMENT ON COLUMN memories.%s IS %s`, shadowColumn, quoteLiteral(string(mark))),
				`DROP INDEX IF EXISTS ` + pgx.Identifier{vectorIndex}.Sanitize(),
			} {
				if _, err := tx.Exec(ctx, q); err != nil {
					return err
				}
			}
			return nil
		})
	})
	if err != nil {
		return p, err
	}
	if !p.Resumed {
		cur, err := s.ReembedState(ctx)
		if err != nil {
			return p, err
		}
		if cur != nil {
			p = *cur
		}
	}
	return p, nil
}

func quoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// ReembedPending lists memories without a shadow vector, by id.
func (s *Store) ReembedPending(ctx context.Context, after uuid.UUID, limit int) ([]store.TextRow, error) {
	var out []store.TextRow
	err := s.with(ctx, "reembed pending", func(c *pgxpool.Conn) error {
		out = out[:0]
		rows, err := c.Query(ctx, `SELECT id, content FROM memories WHERE embedding_next IS NULL AND id > $1::uuid
			ORDER BY id LIMIT $2::integer`, after, limit)
		if err != nil {
			return err
		}
		for rows.Next() {
			var r store.TextRow
			if err := rows.Scan(&r.ID, &r.Content); err != nil {
				rows.Close()
				return err
			}
			out = append(out, r)
		}
		return rows.Err()
	})
	return out, err
}

// ReembedWrite fills the shadow column for ids in one transaction. The table's own
// triggers are off for that transaction only (DDL is transactional: no other session ever
// sees them off): they keep updated_at, derived search data and value rules, none of which
// depends on the shadow column, and updated_at must not move. Writers wait for the batch;
// readers do not.
func (s *Store) ReembedWrite(ctx context.Context, ids []uuid.UUID, vecs [][]float32) error {
	return s.with(ctx, "reembed write", func(c *pgxpool.Conn) error {
		return pgx.BeginFunc(ctx, c, func(tx pgx.Tx) error { return writeShadow(ctx, tx, ids, vecs) })
	})
}

func writeShadow(ctx context.Context, tx pgx.Tx, ids []uuid.UUID, vecs [][]float32) error {
	keep := make([]uuid.UUID, 0, len(ids))
	vs := make([]pgvector.Vector, 0, len(ids))
	for i, v := range vecs {
		if v != nil {
			keep = append(keep, ids[i])
			vs = append(vs, pgvector.NewVector(v))
		}
	}
	if len(keep) == 0 {
		return nil
	}
	if _, err := tx.Exec(ctx, `ALTER TABLE memories DISABLE TRIGGER USER`); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `UPDATE memories m SET embedding_next = v.e
		FROM unnest($1::uuid[], $2::vector[]) AS v(id, e) WHERE m.id = v.id`, keep, vs); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `ALTER TABLE memories ENABLE TRIGGER USER`)
	return err
}

// ReembedIndex builds the shadow column's HNSW index without blocking writers.
func (s *Store) ReembedIndex(ctx context.Context) (bool, error) {
	p, err := s.ReembedState(ctx)
	if err != nil {
		return false, err
	}
	if p == nil {
		return false, errors.New("pgstore reembed index: no re-embed is in progress")
	}
	if p.Target.Dimension > maxHNSWDims {
		return false, nil
	}
	built := false
	err = s.with(ctx, "reembed index", func(c *pgxpool.Conn) error {
		built, err = buildIndex(ctx, c.Conn(), shadowIndex, shadowColumn, true)
		return err
	})
	return built, err
}

// ReembedSwitch locks memories (searches wait for the switch, they do not fail), embeds the
// rows that got no shadow vector yet or changed since the re-embed began, then drops the
// old column, renames the shadow column and its index and rewrites the registry: one
// transaction, so a kill leaves either the old state or the new one.
func (s *Store) ReembedSwitch(ctx context.Context, embed store.EmbedFunc) (int, error) {
	n := 0
	var target store.ModelSignature
	err := s.with(ctx, "reembed switch", func(c *pgxpool.Conn) error {
		n = 0
		return pgx.BeginFunc(ctx, c, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `LOCK TABLE memories IN ACCESS EXCLUSIVE MODE`); err != nil {
				return err
			}
			p, err := reembedState(ctx, tx.Conn())
			if err != nil {
				return err
			}
			if p == nil {
				return errors.New("no re-embed is in progress")
			}
			target = p.Target
			rows, err := tx.Query(ctx, `SELECT id, content FROM memories
				WHERE embedding_next IS NULL OR updated_at > $1::timestamptz ORDER BY id`, p.StartedAt)
			if err != nil {
				return err
			}
			late, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.TextRow, error) {
				var t store.TextRow
				return t, r.Scan(&t.ID, &t.Content)
			})
			if err != nil {
				return err
			}
			n, err = store.EmbedRows(ctx, late, embed, func(ids []uuid.UUID, vecs [][]float32) error {
				return writeShadow(ctx, tx, ids, vecs)
			})
			if err != nil {
				return err
			}
			storage := "PLAIN"
			if target.Dimension > 1536 {
				storage = "MAIN"
			}
			for _, q := range []string{
				`ALTER TABLE memories DROP COLUMN embedding`,
				`ALTER TABLE memories RENAME COLUMN embedding_next TO embedding`,
				`COMMENT ON COLUMN memories.embedding IS NULL`,
				`ALTER TABLE memories ALTER COLUMN embedding SET STORAGE ` + storage,
				fmt.Sprintf(`ALTER INDEX IF EXISTS %s RENAME TO %s`, pgx.Identifier{shadowIndex}.Sanitize(), pgx.Identifier{vectorIndex}.Sanitize()),
			} {
				if _, err := tx.Exec(ctx, q); err != nil {
					return err
				}
			}
			_, err = tx.Exec(ctx, `INSERT INTO embedding_model AS r (id, name, dimension, hash, created_at)
				VALUES (1, $1::text, $2::integer, $3::text, now())
				ON CONFLICT (id) DO UPDATE SET name = excluded.name, dimension = excluded.dimension,
					hash = excluded.hash, created_at = excluded.created_at`, target.Name, target.Dimension, target.Hash)
			return err
		})
	})
	if err != nil {
		return 0, err
	}
	s.model.Store(&target)
	// Connections that prepared statements on the old column replan; start afresh anyway.
	s.pool.Reset()
	return n, nil
}

// ReembedAbort drops the shadow column (and its index) and rebuilds the current model's
// index if the re-embed dropped it.
func (s *Store) ReembedAbort(ctx context.Context) error {
	err := s.with(ctx, "reembed abort", func(c *pgxpool.Conn) error {
		_, err := c.Exec(ctx, `ALTER TABLE memories DROP COLUMN IF EXISTS `+shadowColumn)
		return err
	})
	if err != nil {
		return err
	}
	_, err = s.BuildVectorIndex(ctx, true)
	return err
}
