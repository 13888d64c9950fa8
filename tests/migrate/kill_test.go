package migrate_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"zombiezen.com/go/sqlite"
	"zombiezen.com/go/sqlite/sqlitex"

	"github.com/vestige-mem/vestige/client/store"
	"github.com/vestige-mem/vestige/client/store/pgstore"
	"github.com/vestige-mem/vestige/client/store/sqlitestore"
	"github.com/vestige-mem/vestige/client/transfer/transfertest"
	"github.com/vestige-mem/vestige/tests/testdb"
)

var killShape = transfertest.Shape{Memories: 1200, Scheduling: 480, Edges: 240, ReviewEvents: 40, Domains: 3}

// TestCopyKilledAndRunAgain kills a copy (SIGKILL) at three points, each time running it
// again to the end: every row arrives exactly once (the export of the destination equals
// the source's), the source file is not changed, and a last run copies nothing.
func TestCopyKilledAndRunAgain(t *testing.T) {
	t.Parallel()
	m := newMachine(t, "hash-768")
	m.fillSQLite(killShape, 768)
	want := sqliteDump(t, m.db)
	before := fileHash(t, m.db)
	url := testdb.New(t)
	args := []string{"migrate", "copy", "--from", "sqlite", "--to", "postgres", "--postgres-url", url, "--batch-size", "200"}

	// Early (the registry and domains written, no memory), mid-way through the memories (the
	// postings of the rows loaded are left to the build), before the search indexes and the
	// postings are built, and after every row but before the vector index build (the indexes
	// were dropped for the load).
	for _, point := range []string{"memories:1", "memories:4", "search-index", "index"} {
		m.killAt(point, args...)
	}
	m.killAt("index", args...) // killed again where the index is still missing
	var rep struct {
		Tables []struct {
			Table                          string
			Read, Copied, Skipped, Refused int
		}
		IndexBuilt bool `json:"index_built"`
	}
	require.NoError(t, json.Unmarshal([]byte(m.ok(append(args, "--json")...)), &rep))
	require.True(t, rep.IndexBuilt, "the run after the kill builds the index the killed one dropped")
	require.Equal(t, want, postgresDump(t, url), "every row exactly once")
	require.Equal(t, before, fileHash(t, m.db), "the source file is unchanged")
	requireIndex(t, url)
	requireDerivedExact(t, url)

	out := m.ok(args...)
	require.Contains(t, out, "nothing to copy: every row is already in the destination")

	// The reverse direction, into a new file, which loads without the insert triggers and
	// secondary indexes of memories and builds them after the rows in one transaction:
	// killed mid-way through the memories, through the edges, before the build and inside
	// it (after its full-text step), and each time run again.
	back := newMachine(t, "hash-768")
	rargs := []string{"--config", back.home + "/vestige.toml", "migrate", "copy", "--from", "postgres", "--to", "sqlite",
		"--postgres-url", url, "--batch-size", "100"}
	for _, point := range []string{"memories:3", "edges:2", "search-index", "search-index:memories_fts"} {
		back.killAt(point, rargs...)
		requireSQLiteBuildPending(t, back.db, true)
	}
	back.ok(rargs...)
	require.Equal(t, want, sqliteDump(t, back.db))
	requireSQLiteDerivedExact(t, back.db)
	require.Contains(t, back.ok("search", "deploy pipeline", "--limit", "3"), "deploy")

	// Any other program that opens the file first finishes the build (here a search, after
	// a kill mid-way through the memories); the copy run again then writes the rest through
	// the triggers.
	other := newMachine(t, "hash-768")
	oargs := append([]string{}, rargs...)
	oargs[1] = other.home + "/vestige.toml"
	other.killAt("memories:4", oargs...)
	requireSQLiteBuildPending(t, other.db, true)
	other.ok("search", "deploy pipeline", "--limit", "3")
	requireSQLiteBuildPending(t, other.db, false)
	other.ok(oargs...)
	require.Equal(t, want, sqliteDump(t, other.db))
	requireSQLiteDerivedExact(t, other.db)
}

// requireSQLiteBuildPending checks whether a copy's build is due in the file (the table
// that keeps what the bulk load dropped).
func requireSQLiteBuildPending(t *testing.T, path string, pending bool) {
	t.Helper()
	conn, err := sqlite.OpenConn(path, sqlite.OpenReadOnly)
	require.NoError(t, err)
	defer conn.Close()
	n, err := sqlitex.ResultInt(conn.Prep(`SELECT count(*) FROM sqlite_master WHERE name = 'vestige_copy_deferred'`))
	require.NoError(t, err)
	require.Equal(t, pending, n == 1, "build pending")
}

