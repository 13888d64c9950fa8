package pgstore_test

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/vestige-mem/vestige/client/store"
	"github.com/vestige-mem/vestige/client/store/pgstore"
	"github.com/vestige-mem/vestige/client/store/storetest"
	"github.com/vestige-mem/vestige/tests/testdb"
)

const secret = "s3cr3t-Passw0rd"

func TestOpenBadURLHidesPassword(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		name, url, mentions string
	}{
		{"unreachable", "postgres://vestige:" + secret + "@127.0.0.1:1/vestige?sslmode=disable", "127.0.0.1"},
		{"password in query", "postgres://vestige@127.0.0.1:1/vestige?sslmode=disable&password=" + secret, "127.0.0.1"},
		{"keyword form", "host=127.0.0.1 port=1 user=vestige password=" + secret + " sslmode=disable", "127.0.0.1"},
		{"quoted keyword form", "host=127.0.0.1 port=1 password='" + secret + " x' sslmode=disable", "127.0.0.1"},
		{"bad port", "postgres://vestige:" + secret + "@127.0.0.1:notaport/vestige", "url"},
		{"bad escape", "postgres://vestige:" + secret + "%zz@127.0.0.1/vestige", "url"},
		{"unknown parameter", "postgres://vestige:" + secret + "@127.0.0.1:1/vestige?sslmode=bogus", "url"},
		{"escaped password", "postgres://vestige:" + url.QueryEscape(secret+"/?@") + "@127.0.0.1:1/vestige?sslmode=disable", "127.0.0.1"},
	} {
		t.Run(c.name, func(t *testing.T) {
			start := time.Now()
			s, err := pgstore.Open(ctx, pgstore.Options{URL: c.url, AcquireTimeout: 5 * time.Second})
			require.Error(t, err)
			require.Nil(t, s)
			require.Less(t, time.Since(start), 15*time.Second)
			msg := err.Error()
			require.NotContains(t, msg, secret)
			require.NotContains(t, msg, url.QueryEscape(secret))
			require.Contains(t, msg, c.mentions, "the error says what failed: %s", msg)
			t.Log(msg)
		})
	}
}

func TestOpenRejectsUnknownExecMode(t *testing.T) {
	_, err := pgstore.Open(context.Background(), pgstore.Options{URL: "postgres://x@127.0.0.1:1/x", ExecMode: "turbo"})
	var iie *store.InvalidInputError
	require.ErrorAs(t, err, &iie)
	require.Equal(t, "exec_mode", iie.Field)
}

func TestOpenWithoutAutoMigrateOnEmptyDatabase(t *testing.T) {
	_, err := pgstore.Open(context.Background(), pgstore.Options{URL: testdb.Empty(t)})
	require.ErrorIs(t, err, store.ErrSchemaBehind)
	require.ErrorIs(t, err, store.ErrSchemaBehind)
}

func TestOpenAutoMigratesEmptyDatabase(t *testing.T) {
	ctx := context.Background()
	dbURL := testdb.Empty(t)
	s := open(t, pgstore.Options{URL: dbURL, AutoMigrate: true})
	st := status(t, dbURL)
	require.True(t, st.Current(), "%+v", st)

	// The pool's connections registered pgvector's types after the migration made them.
	require.NoError(t, s.EnsureModel(ctx, store.ModelSignature{Name: "m", Dimension: 3, Hash: "h"}))
	m, err := s.Insert(ctx, store.Memory{Content: "after auto-migrate", Embedding: []float32{1, 2, 3}})
	require.NoError(t, err)
	back, err := s.Get(ctx, m.ID)
	require.NoError(t, err)
	require.Equal(t, []float32{1, 2, 3}, back.Embedding)

	var app string
	require.NoError(t, s.Pool().QueryRow(ctx, `SELECT current_setting('application_name')`).Scan(&app))
	require.Equal(t, "vestige", app)

	// A second open of a current schema with auto-migrate is a no-op.
	open(t, pgstore.Options{URL: dbURL, AutoMigrate: true})
}

func status(t *testing.T, dbURL string) pgstore.SchemaStatus {
	t.Helper()
	st, err := pgstore.Status(context.Background(), testdb.Conn(t, dbURL))
	require.NoError(t, err)
	return st
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	dbURL := testdb.New(t)
	_, err := testdb.Conn(t, dbURL).Exec(context.Background(), `UPDATE `+pgstore.VersionTable+` SET version = version + 1`)
	require.NoError(t, err)
	for _, auto := range []bool{false, true} {
		_, err := pgstore.Open(context.Background(), pgstore.Options{URL: dbURL, AutoMigrate: auto})
		require.ErrorContains(t, err, "newer")
	}
	latest, err := pgstore.LatestVersion()
	require.NoError(t, err)
	require.Equal(t, latest+1, status(t, dbURL).Version, "nothing was migrated down")
}

