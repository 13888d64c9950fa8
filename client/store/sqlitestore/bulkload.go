package sqlitestore

import (
	"context"
	"fmt"
	"strings"

	"zombiezen.com/go/sqlite"

	"github.com/vestige-mem/vestige/client/store"
)

// bulkInserts are the multi-row INSERTs of LoadBulk: the table, its columns, the conflict
// target and the row's values in column order.
var bulkInserts = map[string]struct {
	table, conflict string
	columns         []string
	values          func(store.Record) []any
}{
	store.RecordMemory: {"memories", "id", []string{"id", "content", "node_type", "tags", "domains", "domain_scores",
		"embedding", "metadata", "created_at", "updated_at"}, func(r store.Record) []any {
		m := r.Memory
		return []any{m.ID, m.Content, m.NodeType, m.Tags, m.Domains, m.DomainScores, m.Embedding, m.Metadata,
			m.CreatedAt, m.UpdatedAt}
	}},
	store.RecordScheduling: {"scheduling", "memory_id", []string{"memory_id", "stability", "difficulty", "retrievability",
		"last_review", "next_review", "reps", "lapses", "state", "step"}, func(r store.Record) []any {
		st := r.Scheduling
		return []any{st.MemoryID, st.Stability, st.Difficulty, st.Retrievability, st.LastReview, st.NextReview,
			st.Reps, st.Lapses, st.State, st.Step}
	}},
	store.RecordEdge: {"edges", "source_id, target_id, edge_type", []string{"source_id", "target_id", "edge_type", "weight",
		"created_at"}, func(r store.Record) []any {
		e := r.Edge
		return []any{e.SourceID, e.TargetID, e.EdgeType, e.Weight, e.CreatedAt}
	}},
	store.RecordReviewEvent: {"review_events", "id", []string{"id", "memory_id", "reviewed_at", "rating", "prior_state",
		"new_state"}, func(r store.Record) []any {
		ev := r.ReviewEvent
		return []any{ev.ID, ev.MemoryID, ev.ReviewedAt, ev.Rating, ev.PriorState, ev.NewState}
	}},
}

// bulkChunk bounds the rows of one INSERT (SQLite allows 32766 parameters).
const bulkChunk = 256

// LoadBulk is Load for large batches of memories, scheduling rows, edges and review events
// (a copy between stores): one multi-row INSERT ... ON CONFLICT DO NOTHING per few hundred
// rows instead of a statement per row, which spares SQLite a statement journal and an FTS
// flush per row. The schema's triggers and checks run as for any insert. A batch with
// another kind of row is given to Load. An error does not say which row failed: a caller
// that needs to know loads the rows of a failed batch one by one with Load.
func (s *Store) LoadBulk(ctx context.Context, recs []store.Record) (int, error) {
	norm, err := store.NormalizeRecords(recs)
	if err != nil {
		return 0, fmt.Errorf("sqlitestore load: %w", err)
	}
	for _, r := range norm {
		if _, ok := bulkInserts[r.Type]; !ok {
			return s.Load(ctx, recs)
		}
	}
	inserted := 0
	err = s.write(ctx, func(conn *sqlite.Conn) error {
		inserted = 0
		// A load into a store whose insert triggers a bulk load deferred (DropSearchIndexes)
		// has nothing to skip, and leaves the full-text text to the build.
		deferred, err := deferredPending(conn)
		if err != nil {
			return err
		}
		restore := func() error { return nil }
		if !deferred {
			if restore, err = skipValueChecks(conn, norm); err != nil {
				return err
			}
		}
		for start := 0; start < len(norm); {
			end := start
			for end < len(norm) && end-start < bulkChunk && norm[end].Type == norm[start].Type {
				end++
			}
			n, err := insertChunk(conn, norm[start:end], !deferred)
			if err != nil {
				return err
			}
			inserted += n
			start = end
		}
		return restore()
	})
	if err != nil {
		return 0, fmt.Errorf("sqlitestore load: %w", interpretError(ctx, err))
	}
	return inserted, nil
}

// insertChunk writes recs, of one kind, in one statement; indexText says whether the
// full-text index is live (it is not during a deferred bulk load).
func insertChunk(conn *sqlite.Conn, recs []store.Record, indexText bool) (int, error) {
	kind := recs[0].Type
	b := bulkInserts[kind]
	if kind == store.RecordMemory {
		if err := checkEmbeddings(conn, recs); err != nil {
			return 0, err
		}
	}
	row := "(" + strings.TrimSuffix(strings.Repeat("?,", len(b.columns)), ",") + ")"
	var sql strings.Builder
	fmt.Fprintf(&sql, "INSERT INTO %s (%s) VALUES ", b.table, strings.Join(b.columns, ", "))
	args := make([]any, 0, len(recs)*len(b.columns))
	for i, r := range recs {
		if i > 0 {
			sql.WriteByte(',')
		}
		sql.WriteString(row)
		args = append(args, b.values(r)...)
	}
	fmt.Fprintf(&sql, " ON CONFLICT (%s) DO NOTHING", b.conflict)
	if err := exec(conn, sql.String(), args...); err != nil {
		return 0, err
	}
	n := conn.Changes()
	if kind == store.RecordMemory && indexText {
		// The FTS rows written by the insert trigger hold the raw text; text that the
		// index form changes (NFC, CJK pairs) is re-indexed as Load does.
		for _, r := range recs {
			m := r.Memory
			if needsFTSText(m.Content) || needsFTSText(m.NodeType) || needsFTSText(strings.Join(m.Tags, " ")) {
				if err := indexFTSByID(conn, m.ID); err != nil {
					return 0, err
				}
			}
		}
	}
	return n, nil
}

// memoryCheckTriggers are the insert triggers of memories that repeat in SQL the value rules
// NormalizeRecords and checkEmbeddings have just applied in Go to every row of the batch
// (the same rules: docs/value-rules.md).
var memoryCheckTriggers = []string{"trg_memories_values_insert", "trg_memories_check_embedding_insert"}

// skipValueChecks drops the memory check triggers inside the load's transaction and restore
// creates them again, from their own text, before the commit: SQLite's DDL is
// transactional, so no other connection ever sees them missing, and a failed batch rolls
// the drop back with its rows. Other triggers (FTS, new cards, the vector log) still run.
func skipValueChecks(conn *sqlite.Conn, norm []store.Record) (restore func() error, err error) {
	restore = func() error { return nil }
	if len(norm) == 0 || norm[0].Type != store.RecordMemory {
		return restore, nil
	}
	var defs []string
	err = query(conn, `SELECT sql FROM sqlite_schema WHERE type = 'trigger' AND tbl_name = 'memories' AND name IN (?, ?) ORDER BY name`,
		func(stmt *sqlite.Stmt) error {
			defs = append(defs, stmt.ColumnText(0))
			return nil
		}, memoryCheckTriggers[0], memoryCheckTriggers[1])
	if err != nil {
		return restore, err
	}
	for _, t := range memoryCheckTriggers {
		if err := exec(conn, "DROP TRIGGER IF EXISTS "+t); err != nil {
			return restore, err
		}
	}
	return func() error {
		for _, d := range defs {
			if err := exec(conn, d); err != nil {
				return err
			}
		}
		return nil
	}, nil
}

// checkEmbeddings is checkEmbedding for a chunk of memories, reading the registry once.
func checkEmbeddings(conn *sqlite.Conn, recs []store.Record) error {
	vs := make([][]float32, len(recs))
	for i, r := range recs {
		vs[i] = r.Memory.Embedding
	}
	return checkEmbedding(conn, vs...)
}