// requireSQLiteDerivedExact checks a SQLite file against what its rows define: the schema
// of memories as a new store has it (every trigger and index back), the full-text index
// holding exactly the text of memories_fts_source (compared with an index built here from
// it), and new_cards.
func requireSQLiteDerivedExact(t *testing.T, path string) {
	t.Helper()
	fresh := filepath.Join(t.TempDir(), "fresh.db")
	st, err := sqlitestore.Open(context.Background(), fresh)
	require.NoError(t, err)
	require.NoError(t, st.Close())
	schema := func(path string) []string {
		conn, err := sqlite.OpenConn(path, sqlite.OpenReadOnly)
		require.NoError(t, err)
		defer conn.Close()
		var out []string
		require.NoError(t, sqlitex.ExecuteTransient(conn, `SELECT type || ' ' || name || ' ' || coalesce(sql, '')
			FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY 1`, &sqlitex.ExecOptions{
			ResultFunc: func(stmt *sqlite.Stmt) error { out = append(out, stmt.ColumnText(0)); return nil }}))
		return out
	}
	require.Equal(t, schema(fresh), schema(path), "the schema of a new store")

	conn, err := sqlite.OpenConn(path, sqlite.OpenReadWrite)
	require.NoError(t, err)
	defer conn.Close()
	for _, q := range []string{
		`CREATE VIRTUAL TABLE temp.want_fts USING fts5 (content, node_type, tags, tokenize = 'porter unicode61 remove_diacritics 0')`,
		`CREATE VIRTUAL TABLE temp.want_fts_i USING fts5vocab (temp, want_fts, instance)`,
		`INSERT INTO temp.want_fts (rowid, content, node_type, tags) SELECT rid, content, node_type, tags FROM memories_fts_source`,
	} {
		require.NoError(t, sqlitex.ExecuteTransient(conn, q, nil), q)
	}
	for _, q := range []string{
		`SELECT count(*) FROM (SELECT term, doc, col, offset FROM memories_fts_instances
		   EXCEPT SELECT term, doc, col, offset FROM temp.want_fts_i)`,
		`SELECT count(*) FROM (SELECT term, doc, col, offset FROM temp.want_fts_i
		   EXCEPT SELECT term, doc, col, offset FROM memories_fts_instances)`,
		`SELECT count(*) FROM (
			SELECT memory_id, created_at FROM new_cards
			EXCEPT SELECT m.id, m.created_at FROM memories m
			 WHERE NOT EXISTS (SELECT 1 FROM scheduling s WHERE s.memory_id = m.id AND s.next_review IS NOT NULL))`,
		`SELECT count(*) FROM (
			SELECT m.id, m.created_at FROM memories m
			 WHERE NOT EXISTS (SELECT 1 FROM scheduling s WHERE s.memory_id = m.id AND s.next_review IS NOT NULL)
			EXCEPT SELECT memory_id, created_at FROM new_cards)`,
	} {
		n, err := sqlitex.ResultInt(conn.Prep(q))
		require.NoError(t, err)
		require.Zero(t, n, "drift: %s", q)
	}
	n, err := sqlitex.ResultInt(conn.Prep(`SELECT count(*) FROM memories_fts_instances`))
	require.NoError(t, err)
	require.Positive(t, n, "the full-text index holds the memories")
}

func requireIndex(t *testing.T, url string) {
	t.Helper()
	st, err := pgstore.Open(context.Background(), pgstore.Options{URL: url})
	require.NoError(t, err)
	defer st.Close()
	present, wanted, err := st.VectorIndexState(context.Background())
	require.NoError(t, err)
	require.True(t, present && wanted, "HNSW index present")
}

// requireDerivedExact checks the tables triggers derive from memories (postings, counts, new
// cards) against memories, and that the indexes a copy drops for its load are back with
// every trigger of memories on.
func requireDerivedExact(t *testing.T, url string) {
	t.Helper()
	conn := testdb.Conn(t, url)
	var drift int
	require.NoError(t, conn.QueryRow(context.Background(), transfertest.DerivedDrift).Scan(&drift))
	require.Zero(t, drift, "memory_terms, term_stats, memory_count_shards and new_cards equal to what memories defines")
	var indexes, off int
	require.NoError(t, conn.QueryRow(context.Background(), `SELECT
			(SELECT count(*) FROM pg_index i JOIN pg_class x ON x.oid = i.indexrelid
			  WHERE i.indrelid = 'memories'::regclass AND i.indisvalid
			    AND x.relname IN ('idx_memories_fts', 'idx_memories_tags', 'idx_memories_domains',
			                      'idx_memories_node_type', 'idx_memories_created', 'idx_memories_updated')),
			(SELECT count(*) FROM pg_trigger WHERE tgrelid = 'memories'::regclass AND tgenabled = 'D')`).Scan(&indexes, &off))
	require.Equal(t, 6, indexes, "the secondary indexes of memories are back")
	require.Zero(t, off, "no trigger of memories is left off")
}