func TestHealthCheck(t *testing.T) {
	ctx := context.Background()
	dbURL := testdb.New(t)
	s := open(t, pgstore.Options{URL: dbURL})
	conn := testdb.Conn(t, dbURL)
	health, err := s.HealthCheck(ctx)
	require.NoError(t, err)
	requireHealthy(t, health)

	// Stale functions: degraded, and a store without auto-migrate still opens.
	_, err = conn.Exec(ctx, `UPDATE vestige_functions SET hash = 'stale'`)
	require.NoError(t, err)
	health, err = s.HealthCheck(ctx)
	require.NoError(t, err)
	require.Equal(t, store.Degraded, health.Status)
	require.Contains(t, health.Reason, "stale")
	stale := open(t, pgstore.Options{URL: dbURL})
	health, err = stale.HealthCheck(ctx)
	require.NoError(t, err)
	require.Equal(t, store.Degraded, health.Status)

	// Init repairs it.
	require.NoError(t, stale.Init(ctx))
	health, err = s.HealthCheck(ctx)
	require.NoError(t, err)
	requireHealthy(t, health)
	_, err = stale.Count(ctx)
	require.NoError(t, err, "the store works after Init reinstalled the functions")
	_, err = stale.Search(ctx, store.SearchQuery{Text: "anything"})
	require.NoError(t, err)

	// Schema behind: degraded.
	_, err = conn.Exec(ctx, `UPDATE `+pgstore.VersionTable+` SET version = 0`)
	require.NoError(t, err)
	health, err = s.HealthCheck(ctx)
	require.NoError(t, err)
	require.Equal(t, store.Degraded, health.Status)
	require.Contains(t, health.Reason, "behind")
	latest, err := pgstore.LatestVersion()
	require.NoError(t, err)
	_, err = conn.Exec(ctx, `UPDATE `+pgstore.VersionTable+` SET version = $1`, latest)
	require.NoError(t, err)

	// No server: unavailable, which is a result, not an error.
	require.NoError(t, s.Close())
	health, err = s.HealthCheck(ctx)
	require.NoError(t, err)
	require.Equal(t, store.Unavailable, health.Status)
	require.NotEmpty(t, health.Reason)
}

// TestStatementCacheSurvivesModelRegistration: registering the model retypes
// memories.embedding to vector(N); statements prepared before must keep working on the same
// connection (a changed result type fails a prepared statement once).
func TestStatementCacheSurvivesModelRegistration(t *testing.T) {
	ctx := context.Background()
	s := open(t, pgstore.Options{MaxConnections: 1})
	m, err := s.Insert(ctx, store.Memory{Content: "before registration"})
	require.NoError(t, err)
	_, err = s.Get(ctx, m.ID)
	require.NoError(t, err)
	_, err = s.Neighbors(ctx, m.ID, 1, "")
	require.NoError(t, err)
	_, err = s.DueMemories(ctx, time.Now(), 5)
	require.NoError(t, err)
	_, err = s.Search(ctx, store.SearchQuery{Text: "registration"})
	require.NoError(t, err)

	require.NoError(t, s.EnsureModel(ctx, store.ModelSignature{Name: "m", Dimension: 2, Hash: "h"}))
	m.Embedding = []float32{0.5, 0.5}
	_, err = s.Update(ctx, m)
	require.NoError(t, err)
	back, err := s.Get(ctx, m.ID)
	require.NoError(t, err)
	require.Equal(t, []float32{0.5, 0.5}, back.Embedding)
	_, err = s.Neighbors(ctx, m.ID, 1, "")
	require.NoError(t, err)
	_, err = s.DueMemories(ctx, time.Now(), 5)
	require.NoError(t, err)
	rs, err := s.Search(ctx, store.SearchQuery{Text: "registration", Embedding: []float32{1, 1}})
	require.NoError(t, err)
	require.Len(t, rs, 1)
}

