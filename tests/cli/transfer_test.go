package cli_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vestige-mem/vestige/tests/testdb"
)

// records parses JSON Lines into JSON values: two exports are equal when these are.
func records(t *testing.T, jsonl string) []any {
	t.Helper()
	var out []any
	for i, l := range lines(jsonl) {
		var v any
		require.NoError(t, json.Unmarshal([]byte(l), &v), "line %d", i+1)
		out = append(out, v)
	}
	return out
}

func kinds(recs []any) map[string]int {
	out := map[string]int{}
	for _, r := range recs {
		out[r.(map[string]any)["type"].(string)]++
	}
	return out
}

// fill gives a store one row of every kind the CLI can write.
func fill(t *testing.T, e *env) []string {
	a := e.add("The deploy pipeline runs on GitHub Actions", "--tag", "ci", "--domain", "infra",
		"--metadata", `{"source":"chat","nested":{"n":[1,2.5,"x",null,true]}}`, "--created-at", "2024-03-01T10:00:00.123456Z")
	b := e.add("Alice prefers green tea & <biscuits>", "--type", "preference", "--created-at", "2024-03-01T10:00:00.123456Z")
	c := e.add("no vector for this one: ???")
	d := e.add("!!!") // nothing to embed: stored without a vector
	e.ok("link", a, b, "--weight", "0.25")
	e.ok("link", b, c, "--type", "causes")
	e.ok("domains", "upsert", "infra", "--label", "Infrastructure", "--centroid-text", "deploy pipeline servers",
		"--top-term", "deploy", "--metadata", `{"k":"v"}`)
	e.ok("domains", "upsert", "Zeta")
	return []string{a, b, c, d}
}

func TestExportImportAcrossBackends(t *testing.T) {
	t.Parallel()
	src := postgresEnv(t)
	ids := fill(t, src)
	// Reviews exist only through the SQL API so far: give two memories scheduling rows and
	// review events, as vestige_review writes them.
	conn := testdb.Conn(t, src.vars["VESTIGE_POSTGRES_URL"])
	for i, at := range []string{"2024-03-02T09:00:00Z", "2024-03-05T09:00:00Z"} {
		_, err := conn.Exec(context.Background(), `SELECT vestige_review(memory_id => $1::uuid, rating => $2::integer, reviewed_at => $3::timestamptz)`,
			ids[0], 3+i, at)
		require.NoError(t, err)
	}
	_, err := conn.Exec(context.Background(), `SELECT vestige_review(memory_id => $1::uuid, rating => 1, reviewed_at => '2024-03-02T10:00:00Z')`, ids[1])
	require.NoError(t, err)

	pgDump := src.ok("export")
	want := records(t, pgDump)
	require.Equal(t, map[string]int{"embedding_model": 1, "fsrs_parameters": 1, "domain": 2, "memory": 4,
		"scheduling": 2, "edge": 2, "review_event": 3}, kinds(want))
	require.Contains(t, pgDump, `"content":"Alice prefers green tea & <biscuits>"`, "no HTML escaping")

	// Postgres → SQLite (from a file) → export: the same records.
	lite := sqliteEnv(t)
	file := filepath.Join(lite.home, "dump.jsonl")
	require.NoError(t, os.WriteFile(file, []byte(pgDump), 0o600))
	out := lite.ok("import", file)
	require.Equal(t, fmt.Sprintf("imported %d new rows from %d records (0 already present)\n", len(want), len(want)), out)
	liteDump := lite.ok("export")
	require.Equal(t, want, records(t, liteDump), "postgres → sqlite → export gives equal records")

	// SQLite → a fresh Postgres (from standard input) → export: the same again.
	pg2 := postgresEnv(t)
	r := pg2.runWithInput(liteDump, "--json", "import")
	require.Equal(t, 0, r.code, r.stderr)
	var sum map[string]int
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &sum))
	require.Equal(t, len(want), sum["read"])
	require.Equal(t, want, records(t, pg2.ok("export")), "sqlite → postgres → export gives equal records")

	// Importing again writes nothing.
	require.Equal(t, fmt.Sprintf("imported 0 new rows from %d records (%d already present)\n", len(want), len(want)),
		lite.ok("import", file))

	// The imported store is a working store: search, graph and stats see the rows.
	var res []searchResultJSON
	lite.okJSON(&res, "search", "green tea")
	require.Equal(t, ids[1], res[0].Memory.ID)
	var st struct {
		Memories     int `json:"memories"`
		ReviewEvents int `json:"review_events"`
	}
	lite.okJSON(&st, "stats")
	require.Equal(t, 4, st.Memories)
	require.Equal(t, 3, st.ReviewEvents)

	// export -o writes a private file and says what it wrote.
	path := filepath.Join(lite.home, "out", "..", "copy.jsonl")
	out = lite.ok("export", "-o", path)
	require.True(t, strings.HasPrefix(out, fmt.Sprintf("exported %d records to ", len(want))), out)
	require.Contains(t, out, "4 memory")
	info, err := os.Stat(filepath.Join(lite.home, "copy.jsonl"))
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), info.Mode().Perm())
	data, err := os.ReadFile(filepath.Join(lite.home, "copy.jsonl"))
	require.NoError(t, err)
	require.Equal(t, want, records(t, string(data)))
	var exp struct {
		Records int            `json:"records"`
		Counts  map[string]int `json:"counts"`
	}
	lite.okJSON(&exp, "export", "--output", filepath.Join(lite.home, "copy2.jsonl"))
	require.Equal(t, len(want), exp.Records)
	require.Equal(t, 3, exp.Counts["review_event"])
}

