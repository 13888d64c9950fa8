package pgstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/vestige-mem/vestige/client/store"
)

// EnsureModel is vestige_ensure_embedding_model: it registers sig on first use and refuses
// another model afterwards (*store.EmbeddingMismatchError naming both).
func (s *Store) EnsureModel(ctx context.Context, sig store.ModelSignature) error {
	err := s.with(ctx, "ensure model", func(c *pgxpool.Conn) error {
		var created bool
		return c.QueryRow(ctx, `SELECT vestige_ensure_embedding_model(model_name => $1::text,
				model_dimension => $2::integer, model_hash => $3::text)`,
			sig.Name, sig.Dimension, sig.Hash).Scan(&created)
	})
	if err != nil {
		return err
	}
	s.model.Store(&sig)
	return nil
}

// Model returns the registered model, or nil when none is.
func (s *Store) Model(ctx context.Context) (*store.ModelSignature, error) {
	var m *store.ModelSignature
	err := s.with(ctx, "model", func(c *pgxpool.Conn) error {
		var err error
		m, err = loadModel(ctx, c)
		return err
	})
	if err != nil {
		return nil, err
	}
	if m != nil {
		s.model.Store(m)
	}
	return m, nil
}

func loadModel(ctx context.Context, c interface {
	QueryRow(context.Context, string, ...any) pgx.Row
}) (*store.ModelSignature, error) {
	var m store.ModelSignature
	err := c.QueryRow(ctx, `SELECT name, dimension, hash FROM embedding_model WHERE id = 1`).
		Scan(&m.Name, &m.Dimension, &m.Hash)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &m, nil
}

// Stats is vestige_stats.
func (s *Store) Stats(ctx context.Context) (store.Stats, error) {
	var st store.Stats
	err := s.read(ctx, "stats", func(c *pgxpool.Conn) error {
		var name *string
		var dim *int
		err := c.QueryRow(ctx, `SELECT r.memories, r.with_embeddings, r.edges, r.domains, r.review_events,
				r.model_name, r.model_dimension FROM vestige_stats() r`).
			Scan(&st.Memories, &st.WithEmbeddings, &st.Edges, &st.Domains, &st.ReviewEvents, &name, &dim)
		if name != nil {
			st.ModelName = *name
		}
		if dim != nil {
			st.ModelDimension = *dim
		}
		return err
	})
	return st, err
}

// vacuumTables are the tables of the store (not tern's, not the functions' hash).
const vacuumTables = `memories, scheduling, edges, domains, embedding_model, review_events, fsrs_parameters, new_cards, ` +
	`memory_terms, term_stats, memory_count_shards`

// Vacuum reclaims dead rows and refreshes the planner's statistics of the store's tables.
// VACUUM cannot run inside a transaction block, so it goes by the simple protocol alone.
func (s *Store) Vacuum(ctx context.Context) error {
	return s.with(ctx, "vacuum", func(c *pgxpool.Conn) error {
		if err := checkVacuumRights(ctx, c); err != nil {
			return err
		}
		// A word no memory holds any more keeps a zero in its shard's row of term_stats
		// (the triggers only add); dropping those keeps the table as large as the
		// vocabulary in use. A writer adding to a row being deleted waits, then inserts it.
		if _, err := c.Exec(ctx, `DELETE FROM term_stats WHERE df = 0`); err != nil {
			return fmt.Errorf("vacuum term_stats: %w", err)
		}
		if _, err := c.Exec(ctx, `VACUUM (ANALYZE) `+vacuumTables, pgx.QueryExecModeSimpleProtocol); err != nil {
			return fmt.Errorf("VACUUM ANALYZE: %w", err)
		}
		return vacuumUntilVisible(ctx, c)
	})
}

// vacuumUntilVisible vacuums the postings again, a few times over about three seconds,
// until the visibility map covers at least 90 % of their pages. VACUUM marks a page
// all-visible only when its rows are older than every snapshot still open in the database;
// one open meanwhile (an autovacuum ANALYZE of a freshly loaded store, which the VACUUM
// then cancels, was one) leaves the pages just written unmarked. The full-text ranking's
// index-only scans then visit the heap for every posting, and searches ran 2-3 × slower
// (SciFact p50 2.8 against 7.5 ms) until autovacuum came back, which may take another 20 %
// of the table in new rows. A snapshot that stays open longer is left to autovacuum, and so
// is a store whose postings take more than two seconds to vacuum again (each pass reads
// every page not yet marked; a long transaction elsewhere would make them all in vain).
func vacuumUntilVisible(ctx context.Context, c *pgxpool.Conn) error {
	for attempt := 1; ; attempt++ {
		var covered bool
		if err := c.QueryRow(ctx, `SELECT coalesce(bool_and(relallvisible >= 0.9 * relpages), true)
			FROM pg_class WHERE oid IN ('memory_terms'::regclass, 'term_stats'::regclass) AND relpages > 0`).Scan(&covered); err != nil {
			return fmt.Errorf("vacuum: read the visibility map's coverage: %w", err)
		}
		if covered || attempt > 5 {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(attempt) * 200 * time.Millisecond):
		}
		start := time.Now()
		if _, err := c.Exec(ctx, `VACUUM memory_terms, term_stats`, pgx.QueryExecModeSimpleProtocol); err != nil {
			return fmt.Errorf("VACUUM: %w", err)
		}
		if time.Since(start) > 2*time.Second {
			return nil
		}
	}
}
