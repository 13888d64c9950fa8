package migrate_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
	"zombiezen.com/go/sqlite"
	"zombiezen.com/go/sqlite/sqlitex"

	"github.com/vestige-mem/vestige/client/transfer/transfertest"
	"github.com/vestige-mem/vestige/tests/testdb"
)

var smallShape = transfertest.Shape{Memories: 60, Scheduling: 20, Edges: 10, ReviewEvents: 5, Domains: 2}

// spoil writes three rows into the SQLite file that the schema would refuse, with its checks
// switched off: a memory whose id is not a UUID, a scheduling row of a memory that does not
// exist, an edge of weight 1.5.
func spoil(t *testing.T, path string) {
	t.Helper()
	conn, err := sqlite.OpenConn(path, sqlite.OpenReadWrite)
	require.NoError(t, err)
	defer conn.Close()
	require.NoError(t, sqlitex.ExecuteScript(conn, `
		PRAGMA foreign_keys = OFF;
		PRAGMA ignore_check_constraints = ON;
		DROP TRIGGER trg_memories_values_insert;
		INSERT INTO memories (id, content) VALUES ('not-a-uuid-at-all-but-36-characters!', 'a mangled id');
		INSERT INTO scheduling (memory_id, stability, difficulty, state, reps, last_review, next_review)
			VALUES ('00000000-0000-4000-8000-00000000beef', 1, 1, 2, 1, 1700000000000000, 1700086400000000);
		DROP TRIGGER trg_edges_values_insert;
		INSERT INTO edges (source_id, target_id, edge_type, weight)
			VALUES ('`+transfertest.ID(1).String()+`', '`+transfertest.ID(2).String()+`', 'heavy', 1.5);
	`, nil))
}

type copyJSON struct {
	From    string `json:"from"`
	To      string `json:"to"`
	DryRun  bool   `json:"dry_run"`
	Tables  []tableJSON
	Refused []struct {
		Table, Key, Reason string
	}
	Seconds           float64 `json:"seconds"`
	IndexBuilt        bool    `json:"index_built"`
	IndexSeconds      float64 `json:"index_seconds"`
	MemoriesPerSecond float64 `json:"memories_per_second"`
}

type tableJSON struct {
	Table                          string
	Read, Copied, Skipped, Refused int
}

func (c copyJSON) table(name string) tableJSON {
	for _, t := range c.Tables {
		if t.Table == name {
			return t
		}
	}
	return tableJSON{}
}

// TestCopyRefusedRows: bad rows are reported by table and key, every other row is copied,
// and the exit status says rows were refused; a second run refuses the same rows again and
// copies nothing.
func TestCopyRefusedRows(t *testing.T) {
	t.Parallel()
	m := newMachine(t, "hash-768")
	m.fillSQLite(smallShape, 768)
	spoil(t, m.db)
	url := testdb.New(t)
	args := []string{"migrate", "copy", "--from", "sqlite", "--to", "postgres", "--postgres-url", url, "--json"}
	r := m.run(args...)
	require.Equal(t, 1, r.code, r.stderr)
	require.Contains(t, r.stderr, "3 rows were refused")
	var rep copyJSON
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &rep), r.stdout)
	byTable := map[string]string{}
	for _, x := range rep.Refused {
		byTable[x.Table] = x.Key + ": " + x.Reason
	}
	require.Len(t, byTable, 3, "%+v", rep.Refused)
	require.Contains(t, byTable["memories"], "not-a-uuid-at-all-but-36-characters!")
	require.Contains(t, byTable["scheduling"], "00000000-0000-4000-8000-00000000beef")
	require.Contains(t, byTable["scheduling"], "neither in the store nor in the import")
	require.Contains(t, byTable["edges"], "weight")
	require.Equal(t, tableJSON{Table: "memories", Read: smallShape.Memories + 1, Copied: smallShape.Memories, Refused: 1}, rep.table("memories"))
	require.Equal(t, tableJSON{Table: "edges", Read: smallShape.Edges + 1, Copied: smallShape.Edges, Refused: 1}, rep.table("edges"))

	r = m.run(args...)
	require.Equal(t, 1, r.code)
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &rep))
	require.Equal(t, tableJSON{Table: "memories", Read: smallShape.Memories + 1, Skipped: smallShape.Memories, Refused: 1}, rep.table("memories"))
}