// TestExecModes: every exec mode (the pgbouncer-safe ones included) runs the whole suite's
// kinds of statement; simple_protocol runs the full conformance suite.
func TestExecModes(t *testing.T) {
	ctx := context.Background()
	for _, mode := range []string{"cache_statement", "cache_describe", "describe_exec", "exec", "simple_protocol"} {
		t.Run(mode, func(t *testing.T) {
			s := open(t, pgstore.Options{ExecMode: mode})
			require.NoError(t, s.EnsureModel(ctx, store.ModelSignature{Name: "m", Dimension: 3, Hash: "h"}))
			at := time.Date(2024, 1, 2, 3, 4, 5, 6000, time.UTC)
			a, err := s.Insert(ctx, store.Memory{Content: "exec mode alpha", Tags: []string{"t"}, Domains: []string{"d"},
				DomainScores: map[string]float64{"d": 0.5}, Metadata: map[string]any{"k": []any{"v", 1.5}},
				Embedding: []float32{1, 0, 0.25}, CreatedAt: at, UpdatedAt: at})
			require.NoError(t, err)
			b, err := s.Insert(ctx, store.Memory{Content: "exec mode beta", Embedding: []float32{0, 1, 0}})
			require.NoError(t, err)
			back, err := s.Get(ctx, a.ID)
			require.NoError(t, err)
			require.Equal(t, a.Embedding, back.Embedding)
			require.Equal(t, a.DomainScores, back.DomainScores)
			require.True(t, at.Equal(back.CreatedAt))
			_, err = s.AddEdge(ctx, store.Edge{SourceID: a.ID, TargetID: b.ID, Weight: 0.5})
			require.NoError(t, err)
			ns, err := s.Neighbors(ctx, a.ID, 2, "")
			require.NoError(t, err)
			require.Len(t, ns, 2)
			rs, err := s.Search(ctx, store.SearchQuery{Text: "alpha", Embedding: []float32{1, 0, 0}, Domains: []string{"d"},
				MinRetrievability: new(0.5)})
			require.NoError(t, err)
			require.Len(t, rs, 1)
			require.Equal(t, a.ID, rs[0].Memory.ID)
			now := store.Now()
			require.NoError(t, s.UpdateScheduling(ctx, store.SchedulingState{MemoryID: b.ID, Stability: 1, Difficulty: 5,
				Retrievability: 1, LastReview: &now, NextReview: &now, State: 1, Step: new(0)}))
			due, err := s.DueMemories(ctx, now.Add(time.Hour), 10)
			require.NoError(t, err)
			require.Len(t, due, 2)
			_, err = s.UpsertDomain(ctx, store.Domain{ID: "d", Label: "D", Centroid: []float32{1, 0, 0}})
			require.NoError(t, err)
			cl, err := s.Classify(ctx, []float32{1, 0, 0})
			require.NoError(t, err)
			require.Len(t, cl, 1)
			_, err = s.Insert(ctx, store.Memory{ID: a.ID, Content: "dup"})
			require.ErrorIs(t, err, store.ErrConflict)
			_, err = s.Search(ctx, store.SearchQuery{Embedding: []float32{1, 0}})
			var de *store.DimensionError
			require.ErrorAs(t, err, &de)
			require.NoError(t, s.Vacuum(ctx))
			st, err := s.Stats(ctx)
			require.NoError(t, err)
			require.Equal(t, int64(2), st.Memories)
		})
	}
	t.Run("simple_protocol conformance", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T) store.Store { return open(t, pgstore.Options{ExecMode: "simple_protocol"}) })
	})
}

// TestNewWrapsCallerPool: a store over a pool the caller owns leaves the pool open on Close.
func TestNewWrapsCallerPool(t *testing.T) {
	ctx := context.Background()
	s := open(t, pgstore.Options{})
	wrapped := pgstore.New(s.Pool())
	m, err := wrapped.Insert(ctx, store.Memory{Content: "through New"})
	require.NoError(t, err)
	require.NoError(t, wrapped.Close())
	got, err := s.Get(ctx, m.ID)
	require.NoError(t, err, "the pool is still open")
	require.Equal(t, m.ID, got.ID)
	require.NotEqual(t, uuid.Nil, got.ID)
}

func TestOpenErrorsDoNotLeakThroughUnwrap(t *testing.T) {
	_, err := pgstore.Open(context.Background(), pgstore.Options{URL: "postgres://u:" + secret + "@127.0.0.1:bad/x"})
	require.Error(t, err)
	for e := err; e != nil; {
		require.NotContains(t, e.Error(), secret)
		switch u := e.(type) {
		case interface{ Unwrap() error }:
			e = u.Unwrap()
		default:
			e = nil
		}
	}
}
