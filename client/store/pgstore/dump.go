package pgstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/vestige-mem/vestige/client/store"
)

var _ store.Dumper = (*Store)(nil)

// Text keys are ordered with COLLATE "C" (bytewise, as SQLite orders them), so that a dump
// does not depend on the database's locale and equals the other backend's dump of the same
// rows. UUIDs order the same as their lowercase text.
var dumpQueries = []struct {
	kind, sql string
}{
	{store.RecordEmbeddingModel, `SELECT name, dimension, hash, created_at FROM embedding_model WHERE id = 1`},
	{store.RecordFSRSParameters, `SELECT weights, desired_retention, learning_steps_secs, relearning_steps_secs,
		maximum_interval_days, updated_at FROM fsrs_parameters WHERE id = 1`},
	{store.RecordDomain, `SELECT ` + domainColumns + ` FROM domains d ORDER BY d.id COLLATE "C"`},
	{store.RecordMemory, `SELECT ` + memoryColumns + `, m.embedding::vector FROM memories m ORDER BY m.created_at, m.id`},
	{store.RecordScheduling, `SELECT s.memory_id, s.stability, s.difficulty, s.retrievability, s.last_review,
		s.next_review, s.reps, s.lapses, s.state, s.step FROM scheduling s ORDER BY s.memory_id`},
	{store.RecordEdge, `SELECT e.source_id, e.target_id, e.edge_type, e.weight, e.created_at FROM edges e
		ORDER BY e.source_id, e.target_id, e.edge_type COLLATE "C"`},
	{store.RecordReviewEvent, `SELECT r.id, r.memory_id, r.reviewed_at, r.rating, r.prior_state, r.new_state
		FROM review_events r ORDER BY r.reviewed_at, r.id`},
}

// Dump streams every row in dump order from one REPEATABLE READ snapshot, so that a dump
// taken while writers run is still consistent (no edge without its memories).
func (s *Store) Dump(ctx context.Context, fn func(store.Record) error) error {
	// Read only, so a standby serves it; not retried, since fn has seen rows by then.
	c, err := s.acquireFrom(ctx, s.readPool())
	if err != nil {
		return fmt.Errorf("pgstore dump: %w", err)
	}
	defer c.Release()
	err = pgx.BeginTxFunc(ctx, c, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly},
		func(tx pgx.Tx) error {
			for _, q := range dumpQueries {
				if err := dumpTable(ctx, tx, q.kind, q.sql, fn); err != nil {
					return err
				}
			}
			return nil
		})
	if err != nil {
		return fmt.Errorf("pgstore dump: %w", interpretError(err))
	}
	return nil
}

func dumpTable(ctx context.Context, tx pgx.Tx, kind, sql string, fn func(store.Record) error) error {
	rows, err := tx.Query(ctx, sql)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		rec, err := scanRecord(kind, rows)
		if err != nil {
			return err
		}
		if err := fn(rec); err != nil {
			return err
		}
	}
	return rows.Err()
}

func scanRecord(kind string, rows pgx.Rows) (store.Record, error) {
	rec := store.Record{Type: kind}
	switch kind {
	case store.RecordEmbeddingModel:
		var m store.RegisteredModel
		err := rows.Scan(&m.Name, &m.Dimension, &m.Hash, &m.CreatedAt)
		m.CreatedAt = m.CreatedAt.UTC()
		rec.Model = &m
		return rec, err
	case store.RecordFSRSParameters:
		var p store.FSRSParameters
		err := rows.Scan(&p.Weights, &p.DesiredRetention, &p.LearningStepsSecs, &p.RelearningStepsSecs,
			&p.MaximumIntervalDays, &p.UpdatedAt)
		p.UpdatedAt = p.UpdatedAt.UTC()
		rec.FSRSParameters = &p
		return rec, err
	case store.RecordDomain:
		d, err := scanDomain(rows)
		rec.Domain = &d
		return rec, err
	case store.RecordMemory:
		var d memoryDest
		err := rows.Scan(append(d.targets(), &d.emb)...)
		m := d.memory()
		rec.Memory = &m
		return rec, err
	case store.RecordScheduling:
		var st store.SchedulingState
		err := rows.Scan(&st.MemoryID, &st.Stability, &st.Difficulty, &st.Retrievability, &st.LastReview,
			&st.NextReview, &st.Reps, &st.Lapses, &st.State, &st.Step)
		st.LastReview, st.NextReview = utcPtr(st.LastReview), utcPtr(st.NextReview)
		rec.Scheduling = &st
		return rec, err
	case store.RecordEdge:
		var e store.Edge
		err := rows.Scan(&e.SourceID, &e.TargetID, &e.EdgeType, &e.Weight, &e.CreatedAt)
		e.CreatedAt = e.CreatedAt.UTC()
		rec.Edge = &e
		return rec, err
	case store.RecordReviewEvent:
		var ev store.ReviewEvent
		err := rows.Scan(&ev.ID, &ev.MemoryID, &ev.ReviewedAt, &ev.Rating, &ev.PriorState, &ev.NewState)
		ev.ReviewedAt = ev.ReviewedAt.UTC()
		rec.ReviewEvent = &ev
		return rec, err
	}
	return rec, fmt.Errorf("unknown record type %q", kind)
}