// TestReembedKilledAndRunAgain kills a re-embed mid-batch, before the index build and inside
// the switching transaction, on both backends; searches work between the runs (on the old
// model), and the last run finishes: every vector is the new model's, the registry says so,
// and nothing else changed.
func TestReembedKilledAndRunAgain(t *testing.T) {
	t.Parallel()
	shape := transfertest.Shape{Memories: 600, Scheduling: 200, Edges: 100, ReviewEvents: 20, Domains: 2}
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			m := newMachine(t, "hash-768")
			var base []string
			var open func() (store.Store, store.Dumper, func())
			if backend == "postgres" {
				url := testdb.New(t)
				fillPostgres(t, url, shape, 768)
				base = []string{"--postgres-url", url}
				open = func() (store.Store, store.Dumper, func()) {
					st, err := pgstore.Open(context.Background(), pgstore.Options{URL: url})
					require.NoError(t, err)
					return st, st, func() { _ = st.Close() }
				}
			} else {
				m.fillSQLite(shape, 768)
				open = func() (store.Store, store.Dumper, func()) {
					st, err := sqlitestore.Open(context.Background(), m.db)
					require.NoError(t, err)
					return st, st, func() { _ = st.Close() }
				}
			}
			args := append(append([]string{}, base...), "migrate", "reembed", "--model", "hash-1024", "--yes", "--batch-size", "100")

			m.killAt("batch:2", args...)
			m.ok(append(append([]string{}, base...), "search", "deploy pipeline", "--limit", "3")...)
			m.killAt("index", args...)
			// A memory changed meanwhile (with the old model, still the registered one) is
			// re-embedded inside the switch: kill it there.
			changed := transfertest.ID(7).String()
			m.ok(append(append([]string{}, base...), "update", changed, "--content", "changed while re-embedding: zanzibar")...)
			m.killAt("switch", args...)
			out := m.ok(append(append([]string{}, base...), "search", "zanzibar", "--limit", "3")...)
			require.Contains(t, out, changed, "searches still answer on the old model")
			st, d, done := open()
			mid := transfertest.WithoutVectors(dumpOf(t, d))
			model, err := st.Model(context.Background())
			require.NoError(t, err)
			require.Equal(t, 768, model.Dimension, "the killed switch changed nothing")
			done()

			res := m.ok(append(args, "--json")...)
			var rep struct {
				Resumed bool `json:"resumed"`
				To      store.ModelSignature
			}
			require.NoError(t, json.Unmarshal([]byte(res), &rep))
			require.True(t, rep.Resumed)

			st, d, done = open()
			defer done()
			model, err = st.Model(context.Background())
			require.NoError(t, err)
			require.Equal(t, rep.To, *model)
			require.Equal(t, 1024, model.Dimension)
			require.Equal(t, mid, transfertest.WithoutVectors(dumpOf(t, d)), "ids, content, times, scheduling, edges untouched")
			next := hash(t, 1024)
			var n int
			require.NoError(t, d.Dump(context.Background(), func(r store.Record) error {
				if r.Memory == nil {
					return nil
				}
				n++
				want, err := next.Embed(context.Background(), r.Memory.Content)
				require.NoError(t, err)
				require.Equal(t, want, r.Memory.Embedding, "memory %s", r.Memory.ID)
				return nil
			}))
			require.Equal(t, shape.Memories, n)
			if pg, ok := st.(*pgstore.Store); ok {
				present, wanted, err := pg.VectorIndexState(context.Background())
				require.NoError(t, err)
				require.True(t, present && wanted)
			}
			if backend == "sqlite" {
				requireSQLiteTriggers(t, m.db)
			}
			out = m.ok(append(base, "--config", m.home+"/vestige.toml", "migrate", "reembed", "--model", "hash-1024", "--yes")...)
			require.Contains(t, out, "nothing to re-embed")
		})
	}
}

func dumpOf(t *testing.T, d store.Dumper) []any {
	return exportOf(t, func() (store.Dumper, func()) { return d, func() {} })
}

// requireSQLiteTriggers checks that the switch put back the update triggers it dropped for
// its one statement, and left none of its own tables.
func requireSQLiteTriggers(t *testing.T, path string) {
	t.Helper()
	conn, err := sqlite.OpenConn(path, sqlite.OpenReadOnly)
	require.NoError(t, err)
	defer conn.Close()
	var names []string
	require.NoError(t, sqlitex.ExecuteTransient(conn, `SELECT name FROM sqlite_master
		WHERE name IN ('trg_memories_values_update', 'trg_memories_check_embedding_update')
		   OR name LIKE 'vestige_reembed%' ORDER BY name`, &sqlitex.ExecOptions{
		ResultFunc: func(stmt *sqlite.Stmt) error { names = append(names, stmt.ColumnText(0)); return nil }}))
	require.Equal(t, []string{"trg_memories_check_embedding_update", "trg_memories_values_update"}, names)
}
