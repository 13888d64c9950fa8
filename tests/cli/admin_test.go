package cli_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vestige-mem/vestige/client/store/pgstore"
)

func TestStatsHealthVacuumDue(t *testing.T) {
	forBoth(t, func(t *testing.T, e *env) {
		a := e.add("first", "--created-at", "2024-01-01T00:00:00Z")
		b := e.add("second", "--created-at", "2024-02-01T00:00:00Z")
		e.ok("link", a, b)

		var st struct {
			Backend        string `json:"backend"`
			Location       string `json:"location"`
			Memories       int    `json:"memories"`
			WithEmbeddings int    `json:"with_embeddings"`
			Edges          int    `json:"edges"`
			ModelName      string `json:"model_name"`
			ModelDimension int    `json:"model_dimension"`
		}
		e.okJSON(&st, "stats")
		require.Equal(t, e.backend, st.Backend)
		require.Equal(t, 2, st.Memories)
		require.Equal(t, 2, st.WithEmbeddings)
		require.Equal(t, 1, st.Edges)
		require.Equal(t, "hash-384", st.ModelName)
		require.Equal(t, 384, st.ModelDimension)
		if e.backend == "sqlite" {
			require.Equal(t, filepath.Join(e.home, ".vestige", "vestige.db"), st.Location)
		} else {
			require.True(t, strings.HasPrefix(st.Location, "postgres://"))
			require.NotContains(t, st.Location, "vestige_test_pw", "no password in the location")
		}
		out := e.ok("stats")
		require.Contains(t, out, "memories         2")
		require.Contains(t, out, "model            hash-384 (384 dimensions)")

		h, out := e.health()
		require.True(t, strings.HasPrefix(out, h.Status+" ("+e.backend+" at "), out)
		require.Equal(t, e.backend, h.Backend)

		require.Equal(t, "vacuumed\n", e.ok("vacuum"))
		var v map[string]bool
		e.okJSON(&v, "vacuum")
		require.True(t, v["vacuumed"])

		var due []struct {
			Memory     memoryJSON `json:"memory"`
			Scheduling any        `json:"scheduling"`
			DueAt      string     `json:"due_at"`
		}
		e.okJSON(&due, "due", "--before", "2024-01-15")
		require.Len(t, due, 1)
		require.Equal(t, a, due[0].Memory.ID)
		require.Nil(t, due[0].Scheduling, "a new card")
		require.Equal(t, "2024-01-01T00:00:00Z", due[0].DueAt)
		e.okJSON(&due, "due", "-n", "1")
		require.Len(t, due, 1)
		out = e.ok("due")
		require.Equal(t, []string{"DUE", "STATE", "ID", "CONTENT"}, fields(lines(out)[0]))
		require.Contains(t, lines(out)[1], "2024-01-01T00:00:00Z  new")
		require.Equal(t, "nothing is due\n", e.ok("due", "--before", "2023-01-01T00:00:00Z"))
		e.fails(2, []string{"due", "--before", "soon"}, "--before")
	})
}

func TestSchemaCommands(t *testing.T) {
	forBoth(t, func(t *testing.T, e *env) {
		type status struct {
			Backend   string `json:"backend"`
			Version   int    `json:"version"`
			Latest    int    `json:"latest"`
			Functions string `json:"functions"`
			Current   bool   `json:"current"`
		}
		var st status
		e.okJSON(&st, "schema", "status")
		require.Equal(t, e.backend, st.Backend, "schema acts on the configured backend")
		if e.backend == "sqlite" {
			require.Equal(t, status{Backend: "sqlite", Latest: latestSchema(t), Functions: "built in"}, st, "no store yet")
		} else {
			require.Equal(t, status{Backend: "postgres", Version: latestSchema(t), Latest: latestSchema(t), Functions: "current", Current: true}, st)
		}
		out := e.ok("schema", "up")
		require.Contains(t, out, "schema is up to date")
		require.Contains(t, out, fmt.Sprintf("version:   %d of %d", latestSchema(t), latestSchema(t)))
		id := e.add("kept across nothing")

		out = e.ok("schema", "down")
		require.Contains(t, out, "schema reverted to version 0")
		e.okJSON(&st, "schema", "status")
		require.Equal(t, 0, st.Version)
		require.False(t, st.Current)

		// A store whose schema was removed is empty once it is brought back (here by the
		// automatic migration on open, the default).
		e.ok("schema", "up")
		e.fails(1, []string{"get", id}, "not found")
		e.fails(2, []string{"schema", "down", "--to", "9"}, fmt.Sprintf("--to 9 is outside 0..%d", latestSchema(t)))
		e.fails(2, []string{"schema", "sideways"}, "unexpected argument")
	})
}

// latestSchema is the newest schema version this vestige has (the same on both backends).
func latestSchema(t *testing.T) int {
	t.Helper()
	v, err := pgstore.LatestVersion()
	require.NoError(t, err)
	return int(v)
}