// Load writes recs in one transaction. The registry and the parameters are settled first,
// one statement each (a mismatch must stop the call before any row is written); every other
// row is one INSERT ... ON CONFLICT DO NOTHING, all sent in one batch (one round trip).
func (s *Store) Load(ctx context.Context, recs []store.Record) (int, error) {
	norm, err := store.NormalizeRecords(recs)
	if err != nil {
		return 0, fmt.Errorf("pgstore load: %w", err)
	}

	c, err := s.acquire(ctx)
	if err != nil {
		return 0, fmt.Errorf("pgstore load: %w", err)
	}
	defer c.Release()
	inserted := 0
	var registered *store.ModelSignature
	// One transaction: a conflict the server rolled back (40001, 40P01) replays it whole.
	err = retry(ctx, func() error {
		inserted, registered = 0, nil
		return pgx.BeginFunc(ctx, c, func(tx pgx.Tx) error { return s.loadTx(ctx, tx, norm, &inserted, &registered) })
	})
	if err != nil {
		var re *rowError
		if !errors.As(err, &re) {
			err = interpretError(err)
		}
		return 0, fmt.Errorf("pgstore load: %w", err)
	}
	if registered != nil {
		s.model.Store(registered)
	}
	return inserted, nil
}

// loadTx is Load's transaction: it counts the rows it wrote in inserted and sets registered
// when it registered the model.
func (s *Store) loadTx(ctx context.Context, tx pgx.Tx, norm []store.Record, inserted *int, registered **store.ModelSignature) error {
	batch := &pgx.Batch{}
	var keys []string
	for _, r := range norm {
		switch r.Type {
		case store.RecordEmbeddingModel:
			created, err := registerModel(ctx, tx, *r.Model)
			if err != nil {
				return err
			}
			if created {
				sig := r.Model.Signature()
				*registered = &sig
				*inserted++
			}
		case store.RecordFSRSParameters:
			n, err := loadFSRS(ctx, tx, *r.FSRSParameters)
			if err != nil {
				return err
			}
			*inserted += n
		default:
			if err := queueInsert(batch, r); err != nil {
				return fmt.Errorf("%s: %w", r.Key(), err)
			}
			keys = append(keys, r.Key())
		}
	}
	if batch.Len() == 0 {
		return nil
	}
	br := tx.SendBatch(ctx, batch)
	defer br.Close()
	for _, key := range keys {
		tag, err := br.Exec()
		if err != nil {
			return &rowError{key: key, err: missingRef(interpretError(err))}
		}
		*inserted += int(tag.RowsAffected())
	}
	return br.Close()
}

// missingRef says what a foreign key violation means to someone importing a dump (the
// words are the same on both backends).
func missingRef(err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("refers to a memory that is neither in the store nor in the import: %w", store.ErrNotFound)
	}
	return err
}

// rowError names the row whose INSERT failed, keeping the store error it maps to.
type rowError struct {
	key string
	err error
}

func (e *rowError) Error() string { return e.key + ": " + e.err.Error() }
func (e *rowError) Unwrap() error { return e.err }

// registerModel registers m through the SQL API (which stamps the column type and builds the
// index) and then gives the row the dump's created_at; it reports whether m was new. Another
// registered model is the API's VS003, *store.EmbeddingMismatchError.
func registerModel(ctx context.Context, tx pgx.Tx, m store.RegisteredModel) (bool, error) {
	var created bool
	err := tx.QueryRow(ctx, `SELECT vestige_ensure_embedding_model(model_name => $1::text,
			model_dimension => $2::integer, model_hash => $3::text)`, m.Name, m.Dimension, m.Hash).Scan(&created)
	if err != nil || !created {
		return false, err
	}
	_, err = tx.Exec(ctx, `UPDATE embedding_model SET created_at = $1::timestamptz WHERE id = 1`, m.CreatedAt)
	return true, err
}

