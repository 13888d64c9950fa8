//go:build probe

package transfer_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vestige-mem/vestige/client/store"
	"github.com/vestige-mem/vestige/client/transfer/transfertest"
)

func TestProbe(t *testing.T) {
	ctx := context.Background()
	emb := hash(t, 768)
	var recs []store.Record
	shape := transfertest.Shape{Memories: 5000}
	require.NoError(t, transfertest.Records(ctx, shape, emb, func(r store.Record) error { recs = append(recs, r); return nil }))
	lite, _ := newSQLite(t)
	pg, _ := newPostgres(t)
	for _, d := range []store.Dumper{lite, pg} {
		_, err := d.Load(ctx, recs[:1])
		require.NoError(t, err)
	}
	require.NoError(t, pg.DropVectorIndex(ctx))
	type bulk interface {
		LoadBulk(context.Context, []store.Record) (int, error)
	}
	for name, d := range map[string]store.Dumper{"sqlite": lite, "postgres": pg} {
		t0 := time.Now()
		for i := 1; i < len(recs); i += 500 {
			_, err := d.(bulk).LoadBulk(ctx, recs[i:min(i+500, len(recs))])
			require.NoError(t, err)
		}
		t.Logf("%s load: %.0f/s", name, float64(len(recs))/time.Since(t0).Seconds())
		t0 = time.Now()
		n := 0
		require.NoError(t, d.Dump(ctx, func(store.Record) error { n++; return nil }))
		t.Logf("%s dump: %.0f/s", name, float64(n)/time.Since(t0).Seconds())
		t0 = time.Now()
		for i := 1; i < len(recs); i += 500 {
			_, err := store.NormalizeRecords(recs[i:min(i+500, len(recs))])
			require.NoError(t, err)
		}
		t.Logf("normalize: %.0f/s", float64(len(recs))/time.Since(t0).Seconds())
	}
}
