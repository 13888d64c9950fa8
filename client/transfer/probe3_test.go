//go:build probe

package transfer_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"zombiezen.com/go/sqlite"
	"zombiezen.com/go/sqlite/sqlitex"

	"github.com/vestige-mem/vestige/client/store"
	"github.com/vestige-mem/vestige/client/store/sqlitestore"
	"github.com/vestige-mem/vestige/client/transfer/transfertest"
)

func TestProbeSQLiteTriggers(t *testing.T) {
	ctx := context.Background()
	emb := hash(t, 768)
	var recs []store.Record
	require.NoError(t, transfertest.Records(ctx, transfertest.Shape{Memories: 5000}, emb, func(r store.Record) error { recs = append(recs, r); return nil }))
	for _, drop := range []string{"", "trg_memories_values_insert", "trg_memories_check_embedding_insert", "trg_memories_vector_log_insert"} {
		lite, path := newSQLite(t)
		_, err := lite.Load(ctx, recs[:1])
		require.NoError(t, err)
		require.NoError(t, lite.Close())
		if drop != "" {
			conn, err := sqlite.OpenConn(path, sqlite.OpenReadWrite)
			require.NoError(t, err)
			require.NoError(t, sqlitex.ExecuteTransient(conn, "DROP TRIGGER "+drop, nil))
			require.NoError(t, conn.Close())
		}
		lite, err = sqlitestore.Open(ctx, path)
		require.NoError(t, err)
		t0, c0 := time.Now(), cpuTime()
		for i := 1; i < len(recs); i += 500 {
			_, err := lite.LoadBulk(ctx, recs[i:min(i+500, len(recs))])
			require.NoError(t, err)
		}
		t.Logf("without %q: %.0f/s wall, %.0f µs CPU per row", drop, float64(len(recs))/time.Since(t0).Seconds(), float64((cpuTime()-c0).Microseconds())/float64(len(recs)))
		lite.Close()
	}
}
