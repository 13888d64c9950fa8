// Package replica runs the store against a real streaming hot standby (scripts/pg-matrix.sh:
// a primary and a standby made from it with pg_basebackup -R): reads go to the standby,
// writes to the primary, and every read works there, where any write would fail (25006).
package replica

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/vestige-mem/vestige/client"
	"github.com/vestige-mem/vestige/client/config"
	"github.com/vestige-mem/vestige/client/store"
	"github.com/vestige-mem/vestige/client/store/pgstore"
)

// servers returns the primary's and the standby's superuser URLs, or skips (fails under
// VESTIGE_REQUIRE_POSTGRES=1, as in `make test`) when the matrix is not running.
func servers(t *testing.T) (string, string) {
	t.Helper()
	p, s := os.Getenv("VESTIGE_TEST_PRIMARY_URL"), os.Getenv("VESTIGE_TEST_STANDBY_URL")
	if p == "" || s == "" {
		if os.Getenv("VESTIGE_REQUIRE_POSTGRES") == "1" {
			t.Fatal("VESTIGE_TEST_PRIMARY_URL / VESTIGE_TEST_STANDBY_URL are not set: run `make test` (scripts/pg-matrix.sh starts them)")
		}
		t.Skip("no standby: run scripts/pg-matrix.sh (or `make test`)")
	}
	return p, s
}

func withDB(t *testing.T, raw, db string) string {
	t.Helper()
	u, err := url.Parse(raw)
	require.NoError(t, err)
	u.Path = "/" + db
	return u.String()
}

func connect(t *testing.T, u string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), u)
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close(context.Background()) })
	return conn
}

// newDatabase creates a migrated database on the primary (dropped when the test ends) and
// returns its URLs on the primary and on the standby, once the standby has it.
func newDatabase(t *testing.T) (string, string) {
	t.Helper()
	ctx := context.Background()
	primary, standby := servers(t)
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	name := "vestige_replica_" + hex.EncodeToString(b)
	admin := connect(t, primary)
	_, err := admin.Exec(ctx, `CREATE DATABASE `+pgx.Identifier{name}.Sanitize())
	require.NoError(t, err)
	t.Cleanup(func() {
		_, _ = admin.Exec(context.Background(), `DROP DATABASE IF EXISTS `+pgx.Identifier{name}.Sanitize()+` WITH (FORCE)`)
	})
	p, s := withDB(t, primary, name), withDB(t, standby, name)
	conn := connect(t, p)
	require.NoError(t, pgstore.Migrate(ctx, conn))
	waitReplay(t, admin, connect(t, standby))
	return p, s
}

// waitReplay returns once the standby has replayed everything the primary wrote so far.
func waitReplay(t *testing.T, primary, standby *pgx.Conn) {
	t.Helper()
	ctx := context.Background()
	var lsn string
	require.NoError(t, primary.QueryRow(ctx, `SELECT pg_current_wal_insert_lsn()::text`).Scan(&lsn))
	deadline := time.Now().Add(time.Minute)
	for {
		var done bool
		require.NoError(t, standby.QueryRow(ctx, `SELECT coalesce(pg_last_wal_replay_lsn() >= $1::pg_lsn, false)`, lsn).Scan(&done))
		if done {
			return
		}
		require.True(t, time.Now().Before(deadline), "the standby did not replay %s within a minute", lsn)
		time.Sleep(20 * time.Millisecond)
	}
}

func vec(v ...float32) []float32 { return v }

// TestWriteOnPrimaryFoundOnStandby: a memory written through the store (to the primary) is
// not found by the store's search while the standby's replay is paused, which shows the
// search goes to the standby, and is found once the standby has replayed it.
func TestWriteOnPrimaryFoundOnStandby(t *testing.T) {
	ctx := context.Background()
	primaryURL, standbyURL := newDatabase(t)
	s, err := pgstore.Open(ctx, pgstore.Options{URL: primaryURL, ReadURLs: []string{standbyURL}})
	require.NoError(t, err)
	defer s.Close()
	primary, standby := connect(t, primaryURL), connect(t, standbyURL)
	var inRecovery bool
	require.NoError(t, standby.QueryRow(ctx, `SELECT pg_is_in_recovery()`).Scan(&inRecovery))
	require.True(t, inRecovery, "the read URL is a hot standby")

	_, err = standby.Exec(ctx, `SELECT pg_wal_replay_pause()`)
	require.NoError(t, err)
	t.Cleanup(func() { _, _ = standby.Exec(context.Background(), `SELECT pg_wal_replay_resume()`) })
	m, err := s.Insert(ctx, store.Memory{Content: "the standby replays the primary's write-ahead log"})
	require.NoError(t, err)
	q := store.SearchQuery{Text: "standby replays write-ahead log"}
	res, err := s.FTSSearch(ctx, q)
	require.NoError(t, err)
	require.Empty(t, res, "the search ran on the paused standby, not on the primary")
	_, err = s.Get(ctx, m.ID)
	require.ErrorIs(t, err, store.ErrNotFound)

	_, err = standby.Exec(ctx, `SELECT pg_wal_replay_resume()`)
	require.NoError(t, err)
	waitReplay(t, primary, standby)
	res, err = s.FTSSearch(ctx, q)
	require.NoError(t, err)
	require.Len(t, res, 1)
	require.Equal(t, m.ID, res[0].Memory.ID)
}

