package pgstore_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/vestige-mem/vestige/client/store"
	"github.com/vestige-mem/vestige/client/store/pgstore"
	"github.com/vestige-mem/vestige/tests/testdb"
)

// While the search indexes are dropped (a copy into an empty store), LoadBulk leaves the
// full-text postings and new_cards to BuildSearchIndexes, which recomputes both from every
// memory, the rows other sessions wrote meanwhile (through the triggers) included. The
// triggers are off in the load's own transactions only.
func TestLoadBulkDefersDerivedRows(t *testing.T) {
	ctx := context.Background()
	url := testdb.New(t)
	s := open(t, pgstore.Options{URL: url})
	conn := testdb.Conn(t, url)
	count := func(q string, args ...any) int {
		t.Helper()
		var n int
		require.NoError(t, conn.QueryRow(ctx, q, args...).Scan(&n), q)
		return n
	}

	require.NoError(t, s.DropSearchIndexes(ctx))
	now := time.Now().UTC().Truncate(time.Microsecond)
	ids := make([]uuid.UUID, 6)
	var recs []store.Record
	for i := range ids {
		ids[i] = uuid.New()
		recs = append(recs, store.Record{Type: store.RecordMemory, Memory: &store.Memory{ID: ids[i],
			Content: fmt.Sprintf("loaded memory number %d about lighthouses", i), NodeType: "fact",
			Tags: []string{"bulk"}, CreatedAt: now.Add(time.Duration(i) * time.Second), UpdatedAt: now}})
	}
	n, err := s.LoadBulk(ctx, recs)
	require.NoError(t, err)
	require.Equal(t, len(ids), n)
	var other uuid.UUID
	require.NoError(t, conn.QueryRow(ctx, `INSERT INTO memories (content) VALUES ('written by another session meanwhile')
		RETURNING id`).Scan(&other))
	// A first review of a loaded memory and of the other one: each leaves the new cards.
	next := now.Add(24 * time.Hour)
	var sched []store.Record
	for _, id := range []uuid.UUID{ids[0], other} {
		sched = append(sched, store.Record{Type: store.RecordScheduling, Scheduling: &store.SchedulingState{
			MemoryID: id, Stability: 2, Difficulty: 5, Retrievability: 1, LastReview: &now, NextReview: &next,
			Reps: 1, State: 2}})
	}
	n, err = s.LoadBulk(ctx, sched)
	require.NoError(t, err)
	require.Equal(t, 2, n)

	require.Equal(t, 0, count(`SELECT count(*) FROM memory_terms WHERE memory_id = ANY($1)`, ids), "postings deferred")
	require.Equal(t, 1, count(`SELECT count(*) FROM new_cards WHERE memory_id = $1`, other),
		"only the other session's memory, by its trigger, still there after its scheduling row was loaded")
	require.Equal(t, 1, count(`SELECT count(*) FROM new_cards`))
	require.Equal(t, 0, count(`SELECT count(*) FROM pg_trigger WHERE tgrelid IN ('memories'::regclass, 'scheduling'::regclass)
		AND NOT tgisinternal AND tgenabled <> 'O'`), "every trigger is on outside the load's transactions")
	require.NotZero(t, count(testdb.DerivedDrift))

	var steps []string
	require.NoError(t, s.BuildSearchIndexes(ctx, func(step string, _ time.Duration) { steps = append(steps, step) }))
	require.Equal(t, "postings", steps[0])
	require.Zero(t, count(testdb.DerivedDrift), "postings, counts and new cards exact")
	require.Equal(t, len(ids)-1, count(`SELECT count(*) FROM new_cards`), "the loaded memories but the reviewed one")
	require.Equal(t, 0, count(`SELECT count(*) FROM new_cards WHERE memory_id IN ($1, $2)`, ids[0], other))
}
