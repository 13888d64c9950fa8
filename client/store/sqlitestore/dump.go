package sqlitestore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"zombiezen.com/go/sqlite"

	"github.com/vestige-mem/vestige/client/store"
)

var _ store.Dumper = (*Store)(nil)

// The dump order of store.Dumper. SQLite compares text bytewise (BINARY), as the Postgres
// dump does with COLLATE "C", and lowercase UUID text orders as the UUIDs do.
var dumpQueries = []struct {
	kind, sql string
}{
	{store.RecordEmbeddingModel, `SELECT name, dimension, hash, created_at FROM embedding_model WHERE id = 1`},
	{store.RecordFSRSParameters, `SELECT weights, desired_retention, learning_steps_secs, relearning_steps_secs,
		maximum_interval_days, updated_at FROM fsrs_parameters WHERE id = 1`},
	{store.RecordDomain, `SELECT ` + domainColumns + ` FROM domains ORDER BY id`},
	{store.RecordMemory, `SELECT ` + memoryColumns + `, m.embedding FROM memories m ORDER BY m.created_at, m.id`},
	{store.RecordScheduling, `SELECT ` + schedulingColumns + ` FROM scheduling s ORDER BY s.memory_id`},
	{store.RecordEdge, `SELECT source_id, target_id, edge_type, weight, created_at FROM edges
		ORDER BY source_id, target_id, edge_type`},
	{store.RecordReviewEvent, `SELECT id, memory_id, reviewed_at, rating, prior_state, new_state
		FROM review_events ORDER BY reviewed_at, id`},
}

// Dump streams every row in dump order from one read transaction (one snapshot).
func (s *Store) Dump(ctx context.Context, fn func(store.Record) error) error {
	return s.DumpTolerant(ctx, fn, nil)
}

