package pgstore

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/vestige-mem/vestige/client/store"
)

// bulkTables maps the row kinds LoadBulk writes by COPY to their table, columns and a
// temporary table of the same shape.
var bulkTables = map[string]struct {
	table, conflict string
	columns         []string
	temp            string
}{
	store.RecordMemory: {"memories", "id", []string{"id", "content", "node_type", "tags", "domains", "domain_scores",
		"embedding", "metadata", "created_at", "updated_at"},
		`id uuid, content text, node_type text, tags text[], domains text[], domain_scores jsonb, embedding vector,
		 metadata jsonb, created_at timestamptz, updated_at timestamptz`},
	store.RecordScheduling: {"scheduling", "memory_id", []string{"memory_id", "stability", "difficulty", "retrievability",
		"last_review", "next_review", "reps", "lapses", "state", "step"},
		`memory_id uuid, stability float8, difficulty float8, retrievability float8, last_review timestamptz,
		 next_review timestamptz, reps integer, lapses integer, state smallint, step integer`},
	store.RecordEdge: {"edges", "source_id, target_id, edge_type", []string{"source_id", "target_id", "edge_type", "weight", "created_at"},
		`source_id uuid, target_id uuid, edge_type text, weight float8, created_at timestamptz`},
	store.RecordReviewEvent: {"review_events", "id", []string{"id", "memory_id", "reviewed_at", "rating", "prior_state", "new_state"},
		`id uuid, memory_id uuid, reviewed_at timestamptz, rating smallint, prior_state jsonb, new_state jsonb`},
}

// LoadBulk is Load for large batches of memories, scheduling rows, edges and review events
// (a copy between stores): the rows go by COPY into a temporary table and from there into
// the store by one INSERT ... ON CONFLICT DO NOTHING per table, in one transaction (memories,
// when the role owns the table, by COPY straight into it: copyMemoriesLocked). That
// spares a statement per row (a copy's rate goes up several times); the schema's triggers
// and checks run as for any insert. A batch with another kind of row is given to Load. An
// error does not say which row failed: a caller that needs to know loads the rows of a
// failed batch one by one with Load.
func (s *Store) LoadBulk(ctx context.Context, recs []store.Record) (int, error) {
	norm, err := store.NormalizeRecords(recs)
	if err != nil {
		return 0, fmt.Errorf("pgstore load: %w", err)
	}
	for _, r := range norm {
		if _, ok := bulkTables[r.Type]; !ok {
			return s.Load(ctx, recs)
		}
	}
	c, err := s.acquire(ctx)
	if err != nil {
		return 0, fmt.Errorf("pgstore load: %w", err)
	}
	defer c.Release()
	inserted := 0
	err = retry(ctx, func() error {
		inserted = 0
		return pgx.BeginFunc(ctx, c, func(tx pgx.Tx) error {
			restore, locked, err := skipValueChecks(ctx, tx, norm)
			if err != nil {
				return err
			}
			for start := 0; start < len(norm); {
				end := start
				for end < len(norm) && norm[end].Type == norm[start].Type {
					end++
				}
				load := copyKind
				if locked && norm[start].Type == store.RecordMemory {
					load = copyMemoriesLocked
				}
				n, err := load(ctx, tx, norm[start].Type, norm[start:end])
				if err != nil {
					return err
				}
				inserted += n
				start = end
			}
			return restore()
		})
	})
	if err != nil {
		return 0, fmt.Errorf("pgstore load: %w", interpretError(err))
	}
	return inserted, nil
}

func copyKind(ctx context.Context, tx pgx.Tx, kind string, recs []store.Record) (int, error) {
	t := bulkTables[kind]
	temp := "vestige_load_" + t.table
	if _, err := tx.Exec(ctx, fmt.Sprintf(`CREATE TEMP TABLE %s (%s) ON COMMIT DROP`, temp, t.temp)); err != nil {
		return 0, err
	}
	rows := make([][]any, len(recs))
	for i, r := range recs {
		row, err := bulkRow(r)
		if err != nil {
			return 0, fmt.Errorf("%s: %w", r.Key(), err)
		}
		rows[i] = row
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{temp}, t.columns, pgx.CopyFromRows(rows)); err != nil {
		return 0, err
	}
	cols := ""
	for i, c := range t.columns {
		if i > 0 {
			cols += ", "
		}
		cols += c
	}
	tag, err := tx.Exec(ctx, fmt.Sprintf(`INSERT INTO %s (%s) SELECT %s FROM %s ON CONFLICT (%s) DO NOTHING`,
		t.table, cols, cols, temp, t.conflict))
	if err != nil {
		return 0, missingRef(interpretError(err))
	}
	return int(tag.RowsAffected()), nil
}

