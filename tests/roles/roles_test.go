// Package roles_test runs the production recipes of docs/postgres.md against the real test
// server: a superuser creates the database, the extension and the roles; an owner without
// superuser runs `vestige schema up`; an application role without DDL uses the store; and
// an operator's own tern CLI installs what `vestige schema up` installs.
package roles_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/vestige-mem/vestige/tests/testdb"
	"github.com/vestige-mem/vestige/tests/vestigebin"
)

func build(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("go", args...)
	cmd.Env = append(os.Environ(), "GOBIN="+dir)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "go %s: %s", strings.Join(args, " "), out)
}

func repoRoot(t *testing.T) string {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	require.NoError(t, err)
	return root
}

// binary is the vestige CLI, built once for the package.
var binary string

func TestMain(m *testing.M) { vestigebin.Main(m, &binary) }

func vestigeBin(*testing.T) string { return binary }

type runner struct {
	t   *testing.T
	bin string
	url string
}

func (r runner) run(args ...string) (int, string, string) {
	r.t.Helper()
	cmd := exec.Command(r.bin, args...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + r.t.TempDir(), "VESTIGE_POSTGRES_URL=" + r.url}
	return vestigebin.Run(r.t, cmd)
}

func (r runner) ok(args ...string) string {
	r.t.Helper()
	code, out, errOut := r.run(args...)
	require.Equal(r.t, 0, code, "vestige %s: %s", strings.Join(args, " "), errOut)
	return out
}

