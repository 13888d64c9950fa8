package transfer_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vestige-mem/vestige/client/store"
	"github.com/vestige-mem/vestige/client/transfer"
	"github.com/vestige-mem/vestige/client/transfer/transfertest"
	"github.com/vestige-mem/vestige/tests/testdb"
)

// smallShape is the copy test's corpus in the -race pass; TestHeavyCopyPlan (build tag
// heavy) runs the plan's 10,000 memories.
var smallShape = transfertest.Shape{Memories: 400, Scheduling: 160, Edges: 80, ReviewEvents: 20, Domains: 3}

func TestCopyBothWays(t *testing.T) {
	t.Parallel()
	testCopyBothWays(t, smallShape)
}

// testCopyBothWays is the plan's copy test: SQLite → Postgres → a new SQLite file, each copy
// checked row by row (a 1 % sample of memories, every FSRS state, edges) and by export, and
// each run a second time as a no-op.
func testCopyBothWays(t *testing.T, planShape transfertest.Shape) {
	ctx := context.Background()
	emb := hash(t, 768)
	lite, litePath := newSQLite(t)
	require.NoError(t, transfertest.Fill(ctx, lite, planShape, emb))
	require.NoError(t, lite.Close())
	src := openReadOnly(t, litePath)
	want := dump(t, src)

	pg, url := newPostgres(t)
	rep := copyAll(t, src, pg, transfer.CopyOptions{})
	// The bulk load turned the memory check triggers and the postings trigger off for its
	// transactions only, and built the postings and the secondary indexes once after the rows.
	var enabled, drift int
	var err error
	require.NoError(t, testdb.Conn(t, url).QueryRow(ctx, `SELECT count(*) FROM pg_trigger
		WHERE tgrelid = 'memories'::regclass AND tgenabled = 'O'
		  AND tgname IN ('trg_memories_check_values', 'trg_memories_check_embedding', 'trg_memories_terms_insert')`).Scan(&enabled))
	require.Equal(t, 3, enabled)
	var built []string
	for _, b := range rep.Builds {
		built = append(built, b.Name)
	}
	require.Equal(t, []string{"postings", "idx_memories_node_type", "idx_memories_created", "idx_memories_updated",
		"idx_memories_domains", "idx_memories_tags", "idx_memories_fts"}, built)
	require.NoError(t, testdb.Conn(t, url).QueryRow(ctx, transfertest.DerivedDrift).Scan(&drift))
	require.Zero(t, drift, "postings, counts and new cards exact after the load")
	_, err = testdb.Conn(t, url).Exec(ctx, `INSERT INTO memories (content) VALUES ('   ')`)
	require.ErrorContains(t, err, "content")
	t.Logf("sqlite → postgres: %.0f memories/s, index %.2fs", rep.MemoriesPerSecond, rep.IndexSeconds)
	requireCounts(t, rep, planShape, false)
	require.True(t, rep.IndexBuilt, "the HNSW index is built once after the load")
	present, _, err := pg.VectorIndexState(ctx)
	require.NoError(t, err)
	require.True(t, present)
	requireSameRows(t, src, pg, planShape)
	require.Equal(t, want, dump(t, pg), "export of source and destination are equal")

	again := copyAll(t, src, pg, transfer.CopyOptions{})
	requireCounts(t, again, planShape, true)
	require.False(t, again.IndexBuilt)
	require.Empty(t, again.Builds, "a second run into a store that is not empty keeps its indexes")

	// The reverse direction, into a new file.
	back, _ := newSQLite(t)
	rep = copyAll(t, pg, back, transfer.CopyOptions{})
	t.Logf("postgres → sqlite: %.0f memories/s", rep.MemoriesPerSecond)
	requireCounts(t, rep, planShape, false)
	requireSameRows(t, pg, back, planShape)
	require.Equal(t, want, dump(t, back))
	requireCounts(t, copyAll(t, pg, back, transfer.CopyOptions{}), planShape, true)
}

// requireCounts checks every table's counts: all copied, or (second run) all skipped.
func requireCounts(t *testing.T, rep transfer.CopyReport, s transfertest.Shape, second bool) {
	t.Helper()
	want := map[string]int{"embedding_model": 1, "fsrs_parameters": 1, "domains": s.Domains, "memories": s.Memories,
		"scheduling": s.Scheduling, "edges": s.Edges, "review_events": s.ReviewEvents}
	for table, n := range want {
		tr := rep.Table(table)
		require.Equal(t, n, tr.Read, table)
		require.Zero(t, tr.Refused, table)
		if second {
			require.Zero(t, tr.Copied, "%s: a second run writes nothing", table)
			require.Equal(t, n, tr.Skipped, table)
		} else if table != "fsrs_parameters" { // a new store holds the defaults already
			require.Equal(t, n, tr.Copied, table)
		}
	}
	require.Empty(t, rep.Refused)
}

// requireSameRows compares a 1 % sample of memories field by field (content, tags,
// metadata, domains, domain scores, vector), every scheduling row's FSRS state, and every edge.
func requireSameRows(t *testing.T, a, b store.Store, planShape transfertest.Shape) {
	t.Helper()
	ctx := context.Background()
	sa, err := a.Stats(ctx)
	require.NoError(t, err)
	sb, err := b.Stats(ctx)
	require.NoError(t, err)
	require.Equal(t, sa.Memories, sb.Memories)
	require.Equal(t, sa.Edges, sb.Edges)
	n := int(sa.Memories)
	for i := 0; i < n; i += 100 {
		ma, err := a.Get(ctx, transfertest.ID(i))
		require.NoError(t, err)
		mb, err := b.Get(ctx, transfertest.ID(i))
		require.NoError(t, err)
		require.Equal(t, ma.Content, mb.Content)
		require.Equal(t, ma.Tags, mb.Tags)
		require.Equal(t, ma.Metadata, mb.Metadata)
		require.Equal(t, ma.Domains, mb.Domains)
		require.Equal(t, ma.DomainScores, mb.DomainScores)
		require.Equal(t, ma.Embedding, mb.Embedding)
		require.True(t, ma.CreatedAt.Equal(mb.CreatedAt) && ma.UpdatedAt.Equal(mb.UpdatedAt))
	}
	for i := range planShape.Scheduling {
		fa, err := a.GetScheduling(ctx, transfertest.ID(i))
		require.NoError(t, err)
		fb, err := b.GetScheduling(ctx, transfertest.ID(i))
		require.NoError(t, err)
		require.Equal(t, fa.Stability, fb.Stability)
		require.Equal(t, fa.Difficulty, fb.Difficulty)
		require.Equal(t, fa.Reps, fb.Reps)
		require.Equal(t, fa.Lapses, fb.Lapses)
		require.True(t, fa.NextReview.Equal(*fb.NextReview), "next_review of %d", i)
		if i%10 == 0 {
			ea, err := a.GetEdges(ctx, transfertest.ID(i), "")
			require.NoError(t, err)
			eb, err := b.GetEdges(ctx, transfertest.ID(i), "")
			require.NoError(t, err)
			require.Equal(t, len(ea), len(eb))
			for k := range ea {
				require.Equal(t, ea[k].SourceID, eb[k].SourceID)
				require.Equal(t, ea[k].TargetID, eb[k].TargetID)
				require.Equal(t, ea[k].EdgeType, eb[k].EdgeType)
				require.Equal(t, ea[k].Weight, eb[k].Weight)
				require.True(t, ea[k].CreatedAt.Equal(eb[k].CreatedAt))
			}
		}
	}
}
