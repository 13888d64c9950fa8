package cli_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vestige-mem/vestige/client/store/pgstore"
)

type healthOut struct {
	Backend  string `json:"backend"`
	Status   string `json:"status"`
	Reason   string `json:"reason"`
	Server   string `json:"server"`
	Pgvector *struct {
		Extension, Library, Minimum string
	} `json:"pgvector"`
	Schema *struct {
		Version, Latest int
		Functions       string
	} `json:"schema"`
	Model *struct {
		Name      string
		Dimension int
	} `json:"model"`
}

// health runs `vestige health` in both forms and checks the exit status against the
// status: 0 when healthy; 1 when degraded, which a healthy store may only be because the
// test server's pgvector predates the supported minimum (reported, never hidden).
func (e *env) health() (healthOut, string) {
	e.t.Helper()
	js := e.run("--json", "health")
	var h healthOut
	require.NoError(e.t, json.Unmarshal([]byte(js.stdout), &h), js.stdout)
	human := e.run("health")
	if h.Pgvector != nil && pgstore.VersionBelow(h.Pgvector.Library, h.Pgvector.Minimum) {
		require.Equal(e.t, "degraded", h.Status)
		require.Equal(e.t, 1, human.code)
		require.Contains(e.t, human.stderr, "vestige: store is degraded: pgvector "+h.Pgvector.Library+" is older than "+h.Pgvector.Minimum)
		require.Contains(e.t, human.stderr, "HNSW index corruption during vacuum")
		require.NotContains(e.t, h.Reason, "; ", "the old pgvector is the only problem")
		e.t.Logf("the test server's pgvector %s lacks the HNSW vacuum fix: degraded, as it should be", h.Pgvector.Library)
	} else {
		require.Equal(e.t, "healthy", h.Status, h.Reason)
		require.Equal(e.t, 0, human.code, human.stderr)
	}
	require.Equal(e.t, 0, strings.Count(human.stdout, "reason"), "the reason goes to stderr, once")
	return h, human.stdout
}

func TestHealthReportsVersions(t *testing.T) {
	forBoth(t, func(t *testing.T, e *env) {
		h, out := e.health()
		require.Equal(t, e.backend, h.Backend)
		require.NotNil(t, h.Schema)
		require.Equal(t, h.Schema.Latest, h.Schema.Version)
		require.Nil(t, h.Model, "no model before the first write")
		require.Contains(t, out, "\nmodel:     none registered\n")

		e.add("first")
		h, out = e.health()
		require.True(t, strings.HasPrefix(out, h.Status+" ("+e.backend+" at "), out)
		require.NotNil(t, h.Model)
		require.Equal(t, "hash-384", h.Model.Name)
		require.Contains(t, out, "\nmodel:     hash-384 (384 dimensions)\n")
		if e.backend == "sqlite" {
			require.True(t, strings.HasPrefix(h.Server, "SQLite 3."), h.Server)
			require.Nil(t, h.Pgvector)
			require.Equal(t, "built in", h.Schema.Functions)
			require.Contains(t, out, "\nserver:    SQLite 3.")
			require.NotContains(t, out, "pgvector")
			return
		}
		require.True(t, strings.HasPrefix(h.Server, "PostgreSQL "), h.Server)
		require.Contains(t, out, "\nserver:    PostgreSQL ")
		require.Equal(t, "current", h.Schema.Functions)
		require.Contains(t, out, "functions current\n")
		require.NotNil(t, h.Pgvector)
		require.Equal(t, pgstore.MinPgvector, h.Pgvector.Minimum)
		require.NotEmpty(t, h.Pgvector.Library)
		require.NotEmpty(t, h.Pgvector.Extension, "the migrations created the extension")
		require.Contains(t, out, "\npgvector:  ")
		if pgstore.VersionBelow(h.Pgvector.Library, h.Pgvector.Minimum) {
			require.Contains(t, out, "older than "+h.Pgvector.Minimum+", the oldest supported")
		}
		require.NotContains(t, out+h.Server, "vestige_test_pw", "no password in the output")
	})
}