func suffix() string {
	b := make([]byte, 5)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func exec1(t *testing.T, conn *pgx.Conn, q string) {
	t.Helper()
	_, err := conn.Exec(context.Background(), q)
	require.NoError(t, err, q)
}

func withUser(t *testing.T, base, user, password, db string) string {
	u, err := url.Parse(base)
	require.NoError(t, err)
	u.User = url.UserPassword(user, password)
	u.Path = "/" + db
	return u.String()
}

// setup is the superuser's part of docs/postgres.md "Roles": the database (owned by the
// owner role), the extension, and the two login roles. Everything is dropped at the end.
func setup(t *testing.T) (ownerURL, appURL, admin string, app string) {
	t.Helper()
	ctx := context.Background()
	admin = testdb.URL(t)
	su, err := pgx.Connect(ctx, admin)
	require.NoError(t, err)
	t.Cleanup(func() { _ = su.Close(context.Background()) })
	s := suffix()
	owner, app, db := "vestige_owner_"+s, "vestige_app_"+s, "vestige_roles_"+s
	exec1(t, su, `CREATE ROLE `+owner+` LOGIN PASSWORD 'owner-pw' NOSUPERUSER NOCREATEDB NOCREATEROLE`)
	exec1(t, su, `CREATE ROLE `+app+` LOGIN PASSWORD 'app-pw' NOSUPERUSER NOCREATEDB NOCREATEROLE`)
	exec1(t, su, `CREATE DATABASE `+db+` OWNER `+owner)
	t.Cleanup(func() {
		exec1(t, su, `DROP DATABASE IF EXISTS `+db+` WITH (FORCE)`)
		exec1(t, su, `DROP ROLE IF EXISTS `+app)
		exec1(t, su, `DROP ROLE IF EXISTS `+owner)
	})
	dbAdmin, err := pgx.Connect(ctx, withUser(t, admin, mustUser(t, admin), mustPassword(admin), db))
	require.NoError(t, err)
	defer dbAdmin.Close(ctx)
	exec1(t, dbAdmin, `CREATE EXTENSION IF NOT EXISTS vector`)
	// PostgreSQL 15 no longer lets every role create in public; the app role gets nothing
	// there but what `vestige schema grant` gives it.
	exec1(t, dbAdmin, `REVOKE ALL ON SCHEMA public FROM PUBLIC`)
	return withUser(t, admin, owner, "owner-pw", db), withUser(t, admin, app, "app-pw", db), withUser(t, admin, mustUser(t, admin), mustPassword(admin), db), app
}

func mustUser(t *testing.T, raw string) string {
	u, err := url.Parse(raw)
	require.NoError(t, err)
	return u.User.Username()
}

func mustPassword(raw string) string {
	u, _ := url.Parse(raw)
	p, _ := u.User.Password()
	return p
}

// Fault: a non-superuser owner's `schema up` stopped at "permission denied to set parameter
// hnsw.ef_search", leaving version 1 and no functions. Now the whole recipe works, and the
// operator's grants survive a later reinstall.
func TestOwnerAndAppRoles(t *testing.T) {
	bin := vestigeBin(t)
	ownerURL, appURL, dbAdminURL, app := setup(t)
	owner := runner{t, bin, ownerURL}
	require.Contains(t, owner.ok("schema", "up"), "functions: current")
	require.Contains(t, owner.ok("schema", "grant", app), "granted "+app)

	a := runner{t, bin, appURL}
	require.Contains(t, a.ok("schema", "status"), "functions: current")
	id := strings.TrimSpace(a.ok("--json", "add", "the borrow checker rejects aliasing mutable references", "--tag", "rust"))
	var added struct {
		ID string `json:"id"`
	}
	require.NoError(t, json.Unmarshal([]byte(id), &added), id)
	other := a.ok("--json", "add", "lifetimes name how long a reference lives")
	var added2 struct {
		ID string `json:"id"`
	}
	require.NoError(t, json.Unmarshal([]byte(other), &added2))
	require.Contains(t, a.ok("search", "borrow checker"), "borrow checker")
	a.ok("review", added.ID, "good")
	a.ok("link", added.ID, added2.ID)
	a.ok("get", added.ID)
	a.ok("stats")
	a.ok("due")
	dump := filepath.Join(t.TempDir(), "dump.jsonl")
	a.ok("export", "--output", dump)
	// Import: the app deletes a memory (and so its edge) and brings both back from its export.
	a.ok("delete", added2.ID)
	require.Contains(t, a.ok("import", dump), "imported 2 new rows") // the memory and its edge
	a.ok("get", added2.ID)
	// Vacuum needs the tables' owner: the app role is told so, not told "vacuumed".
	code, _, errOut := a.run("vacuum")
	require.NotEqual(t, 0, code, "vacuum as the app role")
	require.Contains(t, errOut, "may not vacuum")
	require.Contains(t, owner.ok("vacuum"), "vacuum")
	a.ok("schema", "up") // current: nothing to do, so nothing the app role may not do
	code, _, errOut = a.run("schema", "down")
	require.NotEqual(t, 0, code, "the app role may not run DDL")
	require.Contains(t, errOut, "must be owner")
	require.Contains(t, a.ok("schema", "status"), "functions: current")

	// The owner reinstalls the API (as an upgrade would): the app keeps its privileges.
	ctx := context.Background()
	su, err := pgx.Connect(ctx, dbAdminURL)
	require.NoError(t, err)
	defer su.Close(ctx)
	exec1(t, su, `UPDATE vestige_functions SET hash = 'old', api_version = 0`)
	require.Contains(t, owner.ok("schema", "up"), "functions: current")
	require.Contains(t, a.ok("search", "borrow checker"), "borrow checker")
}

// tern CLI compatibility: `tern migrate` then `tern code install` on an empty database
// yields the store `vestige schema up` would, recognised as current, used without DDL.
func TestTernCLIInstallsTheSameAPI(t *testing.T) {
	bin := vestigeBin(t)
	root := repoRoot(t)
	dir := t.TempDir()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Version}}", "github.com/jackc/tern/v2").Output()
	require.NoError(t, err)
	build(t, dir, "install", "github.com/jackc/tern/v2@"+strings.TrimSpace(string(out)))
	tern := filepath.Join(dir, "tern")

	dbURL := testdb.Empty(t)
	for _, args := range [][]string{
		{"migrate", "--migrations", filepath.Join(root, "sql", "migrations"), "--conn-string", dbURL, "--version-table", "vestige_schema_version"},
		{"code", "install", filepath.Join(root, "sql", "functions"), "--conn-string", dbURL},
	} {
		cmd := exec.Command(tern, args...)
		cmd.Dir = dir
		b, err := cmd.CombinedOutput()
		require.NoError(t, err, "tern %s: %s", args[0], b)
	}
	r := runner{t, bin, dbURL}
	var st struct {
		Version, Latest int
		Functions       string
		Current         bool
	}
	require.NoError(t, json.Unmarshal([]byte(r.ok("--json", "schema", "status")), &st))
	require.True(t, st.Current, "%+v", st)
	require.Equal(t, "current", st.Functions)

	// The first write registers the embedding model (DDL by design, in the registry
	// function); from then on nothing the CLI does runs DDL.
	r.ok("add", "tern installed this store")
	ctx := context.Background()
	conn := testdb.Conn(t, dbURL)
	exec1(t, conn, `CREATE TABLE public.test_ddl_log (tag text);
		CREATE FUNCTION public.test_log_ddl() RETURNS event_trigger LANGUAGE plpgsql SECURITY DEFINER AS
		$$ BEGIN INSERT INTO public.test_ddl_log VALUES (tg_tag); END $$;
		CREATE EVENT TRIGGER test_log_ddl ON ddl_command_start EXECUTE FUNCTION public.test_log_ddl()`)
	require.Contains(t, r.ok("search", "tern"), "tern installed this store")
	r.ok("stats")
	r.ok("schema", "status")
	r.ok("health")
	var n int
	require.NoError(t, conn.QueryRow(ctx, `SELECT count(*) FROM public.test_ddl_log`).Scan(&n))
	require.Zero(t, n, "no DDL after tern's install")
}
