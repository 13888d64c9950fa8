// Package migrate_test runs the built `vestige migrate copy|reembed` as a user would, against
// real SQLite files and real Postgres databases: kill -9 at known points and a second run,
// refused rows, registry mismatches, missing sources, unreachable destinations, --dry-run and
// --json.
package migrate_test

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vestige-mem/vestige/client/embedder"
	"github.com/vestige-mem/vestige/client/store"
	"github.com/vestige-mem/vestige/client/store/pgstore"
	"github.com/vestige-mem/vestige/client/store/sqlitestore"
	"github.com/vestige-mem/vestige/client/transfer/transfertest"
	"github.com/vestige-mem/vestige/tests/testdb"
	"github.com/vestige-mem/vestige/tests/vestigebin"
)

var binary string

func TestMain(m *testing.M) { vestigebin.Main(m, &binary) }

// machine is a user's home with a config that names the embedder.
type machine struct {
	t    testing.TB
	home string
	db   string // the SQLite file
	vars []string
}

func newMachine(t testing.TB, model string) *machine {
	home := t.TempDir()
	cfg := filepath.Join(home, "vestige.toml")
	db := filepath.Join(home, "vestige.db")
	require.NoError(t, os.WriteFile(cfg, []byte("[storage]\nbackend = \"sqlite\"\n[storage.sqlite]\npath = \""+db+
		"\"\n[embeddings]\nprovider = \"hash\"\nmodel = \""+model+"\"\n"), 0o600))
	return &machine{t: t, home: home, db: db,
		vars: []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "VESTIGE_CONFIG=" + cfg}}
}

type result struct {
	code           int
	stdout, stderr string
}

func (m *machine) command(extra []string, args ...string) *exec.Cmd {
	cmd := exec.Command(binary, args...)
	cmd.Env = append(append([]string{}, m.vars...), extra...)
	cmd.Dir = m.home
	return cmd
}

func (m *machine) run(args ...string) result {
	m.t.Helper()
	code, stdout, stderr := vestigebin.Run(m.t, m.command(nil, args...))
	return result{code: code, stdout: stdout, stderr: stderr}
}

func (m *machine) ok(args ...string) string {
	m.t.Helper()
	r := m.run(args...)
	require.Zero(m.t, r.code, "vestige %v\nstdout: %s\nstderr: %s", args, r.stdout, r.stderr)
	return r.stdout
}

// killAt runs the command until it says "paused at point" and kills it with SIGKILL.
func (m *machine) killAt(point string, args ...string) {
	m.t.Helper()
	cmd := m.command([]string{"VESTIGE_MIGRATE_PAUSE_AT=" + point}, args...)
	stderr, err := cmd.StderrPipe()
	require.NoError(m.t, err)
	require.NoError(m.t, cmd.Start())
	paused := make(chan string, 1)
	go func() {
		var seen strings.Builder
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			seen.WriteString(sc.Text() + "\n")
			if sc.Text() == "paused at "+point {
				paused <- ""
				return
			}
		}
		paused <- seen.String()
	}()
	select {
	case other := <-paused:
		if other != "" {
			_ = cmd.Wait()
			m.t.Fatalf("vestige %v ended before %s: %s", args, point, other)
		}
	case <-time.After(3 * time.Minute):
		_ = cmd.Process.Kill()
		m.t.Fatalf("vestige %v never reached %s", args, point)
	}
	require.NoError(m.t, cmd.Process.Signal(syscall.SIGKILL))
	err = cmd.Wait()
	ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus)
	require.True(m.t, ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL, "killed by SIGKILL: %v", err)
}

func hash(t testing.TB, dim int) embedder.Embedder {
	e, err := embedder.NewHash(dim)
	require.NoError(t, err)
	return e
}

// fillSQLite writes the shape into the machine's SQLite file.
func (m *machine) fillSQLite(s transfertest.Shape, dim int) {
	m.t.Helper()
	st, err := sqlitestore.Open(context.Background(), m.db)
	require.NoError(m.t, err)
	defer st.Close()
	require.NoError(m.t, transfertest.Fill(context.Background(), st, s, hash(m.t, dim)))
}

func fillPostgres(t testing.TB, url string, s transfertest.Shape, dim int) {
	t.Helper()
	st, err := pgstore.Open(context.Background(), pgstore.Options{URL: url, AutoMigrate: true})
	require.NoError(t, err)
	defer st.Close()
	require.NoError(t, transfertest.Fill(context.Background(), st, s, hash(t, dim)))
}

// export is the store's dump as JSON values, read through the library.
func exportOf(t testing.TB, open func() (store.Dumper, func())) []any {
	t.Helper()
	d, done := open()
	defer done()
	out, err := transfertest.Dump(context.Background(), d)
	require.NoError(t, err)
	return out
}

func sqliteDump(t testing.TB, path string) []any {
	return exportOf(t, func() (store.Dumper, func()) {
		st, err := sqlitestore.OpenWith(context.Background(), path, sqlitestore.Options{ReadOnly: true})
		require.NoError(t, err)
		return st, func() { _ = st.Close() }
	})
}

func postgresDump(t testing.TB, url string) []any {
	return exportOf(t, func() (store.Dumper, func()) {
		st, err := pgstore.Open(context.Background(), pgstore.Options{URL: url})
		require.NoError(t, err)
		return st, func() { _ = st.Close() }
	})
}

func fileHash(t testing.TB, path string) []byte {
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return b
}

var _ = testdb.New