// copyMemoriesLocked is copyKind for memories when the transaction holds a lock on memories
// that keeps other writers out (skipValueChecks took it): the ids already present are read
// first and the other rows go by COPY straight into memories, sparing the temporary table
// (a quarter of the server's work for a row with a 3 KB vector).
func copyMemoriesLocked(ctx context.Context, tx pgx.Tx, _ string, recs []store.Record) (int, error) {
	ids := make([]uuid.UUID, len(recs))
	for i, r := range recs {
		ids[i] = r.Memory.ID
	}
	rows, err := tx.Query(ctx, `SELECT id FROM memories WHERE id = ANY($1)`, ids)
	if err != nil {
		return 0, err
	}
	present, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
	if err != nil {
		return 0, err
	}
	skip := make(map[uuid.UUID]bool, len(present))
	for _, id := range present {
		skip[id] = true
	}
	fresh := make([][]any, 0, len(recs))
	for _, r := range recs {
		if skip[r.Memory.ID] {
			continue
		}
		skip[r.Memory.ID] = true // the first of an id repeated in the batch, as ON CONFLICT keeps
		row, err := bulkRow(r)
		if err != nil {
			return 0, fmt.Errorf("%s: %w", r.Key(), err)
		}
		fresh = append(fresh, row)
	}
	t := bulkTables[store.RecordMemory]
	n, err := tx.CopyFrom(ctx, pgx.Identifier{t.table}, t.columns, pgx.CopyFromRows(fresh))
	if err != nil {
		return 0, missingRef(interpretError(err))
	}
	return int(n), nil
}

func bulkRow(r store.Record) ([]any, error) {
	switch r.Type {
	case store.RecordMemory:
		m := r.Memory
		return []any{m.ID, m.Content, m.NodeType, m.Tags, m.Domains, m.DomainScores, vectorArg(m.Embedding),
			m.Metadata, m.CreatedAt, m.UpdatedAt}, nil
	case store.RecordScheduling:
		st := r.Scheduling
		return []any{st.MemoryID, st.Stability, st.Difficulty, st.Retrievability, st.LastReview, st.NextReview,
			int32(st.Reps), int32(st.Lapses), int16(st.State), stepArg(st.Step)}, nil
	case store.RecordEdge:
		e := r.Edge
		return []any{e.SourceID, e.TargetID, e.EdgeType, e.Weight, e.CreatedAt}, nil
	case store.RecordReviewEvent:
		ev := r.ReviewEvent
		return []any{ev.ID, ev.MemoryID, ev.ReviewedAt, int16(ev.Rating), ev.PriorState, ev.NewState}, nil
	}
	return nil, errors.New("no bulk form for " + r.Type)
}

func stepArg(step *int) any {
	if step == nil {
		return nil
	}
	return int32(*step)
}

// memoryCheckTriggers are the per-row checks of memories that repeat, in PL/pgSQL, the value
// rules NormalizeRecords has just applied in Go to every row of the batch (the same rules:
// docs/value-rules.md); together they cost about two thirds of a bulk insert.
var memoryCheckTriggers = []string{"trg_memories_check_values", "trg_memories_check_embedding"}

// skipValueChecks turns triggers off for this transaction only (DDL is transactional: no
// other session sees them off; concurrent writers of the table wait for the batch) when the
// role owns the table. For a batch of memories: the check triggers (once a model is
// registered), and the triggers of derived data that BuildSearchIndexes recomputes from
// every memory while the full-text index is missing (the postings, and new_cards: a row
// trigger, about a third of an insert's cost, twice what the rebuild takes a row). For a
// batch of scheduling rows, while the full-text index is missing: its new_cards trigger.
// Any other trigger still runs. restore turns them on again before the commit. locked
// reports that the transaction holds memories in SHARE ROW EXCLUSIVE mode (no other writer
// until the commit).
func skipValueChecks(ctx context.Context, tx pgx.Tx, norm []store.Record) (restore func() error, locked bool, err error) {
	restore = func() error { return nil }
	if len(norm) == 0 {
		return restore, false, nil
	}
	table := ""
	switch norm[0].Type {
	case store.RecordMemory:
		table = "memories"
	case store.RecordScheduling:
		table = "scheduling"
	default:
		return restore, false, nil
	}
	var owner, registered, stale bool
	// The check triggers only once a model is registered: its dimension is then stamped on
	// the column, which pgvector checks on every write; before that the embedding trigger
	// is the only guard.
	if err := tx.QueryRow(ctx, `SELECT pg_has_role(current_user, relowner, 'USAGE'),
			EXISTS (SELECT 1 FROM embedding_model WHERE id = 1),
			NOT EXISTS (SELECT 1 FROM pg_class WHERE relname = $2 AND relnamespace = current_schema()::regnamespace)
		FROM pg_class WHERE oid = $1::regclass`, table, ftsIndex).Scan(&owner, &registered, &stale); err != nil || !owner {
		return restore, false, err
	}
	var off []string
	if table == "memories" {
		// What ALTER TABLE ... TRIGGER takes anyway; taken first so that
		// copyMemoriesLocked can rely on it when no trigger is turned off.
		if _, err := tx.Exec(ctx, `LOCK TABLE memories IN SHARE ROW EXCLUSIVE MODE`); err != nil {
			return restore, false, err
		}
		locked = true
		if registered {
			off = append(off, memoryCheckTriggers...)
		}
		if stale {
			off = append(off, derivedTriggers...)
		}
	} else if stale {
		off = append(off, schedulingDerivedTrigger)
	}
	if len(off) == 0 {
		return restore, locked, nil
	}
	// One statement each way: one lock, one invalidation of the table's cached plans.
	toggle := func(how string) error {
		cmds := make([]string, len(off))
		for i, t := range off {
			cmds[i] = how + " TRIGGER " + t
		}
		_, err := tx.Exec(ctx, fmt.Sprintf(`ALTER TABLE %s %s`, table, strings.Join(cmds, ", ")))
		return err
	}
	if err := toggle("DISABLE"); err != nil {
		return restore, false, err
	}
	return func() error { return toggle("ENABLE") }, locked, nil
}
