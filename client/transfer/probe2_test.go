//go:build probe

package transfer_test

import (
	"context"
	"os"
	"runtime/pprof"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vestige-mem/vestige/client/store"
	"github.com/vestige-mem/vestige/client/transfer/transfertest"
)

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func TestProbeSQLite(t *testing.T) {
	ctx := context.Background()
	emb := hash(t, 768)
	var recs []store.Record
	require.NoError(t, transfertest.Records(ctx, transfertest.Shape{Memories: 10000}, emb, func(r store.Record) error { recs = append(recs, r); return nil }))
	lite, _ := newSQLite(t)
	_, err := lite.Load(ctx, recs[:1])
	require.NoError(t, err)
	f, _ := os.Create("/tmp/sqlite-load.out")
	require.NoError(t, pprof.StartCPUProfile(f))
	t0, c0 := time.Now(), cpuTime()
	for i := 1; i < len(recs); i += 500 {
		_, err := lite.LoadBulk(ctx, recs[i:min(i+500, len(recs))])
		require.NoError(t, err)
	}
	pprof.StopCPUProfile()
	t.Logf("sqlite bulk load: %.0f/s wall, %.0f µs CPU per row", float64(len(recs))/time.Since(t0).Seconds(), float64((cpuTime()-c0).Microseconds())/float64(len(recs)))
}