// TestEveryReadWorksOnStandby runs each read of the store with a standby as its only read
// URL. A hot standby refuses any write (25006 read_only_sql_transaction), so this also shows
// that no read path writes: not the SQL API's functions, not a temp table, not a setting
// that would need one.
func TestEveryReadWorksOnStandby(t *testing.T) {
	ctx := context.Background()
	primaryURL, standbyURL := newDatabase(t)
	s, err := pgstore.Open(ctx, pgstore.Options{URL: primaryURL, ReadURLs: []string{standbyURL}})
	require.NoError(t, err)
	defer s.Close()

	require.NoError(t, s.EnsureModel(ctx, store.ModelSignature{Name: "m4", Dimension: 4, Hash: "h4"}))
	a, err := s.Insert(ctx, store.Memory{Content: "apples grow on trees", Domains: []string{"garden"},
		Tags: []string{"fruit"}, Embedding: vec(1, 0, 0, 0)})
	require.NoError(t, err)
	b, err := s.Insert(ctx, store.Memory{Content: "pears grow on trees too", Embedding: vec(0.9, 0.1, 0, 0)})
	require.NoError(t, err)
	_, err = s.AddEdge(ctx, store.Edge{SourceID: a.ID, TargetID: b.ID, Weight: 0.8})
	require.NoError(t, err)
	_, err = s.UpsertDomain(ctx, store.Domain{ID: "garden", Label: "Garden", Centroid: vec(1, 0, 0, 0), TopTerms: []string{"apples"}})
	require.NoError(t, err)
	_, err = s.Review(ctx, a.ID, 3, time.Time{})
	require.NoError(t, err)
	waitReplay(t, connect(t, primaryURL), connect(t, standbyURL))

	minR := 0.0
	reads := []struct {
		name string
		run  func() error
	}{
		{"search", func() error {
			r, err := s.Search(ctx, store.SearchQuery{Text: "apples", Embedding: vec(1, 0, 0, 0), MinRetrievability: &minR,
				Domains: []string{"garden"}, Tags: []string{"fruit"}})
			if err == nil && len(r) != 1 {
				t.Errorf("search found %d memories, want 1", len(r))
			}
			return err
		}},
		{"fts search", func() error { _, err := s.FTSSearch(ctx, store.SearchQuery{Text: "pears"}); return err }},
		{"vector search", func() error { _, err := s.VectorSearch(ctx, store.SearchQuery{Embedding: vec(0, 1, 0, 0)}); return err }},
		{"get", func() error { _, err := s.Get(ctx, a.ID); return err }},
		{"count", func() error { _, err := s.Count(ctx); return err }},
		{"get edges", func() error { _, err := s.GetEdges(ctx, a.ID, ""); return err }},
		{"neighbors", func() error {
			n, err := s.Neighbors(ctx, a.ID, 2, "")
			found := false
			for _, x := range n {
				found = found || x.Memory.ID == b.ID
			}
			if err == nil && !found {
				t.Errorf("neighbors of a miss b: %+v", n)
			}
			return err
		}},
		{"due", func() error { _, err := s.DueMemories(ctx, time.Now().Add(365*24*time.Hour), 10); return err }},
		{"stats", func() error { _, err := s.Stats(ctx); return err }},
		{"classify", func() error { _, err := s.Classify(ctx, vec(1, 0, 0, 0)); return err }},
		{"list domains", func() error { _, err := s.ListDomains(ctx); return err }},
		{"get domain", func() error { _, err := s.GetDomain(ctx, "garden"); return err }},
		{"get scheduling", func() error { _, err := s.GetScheduling(ctx, a.ID); return err }},
		{"retrievability", func() error { _, err := s.Retrievability(ctx, a.ID, time.Time{}); return err }},
		{"dump", func() error {
			n := 0
			err := s.Dump(ctx, func(store.Record) error { n++; return nil })
			if err == nil && n < 5 {
				t.Errorf("dump gave %d records", n)
			}
			return err
		}},
	}
	for _, r := range reads {
		t.Run(r.name, func(t *testing.T) { require.NoError(t, r.run()) })
	}

	// The standby really is read-only: a write sent there fails, so the reads above wrote
	// nothing.
	_, err = connect(t, standbyURL).Exec(ctx, `INSERT INTO memories (id, content) VALUES ($1, 'x')`, uuid.New())
	require.ErrorContains(t, err, "read-only transaction")
}

// TestReadURLFromConfig: [storage.postgres] read_url reaches the store through the client's
// configuration, as `vestige` uses it.
func TestReadURLFromConfig(t *testing.T) {
	ctx := context.Background()
	primaryURL, standbyURL := newDatabase(t)
	p := config.DefaultPostgres(primaryURL)
	p.ReadURL = config.URLList{standbyURL}
	st, err := client.OpenStore(ctx, config.Storage{Backend: config.BackendPostgres, Postgres: &p})
	require.NoError(t, err)
	defer st.Close()
	standby := connect(t, standbyURL)
	_, err = standby.Exec(ctx, `SELECT pg_wal_replay_pause()`)
	require.NoError(t, err)
	t.Cleanup(func() { _, _ = standby.Exec(context.Background(), `SELECT pg_wal_replay_resume()`) })
	m, err := st.Insert(ctx, store.Memory{Content: "written on the primary"})
	require.NoError(t, err)
	_, err = st.Get(ctx, m.ID)
	require.ErrorIs(t, err, store.ErrNotFound, "the get went to the paused standby")
	_, err = standby.Exec(ctx, `SELECT pg_wal_replay_resume()`)
	require.NoError(t, err)
	waitReplay(t, connect(t, primaryURL), standby)
	got, err := st.Get(ctx, m.ID)
	require.NoError(t, err)
	require.Equal(t, m.Content, got.Content)
}
