package pgstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vestige-mem/vestige/client/store/pgstore"
	"github.com/vestige-mem/vestige/tests/testdb"
)

// A standby or migrate URL that fails never shows its password.
func TestSideURLErrorsHidePassword(t *testing.T) {
	const pw = "s3cr3t-r3plica"
	dbURL := testdb.New(t)
	cases := []struct {
		name string
		opts pgstore.Options
		want string
	}{
		{"unreachable standby", pgstore.Options{URL: dbURL, ReadURLs: []string{"postgres://ro:" + pw + "@127.0.0.1:1/x"}}, "read_url"},
		{"unparsable standby", pgstore.Options{URL: dbURL, ReadURLs: []string{"postgres://ro:" + pw + "@127.0.0.1:99999/x"}}, "read_url[0]"},
		{"unparsable migrate", pgstore.Options{URL: dbURL, MigrateURL: "postgres://o:" + pw + "@127.0.0.1:99999/x"}, "migrate_url"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.opts.AcquireTimeout = 2 * time.Second
			s, err := pgstore.Open(context.Background(), c.opts)
			if s != nil {
				_ = s.Close()
			}
			require.Error(t, err)
			require.Contains(t, err.Error(), c.want)
			require.NotContains(t, err.Error(), pw)
		})
	}
}
