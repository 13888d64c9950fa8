package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/vestige-mem/vestige/tests/testdb"
)

// appRole makes a login role that may read and write the store's rows but owns nothing, as
// docs/postgres.md's application role, and returns dbURL with it as the user.
func appRole(t *testing.T, dbURL string) (string, string) {
	t.Helper()
	ctx := context.Background()
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	role := "vestige_vac_app_" + hex.EncodeToString(b)
	conn := testdb.Conn(t, dbURL)
	id := pgx.Identifier{role}.Sanitize()
	for _, q := range []string{
		`CREATE ROLE ` + id + ` LOGIN`,
		`GRANT USAGE ON SCHEMA public TO ` + id,
		`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ` + id,
	} {
		_, err := conn.Exec(ctx, q)
		require.NoError(t, err, q)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), dbURL)
		if err != nil {
			return
		}
		defer c.Close(context.Background())
		_, _ = c.Exec(context.Background(), `DROP OWNED BY `+id)
		_, _ = c.Exec(context.Background(), `DROP ROLE `+id)
	})
	u, err := url.Parse(dbURL)
	require.NoError(t, err)
	u.User = url.User(role)
	return u.String(), role
}

// A role that owns no table used to hear "vacuumed" (exit 0) while Postgres skipped every
// table with a warning; it now hears who may vacuum, and the command fails.
func TestVacuumAsApplicationRole(t *testing.T) {
	isolate(t)
	dbURL := testdb.New(t)
	appURL, role := appRole(t, dbURL)

	code, out, errOut := vestige(t, "vacuum", "--postgres-url", appURL)
	require.NotEqual(t, 0, code, "stdout: %s", out)
	require.NotContains(t, out, "vacuumed")
	require.Contains(t, errOut, `role "`+role+`" may not vacuum`)
	require.Contains(t, errOut, "memories")
	require.Contains(t, errOut, "owned by "+testdb.Role)
	require.Contains(t, errOut, "run `vestige vacuum` as the owner")

	// The owner vacuums.
	code, out, errOut = vestige(t, "vacuum", "--postgres-url", dbURL)
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "vacuumed")
}
