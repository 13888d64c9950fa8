// Package cli_test runs the built vestige binary end to end, against SQLite (a temporary
// HOME with nothing in it) and Postgres (a fresh database per test), the way a user would:
// every command, human and --json output, exit codes, and errors on bad input.
package cli_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vestige-mem/vestige/tests/testdb"
	"github.com/vestige-mem/vestige/tests/vestigebin"
)

// binary is the vestige built once for the whole package by TestMain.
var binary string

func TestMain(m *testing.M) { vestigebin.Main(m, &binary) }

// env is one user's machine: a home directory and the environment the binary sees. Nothing
// of the test process's environment leaks in but PATH.
type env struct {
	t       *testing.T
	backend string
	home    string
	vars    map[string]string
}

func newEnv(t *testing.T) *env {
	return &env{t: t, backend: "sqlite", home: t.TempDir(), vars: map[string]string{}}
}

// sqliteEnv is a fresh machine: an empty home, no config file, no server.
func sqliteEnv(t *testing.T) *env { return newEnv(t) }

// postgresEnv points VESTIGE_POSTGRES_URL at a fresh migrated database.
func postgresEnv(t *testing.T) *env {
	e := newEnv(t)
	e.backend = "postgres"
	e.vars["VESTIGE_POSTGRES_URL"] = testdb.New(t)
	return e
}

// forBoth runs fn once per backend, in parallel subtests.
func forBoth(t *testing.T, fn func(t *testing.T, e *env)) {
	for name, mk := range map[string]func(*testing.T) *env{"sqlite": sqliteEnv, "postgres": postgresEnv} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			fn(t, mk(t))
		})
	}
}

type result struct {
	code           int
	stdout, stderr string
}

func (e *env) runWithInput(stdin string, args ...string) result {
	e.t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + e.home, "TZ=Asia/Kolkata"}
	for k, v := range e.vars {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.Dir = e.home
	cmd.Stdin = strings.NewReader(stdin)
	code, stdout, stderr := vestigebin.Run(e.t, cmd)
	return result{code: code, stdout: stdout, stderr: stderr}
}

func (e *env) run(args ...string) result {
	e.t.Helper()
	return e.runWithInput("", args...)
}

// ok runs a command that must succeed quietly (nothing on stderr) and returns its stdout.
func (e *env) ok(args ...string) string {
	e.t.Helper()
	r := e.run(args...)
	require.Equal(e.t, 0, r.code, "vestige %s: %s", strings.Join(args, " "), r.stderr)
	require.Empty(e.t, r.stderr, "vestige %s", strings.Join(args, " "))
	return r.stdout
}

// okJSON runs a command with --json and decodes its output into v.
func (e *env) okJSON(v any, args ...string) {
	e.t.Helper()
	out := e.ok(append([]string{"--json"}, args...)...)
	require.NoError(e.t, json.Unmarshal([]byte(out), v), "vestige --json %s printed %q", strings.Join(args, " "), out)
}

// fails runs a command that must fail with code, printing one line on stderr that starts
// with "vestige: " and contains every want, and nothing on stdout. It returns that line.
func (e *env) fails(code int, args []string, want ...string) string {
	e.t.Helper()
	r := e.run(args...)
	return e.requireFailure(r, code, args, want...)
}

func (e *env) requireFailure(r result, code int, args []string, want ...string) string {
	e.t.Helper()
	cmd := "vestige " + strings.Join(args, " ")
	require.Equal(e.t, code, r.code, "%s: exit status; stderr %q", cmd, r.stderr)
	require.Empty(e.t, r.stdout, "%s: nothing on stdout", cmd)
	line := strings.TrimSuffix(r.stderr, "\n")
	require.NotContains(e.t, line, "\n", "%s: one line on stderr", cmd)
	require.True(e.t, strings.HasPrefix(line, "vestige: "), "%s: %q", cmd, line)
	for _, w := range want {
		require.Contains(e.t, line, w, cmd)
	}
	return line
}

// add remembers content (with extra flags) and returns the new id.
func (e *env) add(content string, flags ...string) string {
	e.t.Helper()
	out := e.ok(append([]string{"add", content}, flags...)...)
	id := strings.TrimSpace(out)
	require.Len(e.t, id, 36, "add prints the id: %q", out)
	return id
}

// lines splits human output into non-empty lines.
func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.TrimSpace(l) != "" {
			out = append(out, l)
		}
	}
	return out
}
