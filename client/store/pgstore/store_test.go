package pgstore_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vestige-mem/vestige/client/store"
	"github.com/vestige-mem/vestige/client/store/pgstore"
	"github.com/vestige-mem/vestige/client/store/storetest"
	"github.com/vestige-mem/vestige/tests/testdb"
)

var _ store.Store = (*pgstore.Store)(nil)

// open returns a store on a fresh migrated database, closed when the test ends.
func open(t *testing.T, opts pgstore.Options) *pgstore.Store {
	t.Helper()
	if opts.URL == "" {
		opts.URL = testdb.New(t)
	}
	s, err := pgstore.Open(context.Background(), opts)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return open(t, pgstore.Options{}) })
}

// TestConformanceICU runs the suite on a database whose default collation is ICU en-US,
// where text does not sort bytewise: every order the API promises must hold there too.
func TestConformanceICU(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return open(t, pgstore.Options{URL: testdb.NewICU(t)}) })
}

func TestDumpICU(t *testing.T) {
	storetest.RunDump(t, func(t *testing.T) store.Store { return open(t, pgstore.Options{URL: testdb.NewICU(t)}) })
}