// loadFSRS applies the parameter rule of store.Dumper.Load and returns 1 when it wrote.
func loadFSRS(ctx context.Context, tx pgx.Tx, p store.FSRSParameters) (int, error) {
	var cur store.FSRSParameters
	err := tx.QueryRow(ctx, `SELECT weights, desired_retention, learning_steps_secs, relearning_steps_secs,
			maximum_interval_days, updated_at FROM fsrs_parameters WHERE id = 1 FOR UPDATE`).
		Scan(&cur.Weights, &cur.DesiredRetention, &cur.LearningStepsSecs, &cur.RelearningStepsSecs,
			&cur.MaximumIntervalDays, &cur.UpdatedAt)
	found := err == nil
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return 0, err
	}
	if found {
		switch {
		case cur.SameValues(p) && (!cur.IsDefault() || cur.UpdatedAt.Equal(p.UpdatedAt)):
			return 0, nil
		case !cur.IsDefault():
			return 0, fmt.Errorf("%w: fsrs_parameters: this store's FSRS parameters were tuned and differ from the imported ones", store.ErrConflict)
		}
	}
	_, err = tx.Exec(ctx, `INSERT INTO fsrs_parameters AS f (id, weights, desired_retention, learning_steps_secs,
			relearning_steps_secs, maximum_interval_days, updated_at)
		VALUES (1, $1::float8[], $2::float8, $3::integer[], $4::integer[], $5::integer, $6::timestamptz)
		ON CONFLICT (id) DO UPDATE SET weights = excluded.weights, desired_retention = excluded.desired_retention,
			learning_steps_secs = excluded.learning_steps_secs, relearning_steps_secs = excluded.relearning_steps_secs,
			maximum_interval_days = excluded.maximum_interval_days, updated_at = excluded.updated_at`,
		p.Weights, p.DesiredRetention, p.LearningStepsSecs, p.RelearningStepsSecs, p.MaximumIntervalDays, p.UpdatedAt)
	return 1, err
}

func queueInsert(b *pgx.Batch, r store.Record) error {
	switch r.Type {
	case store.RecordDomain:
		d := r.Domain
		meta, err := jsonArg(d.Metadata)
		if err != nil {
			return err
		}
		b.Queue(`INSERT INTO domains (id, label, centroid, top_terms, memory_count, created_at, metadata)
			VALUES ($1::text, $2::text, $3::vector, $4::text[], $5::integer, $6::timestamptz, $7::jsonb)
			ON CONFLICT (id) DO NOTHING`,
			d.ID, d.Label, vectorArg(d.Centroid), d.TopTerms, d.MemoryCount, d.CreatedAt, meta)
	case store.RecordMemory:
		m := r.Memory
		scores, err := jsonArg(m.DomainScores)
		if err != nil {
			return err
		}
		meta, err := jsonArg(m.Metadata)
		if err != nil {
			return err
		}
		b.Queue(`INSERT INTO memories
			(id, content, node_type, tags, domains, domain_scores, embedding, metadata, created_at, updated_at)
			VALUES ($1::uuid, $2::text, $3::text, $4::text[], $5::text[], $6::jsonb, $7::vector, $8::jsonb,
			        $9::timestamptz, $10::timestamptz)
			ON CONFLICT (id) DO NOTHING`,
			m.ID, m.Content, m.NodeType, m.Tags, m.Domains, scores, vectorArg(m.Embedding), meta, m.CreatedAt, m.UpdatedAt)
	case store.RecordScheduling:
		st := r.Scheduling
		b.Queue(`INSERT INTO scheduling
				(memory_id, stability, difficulty, retrievability, last_review, next_review, reps, lapses, state, step)
			VALUES ($1::uuid, $2::float8, $3::float8, $4::float8, $5::timestamptz, $6::timestamptz,
			        $7::integer, $8::integer, $9::smallint, $10::integer)
			ON CONFLICT (memory_id) DO NOTHING`,
			st.MemoryID, st.Stability, st.Difficulty, st.Retrievability, st.LastReview, st.NextReview,
			st.Reps, st.Lapses, st.State, st.Step)
	case store.RecordEdge:
		e := r.Edge
		b.Queue(`INSERT INTO edges (source_id, target_id, edge_type, weight, created_at)
			VALUES ($1::uuid, $2::uuid, $3::text, $4::float8, $5::timestamptz)
			ON CONFLICT (source_id, target_id, edge_type) DO NOTHING`,
			e.SourceID, e.TargetID, e.EdgeType, e.Weight, e.CreatedAt)
	case store.RecordReviewEvent:
		ev := r.ReviewEvent
		prior, err := jsonArg(ev.PriorState)
		if err != nil {
			return err
		}
		next, err := jsonArg(ev.NewState)
		if err != nil {
			return err
		}
		b.Queue(`INSERT INTO review_events (id, memory_id, reviewed_at, rating, prior_state, new_state)
			VALUES ($1::uuid, $2::uuid, $3::timestamptz, $4::smallint, $5::jsonb, $6::jsonb)
			ON CONFLICT (id) DO NOTHING`,
			ev.ID, ev.MemoryID, ev.ReviewedAt, ev.Rating, prior, next)
	default:
		return fmt.Errorf("unknown record type %q", r.Type)
	}
	return nil
}
