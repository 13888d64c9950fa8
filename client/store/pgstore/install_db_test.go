package pgstore_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/vestige-mem/vestige/client/store"
	"github.com/vestige-mem/vestige/client/store/pgstore"
	"github.com/vestige-mem/vestige/tests/testdb"
)

// newRole creates a login-less role for one test (roles are cluster-wide) and drops it at
// the end, with whatever it was granted in the test's database.
func newRole(t *testing.T, conn *pgx.Conn) string {
	t.Helper()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "vestige_t_" + hex.EncodeToString(b)
	_, err := conn.Exec(context.Background(), `CREATE ROLE `+name)
	require.NoError(t, err)
	t.Cleanup(func() {
		ctx := context.Background()
		_, _ = conn.Exec(ctx, `DROP OWNED BY `+name)
		_, _ = conn.Exec(ctx, `DROP ROLE `+name)
	})
	return name
}

func functionACLs(t *testing.T, conn *pgx.Conn) map[string]string {
	t.Helper()
	rows, err := conn.Query(context.Background(), `SELECT p.proname, coalesce(p.proacl::text, '') FROM pg_proc p
		JOIN pg_namespace n ON n.oid = p.pronamespace
		WHERE n.nspname = current_schema() AND p.proname LIKE 'vestige\_%'`)
	require.NoError(t, err)
	out := map[string]string{}
	require.NoError(t, err)
	var name, acl string
	_, err = pgx.ForEachRow(rows, []any{&name, &acl}, func() error { out[name] = acl; return nil })
	require.NoError(t, err)
	return out
}

// forceReinstall makes the recorded API an older one, so the next Migrate reinstalls.
func forceReinstall(t *testing.T, conn *pgx.Conn) {
	t.Helper()
	_, err := conn.Exec(context.Background(), `UPDATE vestige_functions SET hash = 'old', api_version = 0`)
	require.NoError(t, err)
}

// Fault: reinstalling the functions dropped them and with them every GRANT and REVOKE.
func TestReinstallKeepsPrivileges(t *testing.T) {
	ctx := context.Background()
	conn := testdb.Conn(t, testdb.New(t))
	role := newRole(t, conn)
	for _, q := range []string{
		`GRANT EXECUTE ON FUNCTION vestige_stats() TO ` + role + ` WITH GRANT OPTION`,
		`REVOKE EXECUTE ON FUNCTION vestige_ensure_embedding_model(text, integer, text) FROM PUBLIC`,
		`GRANT EXECUTE ON FUNCTION vestige_ensure_embedding_model(text, integer, text) TO ` + role,
	} {
		_, err := conn.Exec(ctx, q)
		require.NoError(t, err, q)
	}
	before := functionACLs(t, conn)
	require.Contains(t, before["vestige_stats"], role)
	forceReinstall(t, conn)
	require.NoError(t, pgstore.Migrate(ctx, conn))
	st, err := pgstore.Status(ctx, conn)
	require.NoError(t, err)
	require.True(t, st.Current(), "%+v", st)
	require.Equal(t, before, functionACLs(t, conn), "the privileges survive the reinstall")
}

// Fault: the SECURITY DEFINER registry found a caller's temporary embedding_model first.
func TestEnsureModelIgnoresACallersTempTable(t *testing.T) {
	ctx := context.Background()
	conn := testdb.Conn(t, testdb.New(t))
	_, err := conn.Exec(ctx, `CREATE TEMP TABLE embedding_model (LIKE public.embedding_model INCLUDING DEFAULTS)`)
	require.NoError(t, err)
	_, err = conn.Exec(ctx, `INSERT INTO pg_temp.embedding_model (id, name, dimension, hash) VALUES (1, 'forged', 3, 'h')`)
	require.NoError(t, err)
	var created bool
	require.NoError(t, conn.QueryRow(ctx, `SELECT vestige_ensure_embedding_model('real', 4, 'r')`).Scan(&created))
	require.True(t, created, "the real registry was empty: the model is registered there")
	var name string
	require.NoError(t, conn.QueryRow(ctx, `SELECT name FROM public.embedding_model`).Scan(&name))
	require.Equal(t, "real", name)
	var path string
	require.NoError(t, conn.QueryRow(ctx, `SELECT array_to_string(proconfig, ',') FROM pg_proc WHERE proname = 'vestige_ensure_embedding_model'`).Scan(&path))
	require.Regexp(t, `search_path=.*pg_temp$`, path)
}

