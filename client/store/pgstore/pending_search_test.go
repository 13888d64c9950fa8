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

// A copy killed between its load and its build leaves memories without postings; another
// session that deletes or rewrites them takes their terms off term_stats and
// memory_count_shards all the same (the triggers subtract what search_vec holds), so the
// statistics go below zero. A search must still answer (it raised "cannot take logarithm of
// a negative number"), and the build makes the statistics exact again.
func TestSearchWhileSearchIndexesPendingAfterDeletes(t *testing.T) {
	ctx := context.Background()
	url := testdb.New(t)
	s := open(t, pgstore.Options{URL: url})
	conn := testdb.Conn(t, url)

	require.NoError(t, s.DropSearchIndexes(ctx))
	now := time.Now().UTC().Truncate(time.Microsecond)
	var recs []store.Record
	ids := make([]uuid.UUID, 8)
	for i := range ids {
		ids[i] = uuid.New()
		recs = append(recs, store.Record{Type: store.RecordMemory, Memory: &store.Memory{ID: ids[i],
			Content: fmt.Sprintf("lighthouse keeper's log, entry %d", i), NodeType: "fact",
			Tags: []string{}, Domains: []string{}, CreatedAt: now, UpdatedAt: now}})
	}
	n, err := s.LoadBulk(ctx, recs)
	require.NoError(t, err)
	require.Equal(t, len(ids), n)
	kept, err := s.Insert(ctx, store.Memory{Content: "a lighthouse added by another session", NodeType: "fact"})
	require.NoError(t, err)
	// Another session, with the triggers on, deletes some loaded memories and rewrites one.
	_, err = conn.Exec(ctx, `DELETE FROM memories WHERE id = ANY ($1)`, ids[:5])
	require.NoError(t, err)
	_, err = conn.Exec(ctx, `UPDATE memories SET content = 'a rewritten entry' WHERE id = $1`, ids[5])
	require.NoError(t, err)

	for _, text := range []string{"lighthouse", "keeper log entry", "lighthouse rewritten"} {
		res, err := s.Search(ctx, store.SearchQuery{Text: text, Limit: 5})
		require.NoError(t, err, text)
		for _, r := range res {
			require.NotNil(t, r.FTSScore, text)
			require.False(t, *r.FTSScore < 0, "%s: score %v", text, *r.FTSScore)
		}
	}

	require.NoError(t, s.BuildSearchIndexes(ctx, func(string, time.Duration) {}))
	var memories, mismatched int
	require.NoError(t, conn.QueryRow(ctx, `SELECT (SELECT sum(memories) FROM memory_count_shards) - (SELECT count(*) FROM memories),
		(SELECT count(*) FROM (SELECT lexeme, sum(df) AS df FROM term_stats GROUP BY 1 HAVING sum(df) <> 0) s
		   FULL JOIN (SELECT lexeme, count(*) AS df FROM memory_terms GROUP BY 1) p USING (lexeme)
		  WHERE s.df IS DISTINCT FROM p.df)`).Scan(&memories, &mismatched))
	require.Zero(t, memories)
	require.Zero(t, mismatched)
	res, err := s.Search(ctx, store.SearchQuery{Text: "lighthouse", Limit: 5})
	require.NoError(t, err)
	var got []uuid.UUID
	for _, r := range res {
		got = append(got, r.Memory.ID)
	}
	require.ElementsMatch(t, append([]uuid.UUID{kept.ID}, ids[6:]...), got)
}