func TestExportImportSQLiteToPostgres(t *testing.T) {
	t.Parallel()
	lite := sqliteEnv(t)
	fill(t, lite)
	dump := lite.ok("export")
	want := records(t, dump)
	require.Equal(t, map[string]int{"embedding_model": 1, "fsrs_parameters": 1, "domain": 2, "memory": 4, "edge": 2},
		kinds(want))
	pg := postgresEnv(t)
	r := pg.runWithInput(dump, "import", "-")
	require.Equal(t, 0, r.code, r.stderr)
	require.Equal(t, want, records(t, pg.ok("export")))
}

func TestExportOfAnEmptyStore(t *testing.T) {
	forBoth(t, func(t *testing.T, e *env) {
		recs := records(t, e.ok("export"))
		require.Equal(t, map[string]int{"fsrs_parameters": 1}, kinds(recs), "a store nobody wrote to")
		var st struct {
			ModelName string `json:"model_name"`
		}
		e.okJSON(&st, "stats")
		require.Empty(t, st.ModelName, "export registers no model")
	})
}

func TestImportRefusesBadInput(t *testing.T) {
	forBoth(t, func(t *testing.T, e *env) {
		id := e.add("already here")
		write := func(name, text string) string {
			p := filepath.Join(e.home, name)
			require.NoError(t, os.WriteFile(p, []byte(text), 0o600))
			return p
		}

		// A dump of a store whose vectors come from another model.
		other := sqliteEnv(t)
		require.NoError(t, os.MkdirAll(filepath.Join(other.home, ".vestige"), 0o700))
		require.NoError(t, os.WriteFile(filepath.Join(other.home, ".vestige", "vestige.toml"),
			[]byte("[embeddings]\nprovider = \"hash\"\nmodel = \"hash-64\"\n"), 0o600))
		other.add("from another model")
		p := write("other.jsonl", other.ok("export"))
		e.fails(1, []string{"import", p}, "embedding model mismatch", "hash-384", "hash-64")

		p = write("garbage.jsonl", "{\"type\":\"fsrs_parameters\"\nnot json\n")
		e.fails(1, []string{"import", p}, "line 1")
		p = write("unknown.jsonl", "\n{\"type\":\"memo\",\"id\":\"x\"}\n")
		e.fails(1, []string{"import", p}, "line 2", `unknown record type "memo"`)
		p = write("field.jsonl", `{"type":"memory","id":"`+id+`","colour":"red"}`+"\n")
		e.fails(1, []string{"import", p}, `unknown field "colour"`)
		p = write("edge.jsonl", `{"type":"edge","source_id":"`+id+`","target_id":"0190a1b2-0000-7000-8000-0000000000ff","edge_type":"related","weight":1,"created_at":"2024-01-01T00:00:00Z"}`+"\n")
		e.fails(1, []string{"import", p}, "lines 1-1", "edge "+id, "refers to a memory that is neither in the store nor in the import")
		e.fails(1, []string{"import", filepath.Join(e.home, "missing.jsonl")}, "no such file")

		var st struct{ Memories int }
		e.okJSON(&st, "stats")
		require.Equal(t, 1, st.Memories, "nothing was imported")
	})
}