// DumpTolerant is Dump, except that a row that cannot be read (a mangled id, a JSON column
// that does not parse) goes to bad with its table and the text of its key, and the dump
// goes on; with bad nil it stops the dump, as in Dump. A copy uses it to report such rows
// instead of giving up on the rest.
func (s *Store) DumpTolerant(ctx context.Context, fn func(store.Record) error, bad func(table, key string, err error) error) error {
	var fnErr error
	err := s.read(ctx, func(conn *sqlite.Conn) error {
		for _, q := range dumpQueries {
			err := query(conn, q.sql, func(stmt *sqlite.Stmt) error {
				rec, err := scanDumpRecord(q.kind, stmt)
				if err != nil && bad != nil {
					if err := bad(store.RecordTable(q.kind), dumpKey(q.kind, stmt), err); err != nil {
						fnErr = err
						return err
					}
					return nil
				}
				if err != nil {
					return err
				}
				if err := fn(rec); err != nil {
					fnErr = err
					return err
				}
				return nil
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if fnErr != nil {
		return fnErr // the caller's own error, as it made it
	}
	if err != nil {
		return fmt.Errorf("sqlitestore dump: %w", interpretError(ctx, err))
	}
	return nil
}

func scanDumpRecord(kind string, stmt *sqlite.Stmt) (store.Record, error) {
	rec := store.Record{Type: kind}
	var err error
	switch kind {
	case store.RecordEmbeddingModel:
		rec.Model = &store.RegisteredModel{Name: stmt.ColumnText(0), Dimension: stmt.ColumnInt(1),
			Hash: stmt.ColumnText(2), CreatedAt: colTime(stmt, 3)}
	case store.RecordFSRSParameters:
		p := store.FSRSParameters{DesiredRetention: stmt.ColumnFloat(1), MaximumIntervalDays: stmt.ColumnInt(4),
			UpdatedAt: colTime(stmt, 5)}
		err = errors.Join(dumpJSONColumn(stmt, 0, &p.Weights), dumpJSONColumn(stmt, 2, &p.LearningStepsSecs),
			dumpJSONColumn(stmt, 3, &p.RelearningStepsSecs))
		rec.FSRSParameters = &p
	case store.RecordDomain:
		var d store.Domain
		d, err = scanDomain(stmt)
		rec.Domain = &d
	case store.RecordMemory:
		var m store.Memory
		if m, err = scanMemory(stmt, 0); err == nil {
			m.Embedding, err = colVector(stmt, 9)
		}
		rec.Memory = &m
	case store.RecordScheduling:
		var st store.SchedulingState
		st, err = scanScheduling(stmt, 0)
		rec.Scheduling = &st
	case store.RecordEdge:
		var e store.Edge
		e, err = scanEdge(stmt)
		rec.Edge = &e
	case store.RecordReviewEvent:
		ev := store.ReviewEvent{ReviewedAt: colTime(stmt, 2), Rating: stmt.ColumnInt(3)}
		if ev.ID, err = colUUID(stmt, 0); err == nil {
			ev.MemoryID, err = colUUID(stmt, 1)
		}
		if err == nil {
			ev.PriorState, err = colObject(stmt, 4)
		}
		if err == nil {
			ev.NewState, err = colObject(stmt, 5)
		}
		rec.ReviewEvent = &ev
	default:
		err = fmt.Errorf("unknown record type %q", kind)
	}
	return rec, err
}

// dumpKey is a row's key as stored (it may be the mangled part): an edge's is its three
// columns, every other row's its first.
func dumpKey(kind string, stmt *sqlite.Stmt) string {
	if kind == store.RecordEdge {
		return stmt.ColumnText(0) + " -> " + stmt.ColumnText(1) + " (" + stmt.ColumnText(2) + ")"
	}
	return stmt.ColumnText(0)
}

func dumpJSONColumn(stmt *sqlite.Stmt, col int, dst any) error {
	if err := json.Unmarshal([]byte(stmt.ColumnText(col)), dst); err != nil {
		return fmt.Errorf("sqlitestore: stored %s: %w", stmt.ColumnName(col), err)
	}
	return nil
}

// Load writes recs in one write transaction, each row by INSERT ... ON CONFLICT DO NOTHING
// (the registry and the parameters by the rules of store.Dumper.Load).
func (s *Store) Load(ctx context.Context, recs []store.Record) (int, error) {
	norm, err := store.NormalizeRecords(recs)
	if err != nil {
		return 0, fmt.Errorf("sqlitestore load: %w", err)
	}
	inserted := 0
	err = s.write(ctx, func(conn *sqlite.Conn) error {
		inserted = 0
		deferred, err := deferredPending(conn)
		if err != nil {
			return err
		}
		for _, r := range norm {
			n, err := loadRecord(conn, r, !deferred)
			if err != nil {
				err = interpretError(ctx, err)
				if errors.Is(err, store.ErrNotFound) {
					// A foreign key: say what it means to someone importing a dump.
					err = fmt.Errorf("refers to a memory that is neither in the store nor in the import: %w", store.ErrNotFound)
				}
				return &loadRowError{key: r.Key(), err: err}
			}
			inserted += n
		}
		return nil
	})
	if err != nil {
		var re *loadRowError
		if !errors.As(err, &re) {
			err = interpretError(ctx, err)
		}
		return 0, fmt.Errorf("sqlitestore load: %w", err)
	}
	return inserted, nil
}

// loadRowError names the row that failed, keeping the store error it maps to.
type loadRowError struct {
	key string
	err error
}

func (e *loadRowError) Error() string { return e.key + ": " + e.err.Error() }
func (e *loadRowError) Unwrap() error { return e.err }

// loadRecord writes one row unless present and returns how many rows it wrote; indexText
// says whether the full-text index is live (not during a deferred bulk load, whose build
// indexes every row).
func loadRecord(conn *sqlite.Conn, r store.Record, indexText bool) (int, error) {
	var err error
	switch r.Type {
	case store.RecordEmbeddingModel:
		return loadModelRow(conn, *r.Model)
	case store.RecordFSRSParameters:
		return loadFSRSRow(conn, *r.FSRSParameters)
	case store.RecordDomain:
		d := r.Domain
		err = exec(conn, `INSERT INTO domains (id, label, centroid, top_terms, memory_count, created_at, metadata)
			VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (id) DO NOTHING`,
			d.ID, d.Label, d.Centroid, d.TopTerms, d.MemoryCount, d.CreatedAt, d.Metadata)
	case store.RecordMemory:
		m := r.Memory
		if err := checkEmbedding(conn, m.Embedding); err != nil {
			return 0, err
		}
		err = exec(conn, `INSERT INTO memories (id, content, node_type, tags, domains, domain_scores,
				embedding, metadata, created_at, updated_at)
			VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) ON CONFLICT (id) DO NOTHING`,
			m.ID, m.Content, m.NodeType, m.Tags, m.Domains, m.DomainScores, m.Embedding, m.Metadata,
			m.CreatedAt, m.UpdatedAt)
		if err == nil && indexText {
			err = indexFTSByID(conn, m.ID)
		}
	case store.RecordScheduling:
		st := r.Scheduling
		err = exec(conn, `INSERT INTO scheduling (memory_id, stability, difficulty, retrievability,
				last_review, next_review, reps, lapses, state, step)
			VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) ON CONFLICT (memory_id) DO NOTHING`,
			st.MemoryID, st.Stability, st.Difficulty, st.Retrievability, st.LastReview, st.NextReview,
			st.Reps, st.Lapses, st.State, st.Step)
	case store.RecordEdge:
		e := r.Edge
		err = exec(conn, `INSERT INTO edges (source_id, target_id, edge_type, weight, created_at)
			VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (source_id, target_id, edge_type) DO NOTHING`,
			e.SourceID, e.TargetID, e.EdgeType, e.Weight, e.CreatedAt)
	case store.RecordReviewEvent:
		ev := r.ReviewEvent
		err = exec(conn, `INSERT INTO review_events (id, memory_id, reviewed_at, rating, prior_state, new_state)
			VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (id) DO NOTHING`,
			ev.ID, ev.MemoryID, ev.ReviewedAt, ev.Rating, ev.PriorState, ev.NewState)
	default:
		return 0, fmt.Errorf("unknown record type %q", r.Type)
	}
	if err != nil {
		return 0, err
	}
	return conn.Changes(), nil
}

// loadModelRow registers m when no model is, keeping its created_at; another registered
// model is *store.EmbeddingMismatchError.
func loadModelRow(conn *sqlite.Conn, m store.RegisteredModel) (int, error) {
	registered, err := model(conn)
	if err != nil {
		return 0, err
	}
	if registered != nil {
		if *registered == m.Signature() {
			return 0, nil
		}
		return 0, &store.EmbeddingMismatchError{Registered: *registered, Requested: m.Signature()}
	}
	if m.Dimension > maxDimension {
		return 0, &store.InvalidInputError{Field: "model dimension", Reason: fmt.Sprintf("%d is outside 1..%d", m.Dimension, maxDimension)}
	}
	err = exec(conn, `INSERT INTO embedding_model (id, name, dimension, hash, created_at) VALUES (1, ?1, ?2, ?3, ?4)`,
		m.Name, m.Dimension, m.Hash, m.CreatedAt)
	return 1, err
}

// loadFSRSRow applies the parameter rule of store.Dumper.Load and returns 1 when it wrote.
func loadFSRSRow(conn *sqlite.Conn, p store.FSRSParameters) (int, error) {
	var cur store.FSRSParameters
	var scanErr error
	found, err := queryOne(conn, `SELECT weights, desired_retention, learning_steps_secs, relearning_steps_secs,
			maximum_interval_days, updated_at FROM fsrs_parameters WHERE id = 1`, func(stmt *sqlite.Stmt) error {
		rec, err := scanDumpRecord(store.RecordFSRSParameters, stmt)
		cur, scanErr = *rec.FSRSParameters, err
		return nil
	})
	if err = errors.Join(err, scanErr); err != nil {
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
	enc := func(v any) (jsonText, error) {
		b, err := json.Marshal(v)
		return jsonText(b), err
	}
	weights, err := enc(p.Weights)
	if err != nil {
		return 0, err
	}
	learning, err := enc(p.LearningStepsSecs)
	if err != nil {
		return 0, err
	}
	relearning, err := enc(p.RelearningStepsSecs)
	if err != nil {
		return 0, err
	}
	err = exec(conn, `INSERT INTO fsrs_parameters (id, weights, desired_retention, learning_steps_secs,
			relearning_steps_secs, maximum_interval_days, updated_at)
		VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6)
		ON CONFLICT (id) DO UPDATE SET weights = excluded.weights, desired_retention = excluded.desired_retention,
			learning_steps_secs = excluded.learning_steps_secs, relearning_steps_secs = excluded.relearning_steps_secs,
			maximum_interval_days = excluded.maximum_interval_days, updated_at = excluded.updated_at`,
		weights, p.DesiredRetention, learning, relearning, p.MaximumIntervalDays, p.UpdatedAt)
	return 1, err
}
