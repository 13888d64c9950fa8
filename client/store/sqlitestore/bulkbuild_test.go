package sqlitestore

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"zombiezen.com/go/sqlite"

	"github.com/vestige-mem/vestige/client/embedder"
	"github.com/vestige-mem/vestige/client/store"
	"github.com/vestige-mem/vestige/client/transfer/transfertest"
)

// bulkRecords is a small copy's rows: the transfer corpus (vectors, scheduling rows, edges,
// review events) and memories whose indexed text differs from the stored text (NFD, CJK runs,
// in content, node type and tags), one without tags.
func bulkRecords(t *testing.T) []store.Record {
	t.Helper()
	emb, err := embedder.NewHash(16)
	require.NoError(t, err)
	var recs []store.Record
	shape := transfertest.Shape{Memories: 300, Scheduling: 120, Edges: 60, ReviewEvents: 10, Domains: 2}
	require.NoError(t, transfertest.Records(context.Background(), shape, emb, func(r store.Record) error {
		recs = append(recs, r)
		return nil
	}))
	at := time.Date(2024, 5, 1, 8, 0, 0, 0, time.UTC)
	for i, m := range []store.Memory{
		{Content: "Re\u0301sume\u0301 of the 東京の会議", Tags: []string{"会議室", "plain"}},
		{Content: "データベース tuning", NodeType: "ノート"},
		{Content: "no tags at all, ascii only", Tags: []string{}},
		{Content: "한국어 문장 and café", Tags: []string{"cafe\u0301"}},
	} {
		m.ID = uuid.NewSHA1(uuid.NameSpaceOID, []byte{byte(i)})
		m.CreatedAt, m.UpdatedAt = at.Add(time.Duration(i)*time.Minute), at
		recs = append(recs, store.Record{Type: store.RecordMemory, Memory: &m})
	}
	return recs
}

// loadInBatches gives recs to LoadBulk as a copy does: batches of one kind, at most n rows.
func loadInBatches(t *testing.T, s *Store, recs []store.Record, n int) {
	t.Helper()
	var batch []store.Record
	flush := func() {
		if len(batch) > 0 {
			_, err := s.LoadBulk(context.Background(), batch)
			require.NoError(t, err)
		}
		batch = nil
	}
	for _, r := range recs {
		if len(batch) > 0 && (batch[0].Type != r.Type || len(batch) == n) {
			flush()
		}
		batch = append(batch, r)
	}
	flush()
}

// derived is what the triggers and indexes of memories derive from its rows, keyed by memory
// id (rids may differ between two stores): the full-text index's every instance, the text
// it indexes where the stored text differs, the new cards, and the schema of memories.
func derived(t *testing.T, s *Store) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	require.NoError(t, s.read(context.Background(), func(conn *sqlite.Conn) error {
		for name, q := range map[string]string{
			"fts": `SELECT m.id || ' ' || i.term || ' ' || i.col || ' ' || i.offset
				FROM memories_fts_instances i JOIN memories m ON m.rid = i.doc ORDER BY 1`,
			"fts_text": `SELECT m.id || ' ' || x.content || ' ' || x.node_type || ' ' || coalesce(x.tags, 'NULL')
				FROM memories_fts_text x JOIN memories m ON m.rid = x.rid ORDER BY 1`,
			"new_cards": `SELECT memory_id || ' ' || created_at FROM new_cards ORDER BY 1`,
			"schema": `SELECT type || ' ' || name || ' ' || coalesce(sql, '') FROM sqlite_master
				WHERE tbl_name IN ('memories', '` + deferredTable + `') ORDER BY 1`,
		} {
			rows := []string{}
			if err := query(conn, q, func(stmt *sqlite.Stmt) error {
				rows = append(rows, stmt.ColumnText(0))
				return nil
			}); err != nil {
				return err
			}
			out[name] = rows
		}
		requireIndexIsSource(t, conn)
		return nil
	}))
	requireNoDrift(t, s, "after the load")
	return out
}

