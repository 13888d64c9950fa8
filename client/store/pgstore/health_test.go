package pgstore_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vestige-mem/vestige/client/store"
	"github.com/vestige-mem/vestige/client/store/pgstore"
)

// TestHealthReportsServer checks the health check against what the real server says of
// itself: its version, the pgvector library on disk and the extension in the database, the
// SQL API, and that an old pgvector or a stale API degrades (not unavailable) with a reason.
func TestHealthReportsServer(t *testing.T) {
	ctx := context.Background()
	s := open(t, pgstore.Options{})
	var server, ext, lib string
	require.NoError(t, s.Pool().QueryRow(ctx, `SELECT current_setting('server_version'),
		(SELECT extversion FROM pg_extension WHERE extname = 'vector'),
		(SELECT default_version FROM pg_available_extensions WHERE name = 'vector')`).Scan(&server, &ext, &lib))

	h, err := s.HealthCheck(ctx)
	require.NoError(t, err)
	require.Equal(t, "PostgreSQL "+server, h.Server)
	require.Equal(t, &store.PgvectorHealth{Extension: ext, Library: lib, Minimum: pgstore.MinPgvector}, h.Pgvector)
	latest, err := pgstore.LatestVersion()
	require.NoError(t, err)
	require.Equal(t, &store.SchemaHealth{Version: latest, Latest: latest, Functions: "current"}, h.Schema)
	require.Nil(t, h.Model)
	if pgstore.VersionBelow(lib, pgstore.MinPgvector) {
		t.Logf("this server's pgvector %s lacks the HNSW vacuum fix: expecting degraded", lib)
		require.Equal(t, store.Degraded, h.Status)
		require.Contains(t, h.Reason, "pgvector "+lib+" is older than "+pgstore.MinPgvector)
	} else {
		require.Equal(t, store.Healthy, h.Status, h.Reason)
	}

	sig := store.ModelSignature{Name: "health-4", Dimension: 4, Hash: "health-4-v1"}
	require.NoError(t, s.EnsureModel(ctx, sig))
	h, err = s.HealthCheck(ctx)
	require.NoError(t, err)
	require.Equal(t, &sig, h.Model)

	_, err = s.Pool().Exec(ctx, `UPDATE vestige_functions SET hash = 'an older binary'`)
	require.NoError(t, err)
	h, err = s.HealthCheck(ctx)
	require.NoError(t, err)
	require.Equal(t, store.Degraded, h.Status)
	require.Contains(t, h.Reason, "SQL functions are stale: run `vestige schema up`")
	require.Equal(t, "stale", h.Schema.Functions)
	require.Equal(t, lib, h.Pgvector.Library, "the versions are still reported when degraded")
}

// TestHealthUnavailable: a server that does not answer is unavailable, and says nothing it
// did not see.
func TestHealthUnavailable(t *testing.T) {
	s := open(t, pgstore.Options{})
	s.Pool().Close()
	h, err := s.HealthCheck(context.Background())
	require.NoError(t, err)
	require.Equal(t, store.Unavailable, h.Status)
	require.NotEmpty(t, h.Reason)
	require.Empty(t, h.Server)
	require.Nil(t, h.Pgvector)
}

// requireHealthy accepts healthy, or degraded for the one reason a test machine may not be
// able to fix: its pgvector library predates MinPgvector (TestHealthReportsServer checks
// that case is reported). Any other reason fails.
func requireHealthy(t *testing.T, h store.Health) {
	t.Helper()
	if p := h.Pgvector; p != nil && h.Status == store.Degraded && pgstore.VersionBelow(p.Library, pgstore.MinPgvector) &&
		strings.HasPrefix(h.Reason, "pgvector "+p.Library+" is older than ") && !strings.Contains(h.Reason, "; ") {
		return
	}
	require.Equal(t, store.Healthy, h.Status, h.Reason)
}

// TestHealthReportsUnbuiltSearchIndexes: a copy killed between DropSearchIndexes and
// BuildSearchIndexes leaves searches and due without the copied rows; health says so (and
// how to finish) until the build, and is as before after it.
func TestHealthReportsUnbuiltSearchIndexes(t *testing.T) {
	ctx := context.Background()
	s := open(t, pgstore.Options{})
	before, err := s.HealthCheck(ctx)
	require.NoError(t, err)
	require.NotContains(t, before.Reason, "search indexes")

	require.NoError(t, s.DropSearchIndexes(ctx))
	h, err := s.HealthCheck(ctx)
	require.NoError(t, err)
	require.Equal(t, store.Degraded, h.Status)
	require.Contains(t, h.Reason, "search indexes idx_memories_node_type, idx_memories_created, idx_memories_updated, "+
		"idx_memories_domains, idx_memories_tags, idx_memories_fts are missing")
	require.Contains(t, h.Reason, "run `vestige migrate copy` again")

	require.NoError(t, s.BuildSearchIndexes(ctx, func(string, time.Duration) {}))
	after, err := s.HealthCheck(ctx)
	require.NoError(t, err)
	require.Equal(t, before, after)
}