// Fault: current_schema()::regnamespace broke an install into a schema named with capitals.
func TestInstallIntoASchemaWithCapitals(t *testing.T) {
	ctx := context.Background()
	dbURL := testdb.Empty(t)
	_, err := testdb.Conn(t, dbURL).Exec(ctx, `CREATE SCHEMA "Vestige Mem"`)
	require.NoError(t, err)
	// The search_path of the connection itself: tern resets session settings after each
	// migration, as an operator's role or URL setting would survive.
	cc, err := pgx.ParseConfig(dbURL)
	require.NoError(t, err)
	cc.RuntimeParams["search_path"] = `"Vestige Mem"`
	conn, err := pgx.ConnectConfig(ctx, cc)
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close(context.Background()) })
	require.NoError(t, pgstore.Migrate(ctx, conn))
	forceReinstall(t, conn)
	require.NoError(t, pgstore.Migrate(ctx, conn), "a reinstall drops the old functions by schema")
	st, err := pgstore.Status(ctx, conn)
	require.NoError(t, err)
	require.True(t, st.Current(), "%+v", st)
	var n int
	require.NoError(t, conn.QueryRow(ctx, `SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
		WHERE n.nspname = 'Vestige Mem' AND p.proname LIKE 'vestige\_%'`).Scan(&n))
	require.Greater(t, n, 10)
	var created bool
	require.NoError(t, conn.QueryRow(ctx, `SELECT vestige_ensure_embedding_model('m', 3, 'h')`).Scan(&created))
	require.True(t, created)
	require.NoError(t, pgstore.MigrateTo(ctx, conn, 0))
}

// ddlLog counts every DDL command run in the database from now on (an event trigger).
func ddlLog(t *testing.T, conn *pgx.Conn) func() int {
	t.Helper()
	ctx := context.Background()
	_, err := conn.Exec(ctx, `CREATE TABLE public.test_ddl_log (tag text);
		CREATE FUNCTION public.test_log_ddl() RETURNS event_trigger LANGUAGE plpgsql SECURITY DEFINER AS
		$$ BEGIN INSERT INTO public.test_ddl_log VALUES (tg_tag); END $$;
		CREATE EVENT TRIGGER test_log_ddl ON ddl_command_start EXECUTE FUNCTION public.test_log_ddl();`)
	require.NoError(t, err)
	return func() int {
		var n int
		require.NoError(t, conn.QueryRow(ctx, `SELECT count(*) FROM public.test_ddl_log`).Scan(&n))
		return n
	}
}

// Fault: a binary reinstalled its functions whenever the hash differed, so two binaries on
// one database took turns, and even read-only commands ran DDL.
func TestOpenRunsNoDDLUnlessBehind(t *testing.T) {
	ctx := context.Background()
	dbURL := testdb.New(t)
	conn := testdb.Conn(t, dbURL)
	ddl := ddlLog(t, conn)
	use := func() {
		s, err := pgstore.Open(ctx, pgstore.Options{URL: dbURL, AutoMigrate: true})
		require.NoError(t, err)
		defer s.Close()
		_, err = s.Stats(ctx)
		require.NoError(t, err)
		_, err = s.Search(ctx, store.SearchQuery{Text: "anything"})
		require.NoError(t, err)
	}
	use()
	require.Zero(t, ddl(), "a current schema is only read")

	// Another binary of the same API version (other contents): not replaced on Open.
	_, err := conn.Exec(ctx, `UPDATE vestige_functions SET hash = 'other build'`)
	require.NoError(t, err)
	use()
	require.Zero(t, ddl(), "no ping-pong between two builds of one API version")

	// A newer API: refused, and left alone, by Open and by migrate.
	_, err = conn.Exec(ctx, `UPDATE vestige_functions SET hash = 'future', api_version = $1`, pgstore.APIVersion+1)
	require.NoError(t, err)
	_, err = pgstore.Open(ctx, pgstore.Options{URL: dbURL, AutoMigrate: true})
	require.ErrorIs(t, err, pgstore.ErrAPINewer)
	require.ErrorIs(t, pgstore.Migrate(ctx, conn), pgstore.ErrAPINewer)
	require.Zero(t, ddl())
	var hash string
	require.NoError(t, conn.QueryRow(ctx, `SELECT hash FROM vestige_functions`).Scan(&hash))
	require.Equal(t, "future", hash)

	// An older API: brought forward.
	forceReinstall(t, conn)
	use()
	require.NotZero(t, ddl(), "an older API is reinstalled")
	st, err := pgstore.Status(ctx, conn)
	require.NoError(t, err)
	require.True(t, st.Current(), "%+v", st)
}