// A copy into an empty store that drops the insert triggers and indexes of memories and
// builds them after the rows leaves exactly what the same rows loaded through them leave:
// the same full-text instances (so the same rankings), NFC/CJK text, new cards, schema, and
// searches that answer alike, vector searches included.
func TestBulkLoadBuildsWhatTheTriggersWould(t *testing.T) {
	ctx := context.Background()
	recs := bulkRecords(t)
	live, bulk := openInternal(t), openInternal(t)
	loadInBatches(t, live, recs, 50)

	first := 0
	for recs[first].Type != store.RecordMemory {
		first++
	}
	loadInBatches(t, bulk, recs[:first], 50)
	require.NoError(t, bulk.DropSearchIndexes(ctx))
	require.NoError(t, bulk.DropSearchIndexes(ctx), "a second drop keeps the first's definitions")
	pending, err := bulk.SearchIndexesPending(ctx)
	require.NoError(t, err)
	require.True(t, pending)
	// One memory by Load, as a copy writes the rows of a refused batch.
	_, err = bulk.Load(ctx, recs[first:first+1])
	require.NoError(t, err)
	emb, err := embedder.NewHash(16)
	require.NoError(t, err)
	v, err := emb.Embed(ctx, "postgres index memory review")
	require.NoError(t, err)
	require.Len(t, vectorIDs(t, bulk, v, 10), 1, "the vector index loaded before the rest of the rows")
	loadInBatches(t, bulk, recs[first+1:], 50)
	require.Empty(t, ftsHits(t, bulk, "会議"), "until the build, the full-text index does not see the rows")

	var steps []string
	require.NoError(t, bulk.BuildSearchIndexes(ctx, func(step string, _ time.Duration) { steps = append(steps, step) }))
	require.Equal(t, []string{"idx_memories_created", "idx_memories_node_type", "idx_memories_updated", "memories_fts", "new_cards"}, steps)
	pending, err = bulk.SearchIndexesPending(ctx)
	require.NoError(t, err)
	require.False(t, pending)
	require.NoError(t, bulk.BuildSearchIndexes(ctx, func(step string, _ time.Duration) { t.Errorf("nothing to build, built %s", step) }))

	want, got := derived(t, live), derived(t, bulk)
	require.NotEmpty(t, want["fts_text"], "the corpus has text whose index form differs")
	for _, k := range []string{"fts", "fts_text", "new_cards", "schema"} {
		require.Equal(t, want[k], got[k], k)
	}
	for _, q := range []string{"deploy pipeline", "会議", "resume", "データ", "café", "ノート"} {
		require.Equal(t, ftsHits(t, live, q), ftsHits(t, bulk, q), q)
	}
	require.Equal(t, vectorIDs(t, live, v, 10), vectorIDs(t, bulk, v, 10), "the vectors loaded are searched")

	// The triggers are back: a memory written now is indexed at once.
	m, err := bulk.Insert(ctx, store.Memory{Content: "zanzibar 会議 after the build"})
	require.NoError(t, err)
	require.Contains(t, ftsHits(t, bulk, "zanzibar"), m.Content)
}

// vectorIDs are the ids of the nearest memories to v.
func vectorIDs(t *testing.T, s *Store, v []float32, limit int) []uuid.UUID {
	t.Helper()
	rs, err := s.VectorSearch(context.Background(), store.SearchQuery{Embedding: v, Limit: limit})
	require.NoError(t, err)
	ids := []uuid.UUID{}
	for _, r := range rs {
		ids = append(ids, r.Memory.ID)
	}
	return ids
}

// A copy killed with its build due leaves the mark; opening the store finishes the build
// (unless KeepCopyPending, the copy's own open), and so does a migration before its steps.
func TestOpenFinishesAPendingBuild(t *testing.T) {
	ctx := context.Background()
	recs := bulkRecords(t)
	for _, c := range []struct {
		name   string
		finish func(t *testing.T, path string)
	}{
		{"open", func(t *testing.T, path string) {
			s, err := Open(ctx, path)
			require.NoError(t, err)
			require.NoError(t, s.Close())
		}},
		{"migrate down and up", func(t *testing.T, path string) {
			s, err := OpenWith(ctx, path, Options{KeepCopyPending: true})
			require.NoError(t, err)
			defer s.Close()
			require.NoError(t, s.MigrateTo(ctx, LatestVersion()-1))
			require.NoError(t, s.Migrate(ctx))
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "vestige.db")
			s, err := Open(ctx, path)
			require.NoError(t, err)
			require.NoError(t, s.DropSearchIndexes(ctx))
			loadInBatches(t, s, recs, 100)
			require.NoError(t, s.Close())

			kept, err := OpenWith(ctx, path, Options{KeepCopyPending: true})
			require.NoError(t, err)
			pending, err := kept.SearchIndexesPending(ctx)
			require.NoError(t, err)
			require.True(t, pending, "the copy's own open keeps the build for the copy")
			require.NoError(t, kept.Close())

			c.finish(t, path)
			s, err = Open(ctx, path)
			require.NoError(t, err)
			defer s.Close()
			pending, err = s.SearchIndexesPending(ctx)
			require.NoError(t, err)
			require.False(t, pending)
			require.NotEmpty(t, ftsHits(t, s, "会議"))
			live := openInternal(t)
			loadInBatches(t, live, recs, 100)
			want, got := derived(t, live), derived(t, s)
			for _, k := range []string{"fts", "fts_text", "new_cards", "schema"} {
				require.Equal(t, want[k], got[k], k)
			}
		})
	}
}
