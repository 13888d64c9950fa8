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

var _ store.Dumper = (*pgstore.Store)(nil)

func TestDump(t *testing.T) {
	storetest.RunDump(t, func(t *testing.T) store.Store {
		s, err := pgstore.Open(context.Background(), pgstore.Options{URL: testdb.New(t)})
		require.NoError(t, err)
		t.Cleanup(func() { _ = s.Close() })
		return s
	})
}