// TestCopyRefusals: a registry mismatch (refused naming both models, nothing written; with
// --reembed copied and re-embedded), a source that does not exist, an unreachable
// destination, --from equal to --to, a dry run (nothing written, not even the schema).
func TestCopyRefusals(t *testing.T) {
	t.Parallel()
	m := newMachine(t, "hash-768")
	m.fillSQLite(smallShape, 768)

	t.Run("mismatch", func(t *testing.T) {
		t.Parallel()
		url := testdb.New(t)
		fillPostgres(t, url, transfertest.Shape{}, 384) // only the registry: hash-384
		args := []string{"migrate", "copy", "--from", "sqlite", "--to", "postgres", "--postgres-url", url}
		r := m.run(args...)
		require.Equal(t, 1, r.code)
		require.Contains(t, r.stderr, "hash-384 (384 dimensions")
		require.Contains(t, r.stderr, "hash-768 (768 dimensions")
		require.Contains(t, r.stderr, "--reembed")
		require.Zero(t, countRows(t, url, "memories"), "nothing written")

		out := m.ok(append(args, "--reembed")...)
		require.Contains(t, out, "re-embedded")
		require.EqualValues(t, smallShape.Memories, countRows(t, url, "memories"))
		require.EqualValues(t, smallShape.Memories, scalar(t, url, `SELECT count(*) FROM memories WHERE vector_dims(embedding) = 384`))
	})
	t.Run("missing source", func(t *testing.T) {
		t.Parallel()
		url := testdb.Empty(t)
		missing := filepath.Join(t.TempDir(), "nowhere.db")
		r := m.run("migrate", "copy", "--from", "sqlite", "--to", "postgres", "--postgres-url", url, "--sqlite-path", missing)
		require.Equal(t, 1, r.code)
		require.Contains(t, r.stderr, "nowhere.db")
		require.Contains(t, r.stderr, "no such file")
		require.NoFileExists(t, missing)
		require.Zero(t, scalar(t, url, `SELECT count(*) FROM pg_tables WHERE schemaname = 'public'`), "nothing written")
	})
	t.Run("unreachable destination", func(t *testing.T) {
		t.Parallel()
		before := fileHash(t, m.db)
		r := m.run("migrate", "copy", "--from", "sqlite", "--to", "postgres",
			"--postgres-url", "postgres://someone:s3cret-pw@127.0.0.1:1/nothing?connect_timeout=2")
		require.Equal(t, 1, r.code)
		require.Contains(t, r.stderr, "open the destination (postgres postgres://someone")
		require.NotContains(t, r.stderr+r.stdout, "s3cret-pw")
		require.Equal(t, before, fileHash(t, m.db))
	})
	t.Run("same backend", func(t *testing.T) {
		t.Parallel()
		r := m.run("migrate", "copy", "--from", "sqlite", "--to", "sqlite")
		require.Equal(t, 2, r.code)
		require.Contains(t, r.stderr, "--from and --to are both sqlite")
	})
	t.Run("dry run", func(t *testing.T) {
		t.Parallel()
		url := testdb.Empty(t)
		var rep copyJSON
		out := m.ok("migrate", "copy", "--from", "sqlite", "--to", "postgres", "--postgres-url", url, "--dry-run", "--json")
		require.NoError(t, json.Unmarshal([]byte(out), &rep))
		require.True(t, rep.DryRun)
		require.Equal(t, tableJSON{Table: "memories", Read: smallShape.Memories}, rep.table("memories"))
		require.Equal(t, tableJSON{Table: "scheduling", Read: smallShape.Scheduling}, rep.table("scheduling"))
		require.Zero(t, scalar(t, url, `SELECT count(*) FROM pg_tables WHERE schemaname = 'public'`), "nothing written")
		human := m.ok("migrate", "copy", "--from", "sqlite", "--to", "postgres", "--postgres-url", url, "--dry-run")
		require.Contains(t, human, "dry run: nothing was written")
	})
}

