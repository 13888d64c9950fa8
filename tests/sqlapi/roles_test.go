package sqlapi_test

import (
	"context"
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/vestige-mem/vestige/client/store"
	"github.com/vestige-mem/vestige/client/store/pgstore"
	"github.com/vestige-mem/vestige/tests/testdb"
)

// An application role that may only read and write rows (no DDL, not the owner) opens a
// migrated store with auto-migration off, registers the model on the fresh store (the
// registry function runs as the schema's owner), writes, searches and reviews: the split
// docs/postgres.md recommends.
func TestApplicationRoleWithoutDDL(t *testing.T) {
	ctx := context.Background()
	ownerURL := testdb.New(t)
	owner := testdb.Conn(t, ownerURL)
	role := "vestige_app_" + uuid.NewString()[:8]
	for _, stmt := range []string{
		fmt.Sprintf(`CREATE ROLE %s LOGIN PASSWORD 'app-pw' NOSUPERUSER NOCREATEDB NOCREATEROLE`, role),
		fmt.Sprintf(`GRANT USAGE ON SCHEMA public TO %s`, role),
		fmt.Sprintf(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO %s`, role),
	} {
		_, err := owner.Exec(ctx, stmt)
		require.NoError(t, err, stmt)
	}
	t.Cleanup(func() {
		// Roles are cluster-wide: drop this one before the database goes.
		_, _ = owner.Exec(context.Background(), "DROP OWNED BY "+role)
		_, _ = owner.Exec(context.Background(), "DROP ROLE "+role)
	})

	u, err := url.Parse(ownerURL)
	require.NoError(t, err)
	u.User = url.UserPassword(role, "app-pw")
	st, err := pgstore.Open(ctx, pgstore.Options{URL: u.String(), AutoMigrate: false})
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })

	_, err = st.Pool().Exec(ctx, `CREATE TABLE not_allowed (x int)`)
	require.Error(t, err, "the application role cannot run DDL")

	d := newDB(t) // only for its embedder
	sig := store.ModelSignature{Name: d.emb.ModelName(), Dimension: d.emb.Dimension(), Hash: d.emb.ModelHash()}
	require.NoError(t, st.EnsureModel(ctx, sig), "the first registration alters the table as the owner")
	v, err := d.emb.Embed(ctx, "rust trait objects")
	require.NoError(t, err)
	m, err := st.Insert(ctx, store.Memory{Content: "rust trait objects", Embedding: v})
	require.NoError(t, err)
	rs, err := st.Search(ctx, store.SearchQuery{Text: "rust trait", Embedding: v})
	require.NoError(t, err)
	require.Len(t, rs, 1)
	require.Equal(t, m.ID, rs[0].Memory.ID)
	_, err = st.Review(ctx, m.ID, 3, time.Time{})
	require.NoError(t, err)
	var owner2 string
	require.NoError(t, owner.QueryRow(ctx, `SELECT tableowner FROM pg_tables WHERE tablename = 'memories'`).Scan(&owner2))
	require.NotEqual(t, role, owner2)
}