// TestCopyJSONShape pins the --json report's keys.
func TestCopyJSONShape(t *testing.T) {
	t.Parallel()
	m := newMachine(t, "hash-768")
	m.fillSQLite(smallShape, 768)
	url := testdb.New(t)
	out := m.ok("migrate", "copy", "--from", "sqlite", "--to", "postgres", "--postgres-url", url, "--json")
	var v map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &v))
	keys := []string{}
	for k := range v {
		keys = append(keys, k)
	}
	require.ElementsMatch(t, []string{"from", "to", "dry_run", "model", "tables", "refused", "seconds", "index_built",
		"index_seconds", "builds", "memories_per_second"}, keys)
	require.Len(t, v["builds"], 7, "into an empty Postgres: the postings and six indexes built after the rows")
	require.Equal(t, "sqlite", v["from"])
	require.Equal(t, "postgres", v["to"])
	require.Equal(t, []any{}, v["refused"])
	tables := v["tables"].([]any)
	require.Len(t, tables, 7)
	require.Equal(t, map[string]any{"table": "memories", "read": float64(smallShape.Memories),
		"copied": float64(smallShape.Memories), "skipped": 0.0, "refused": 0.0}, tables[3])
	require.Equal(t, true, v["index_built"])

	var rr map[string]any
	rout := m.ok("--postgres-url", url, "migrate", "reembed", "--model", "hash-1024", "--dry-run", "--json")
	require.NoError(t, json.Unmarshal([]byte(rout), &rr))
	require.Equal(t, true, rr["dry_run"])
	require.Equal(t, float64(smallShape.Memories), rr["embedded"])
	require.Equal(t, float64(1), rr["embedder_calls"]) // 60 memories, batches of 256
	require.Greater(t, rr["estimate_seconds"], 0.0)
	require.EqualValues(t, 768, scalar(t, url, `SELECT dimension FROM embedding_model`), "a dry run writes nothing")
	require.Zero(t, scalar(t, url, `SELECT count(*) FROM pg_attribute WHERE attrelid = 'memories'::regclass AND attname = 'embedding_next'`))

	r := m.run("--postgres-url", url, "migrate", "reembed", "--model", "hash-1024")
	require.Equal(t, 2, r.code, "no terminal to confirm on and no --yes")
	require.Contains(t, r.stderr, "Back up the store first: pg_dump")
	require.Contains(t, r.stderr, "--yes")
	require.EqualValues(t, 768, scalar(t, url, `SELECT dimension FROM embedding_model`))

	rout = m.ok("--postgres-url", url, "migrate", "reembed", "--model", "hash-1024", "--yes", "--json")
	require.NoError(t, json.Unmarshal([]byte(rout), &rr))
	for _, k := range []string{"from", "to", "resumed", "memories", "embedded", "at_switch", "embedder_calls", "seconds",
		"embed_seconds", "index_built", "index_seconds", "switch_seconds", "memories_per_second", "nothing_to_do", "dry_run"} {
		require.Contains(t, rr, k)
	}
	require.Equal(t, map[string]any{"name": "hash-1024", "dimension": 1024.0, "hash": rr["to"].(map[string]any)["hash"]}, rr["to"])
}

func countRows(t *testing.T, url, table string) int64 {
	return scalar(t, url, `SELECT count(*) FROM `+pgx.Identifier{table}.Sanitize())
}

func scalar(t *testing.T, url, sql string) int64 {
	t.Helper()
	conn := testdb.Conn(t, url)
	var n int64
	require.NoError(t, conn.QueryRow(context.Background(), sql).Scan(&n))
	return n
}
