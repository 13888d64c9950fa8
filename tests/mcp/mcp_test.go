// Package mcp_test runs the built `vestige mcp` as an agent's MCP client does: a subprocess
// spoken to over stdio (the SDK's client, and plain JSON-RPC lines) or over HTTP on
// 127.0.0.1, on SQLite and Postgres; and kills it in the middle of calls to show the store
// loses nothing.
package mcp_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/stretchr/testify/require"

	"github.com/vestige-mem/vestige/internal/mcpserver/mcptest"
	"github.com/vestige-mem/vestige/tests/testdb"
	"github.com/vestige-mem/vestige/tests/vestigebin"
)

// binary is the vestige built once for the whole package by TestMain.
var binary string

func TestMain(m *testing.M) { vestigebin.Main(m, &binary) }

// env is one user's machine: a home directory and the environment the binary sees.
type env struct {
	backend string
	home    string
	vars    []string
}

func sqliteEnv(t *testing.T) *env { return &env{backend: "sqlite", home: t.TempDir()} }

func postgresEnv(t *testing.T) *env {
	return &env{backend: "postgres", home: t.TempDir(), vars: []string{"VESTIGE_POSTGRES_URL=" + testdb.New(t)}}
}

func forBoth(t *testing.T, fn func(t *testing.T, e *env)) {
	for name, mk := range map[string]func(*testing.T) *env{"sqlite": sqliteEnv, "postgres": postgresEnv} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			fn(t, mk(t))
		})
	}
}

func (e *env) command(args ...string) *exec.Cmd {
	cmd := exec.Command(binary, args...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + e.home}, e.vars...)
	cmd.Dir = e.home
	return cmd
}

// stdio starts `vestige mcp args...` and connects the SDK's client to it.
func (e *env) stdio(t *testing.T, args ...string) (*mcp.ClientSession, *exec.Cmd) {
	t.Helper()
	cmd := e.command(append([]string{"mcp"}, args...)...)
	cmd.Stderr = &lockedWriter{w: io.Discard}
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "test", Version: "1"}, nil).
		Connect(context.Background(), &mcp.CommandTransport{Command: cmd}, nil)
	require.NoError(t, err)
	t.Cleanup(func() { _ = cs.Close() })
	return cs, cmd
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func TestStdio(t *testing.T) {
	forBoth(t, func(t *testing.T, e *env) {
		cs, _ := e.stdio(t)
		mcptest.Exercise(t, cs, e.backend)
		mcptest.BadArguments(t, cs)
	})
}

func TestStdioReadOnly(t *testing.T) {
	forBoth(t, func(t *testing.T, e *env) {
		cs, _ := e.stdio(t, "--read-only")
		require.Equal(t, mcptest.ReadTools, mcptest.ToolNames(t, cs))
		var st mcptest.Stats
		mcptest.Call(t, cs, "stats", map[string]any{}, &st)
		require.Equal(t, e.backend, st.Backend)
	})
}

// rpc speaks plain JSON-RPC lines to a `vestige mcp` subprocess, as docs/mcp.md shows.
type rpc struct {
	t   *testing.T
	in  io.WriteCloser
	out *bufio.Scanner
}

func (e *env) rawStdio(t *testing.T) *rpc {
	t.Helper()
	cmd := e.command("mcp")
	in, err := cmd.StdinPipe()
	require.NoError(t, err)
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = in.Close()
		require.NoError(t, cmd.Wait(), "vestige mcp exits cleanly when its input ends")
	})
	sc := bufio.NewScanner(out)
	sc.Buffer(make([]byte, 1<<20), 1<<22)
	return &rpc{t: t, in: in, out: sc}
}

func (r *rpc) send(line string) {
	r.t.Helper()
	_, err := io.WriteString(r.in, line+"\n")
	require.NoError(r.t, err)
}

// call sends a request and returns its result (failing on an error answer).
func (r *rpc) call(id int, method, params string) map[string]any {
	r.t.Helper()
	r.send(`{"jsonrpc":"2.0","id":` + itoa(id) + `,"method":"` + method + `","params":` + params + `}`)
	require.True(r.t, r.out.Scan(), "an answer to %s: %v", method, r.out.Err())
	var resp struct {
		ID     int            `json:"id"`
		Result map[string]any `json:"result"`
		Error  any            `json:"error"`
	}
	require.NoError(r.t, json.Unmarshal(r.out.Bytes(), &resp), r.out.Text())
	require.Equal(r.t, id, resp.ID)
	require.Nil(r.t, resp.Error, r.out.Text())
	return resp.Result
}

// toolText calls a tool and returns its text content decoded.
func (r *rpc) tool(id int, name, args string) map[string]any {
	r.t.Helper()
	res := r.call(id, "tools/call", `{"name":"`+name+`","arguments":`+args+`}`)
	require.NotEqual(r.t, true, res["isError"], "%s: %v", name, res)
	text := res["content"].([]any)[0].(map[string]any)["text"].(string)
	var v map[string]any
	require.NoError(r.t, json.Unmarshal([]byte(text), &v))
	require.Equal(r.t, v, res["structuredContent"])
	return v
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }

// TestPlainJSONRPC is the exchange docs/mcp.md shows: initialize, notifications/initialized,
// tools/list, then remember three memories, search them and review one.
func TestPlainJSONRPC(t *testing.T) {
	forBoth(t, func(t *testing.T, e *env) {
		r := e.rawStdio(t)
		init := r.call(1, "initialize", `{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"shell","version":"0"}}`)
		require.Equal(t, "2025-06-18", init["protocolVersion"])
		require.Equal(t, "vestige", init["serverInfo"].(map[string]any)["name"])
		r.send(`{"jsonrpc":"2.0","method":"notifications/initialized"}`)
		tools := r.call(2, "tools/list", `{}`)["tools"].([]any)
		var names []string
		for _, tl := range tools {
			names = append(names, tl.(map[string]any)["name"].(string))
		}
		require.ElementsMatch(t, mcptest.AllTools, names)

		var ids []string
		for i, n := range []string{
			"The deploy pipeline runs on GitHub Actions",
			"Alice prefers tea over coffee in the morning",
			"Postgres connection pool is limited to 10 connections in production",
		} {
			m := r.tool(3+i, "remember", `{"content":"`+n+`","tags":["demo"]}`)
			ids = append(ids, m["id"].(string))
		}
		res := r.tool(6, "search", `{"query":"how many postgres connections?","k":2}`)["results"].([]any)
		require.Equal(t, ids[2], res[0].(map[string]any)["id"])
		rev := r.tool(7, "review", `{"id":"`+ids[2]+`","rating":"good"}`)
		require.Equal(t, "good", rev["rating"])
		require.NotEmpty(t, rev["next_review"])
	})
}

var servingLine = regexp.MustCompile(`serving the (\w+) store on (http://\S+/mcp)`)

// TestHTTPCommand runs `vestige mcp --http` with a token and speaks to it with the SDK's
// client: the token is required, and SIGTERM stops the server cleanly.
func TestHTTPCommand(t *testing.T) {
	forBoth(t, func(t *testing.T, e *env) {
		const token = "a-long-enough-token-for-the-test"
		e.vars = append(e.vars, "VESTIGE_MCP_TOKEN="+token)
		cmd := e.command("mcp", "--http", "127.0.0.1:0")
		stderr, err := cmd.StderrPipe()
		require.NoError(t, err)
		require.NoError(t, cmd.Start())
		sc := bufio.NewScanner(stderr)
		require.True(t, sc.Scan(), "the serving line")
		m := servingLine.FindStringSubmatch(sc.Text())
		require.NotNil(t, m, sc.Text())
		require.Equal(t, e.backend, m[1])
		require.NotContains(t, sc.Text(), token)
		url := m[2]

		req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"tools/list"}`))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusUnauthorized, resp.StatusCode)

		hc := &http.Client{Transport: bearer{token}}
		cs, err := mcp.NewClient(&mcp.Implementation{Name: "test", Version: "1"}, nil).
			Connect(context.Background(), &mcp.StreamableClientTransport{Endpoint: url, HTTPClient: hc, MaxRetries: -1}, nil)
		require.NoError(t, err)
		mcptest.Exercise(t, cs, e.backend)
		require.NoError(t, cs.Close())

		require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
		rest, _ := io.ReadAll(stderr)
		require.NoError(t, cmd.Wait(), "stderr: %s", rest)
		require.NotContains(t, string(rest), token)
	})
}

type bearer struct{ token string }

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return http.DefaultTransport.RoundTrip(r)
}

// TestRefusals: the command refuses an unsafe or meaningless setup before it serves.
func TestRefusals(t *testing.T) {
	for _, tc := range []struct {
		name  string
		vars  []string
		args  []string
		code  int
		wants []string
	}{
		{"public bind without a token", nil, []string{"--http", "0.0.0.0:0"}, 1, []string{"non-loopback", "VESTIGE_MCP_TOKEN"}},
		{"all interfaces without a token", nil, []string{"--http", ":0"}, 1, []string{"non-loopback"}},
		{"short token", []string{"VESTIGE_MCP_TOKEN=short"}, []string{"--http", "0.0.0.0:0"}, 2, []string{"at least 16"}},
		{"origin without http", nil, []string{"--allow-origin", "http://x"}, 2, []string{"--http only"}},
		{"sessions", nil, []string{"--http", "127.0.0.1:0", "--max-sessions", "0"}, 2, []string{"--max-sessions"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := sqliteEnv(t)
			e.vars = tc.vars
			cmd := e.command(append([]string{"mcp"}, tc.args...)...)
			out, err := cmd.CombinedOutput()
			var ee *exec.ExitError
			require.ErrorAs(t, err, &ee, "%s", out)
			require.Equal(t, tc.code, ee.ExitCode(), "%s", out)
			for _, w := range tc.wants {
				require.Contains(t, string(out), w)
			}
			require.NotContains(t, string(out), "short", "the token is not echoed")
		})
	}
}

// TestKilledMidCall kills the server (SIGKILL) while clients are writing, then reopens the
// store: every memory whose remember was answered is there, whole, and the store is sound.
func TestKilledMidCall(t *testing.T) {
	forBoth(t, func(t *testing.T, e *env) {
		cs, cmd := e.stdio(t)
		var (
			mu    sync.Mutex
			acked = map[string]string{}
			wg    sync.WaitGroup
		)
		const writers = 4
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; ; i++ {
					content := "writer " + itoa(w) + " note " + itoa(i) + ": " + strings.Repeat("the store keeps every answered write ", 20)
					res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: "remember",
						Arguments: map[string]any{"content": content, "tags": []string{"kill-test"}}})
					if err != nil {
						return // the server is gone
					}
					if res.IsError {
						continue
					}
					var m struct {
						ID string `json:"id"`
					}
					if json.Unmarshal([]byte(mcptest.Text(res)), &m) != nil {
						continue
					}
					mu.Lock()
					acked[m.ID] = content
					mu.Unlock()
				}
			}()
		}
		require.Eventually(t, func() bool { mu.Lock(); defer mu.Unlock(); return len(acked) >= 40 }, 60*time.Second, 5*time.Millisecond)
		require.NoError(t, cmd.Process.Kill())
		wg.Wait()
		mu.Lock()
		defer mu.Unlock()

		// A new server on the same store: every answered write is there, whole.
		cs2, _ := e.stdio(t)
		// On Postgres a call in flight may still commit after the kill (its backend finishes
		// the INSERT the dead server sent): wait until the count holds still.
		var st mcptest.Stats
		var hits []mcptest.Hit
		require.Eventually(t, func() bool {
			var before mcptest.Stats
			mcptest.Call(t, cs2, "stats", map[string]any{}, &before)
			hits = mcptest.Search(t, cs2, map[string]any{"query": "answered write", "k": 100, "tags": []string{"kill-test"}})
			mcptest.Call(t, cs2, "stats", map[string]any{}, &st)
			return before.Memories == st.Memories && len(hits) == min(st.Memories, 100)
		}, 10*time.Second, 100*time.Millisecond, "the writes in flight when the server was killed settle")
		t.Logf("killed with %d writes answered; the reopened store holds %d memories", len(acked), st.Memories)
		require.GreaterOrEqual(t, st.Memories, len(acked))
		require.LessOrEqual(t, st.Memories, len(acked)+writers, "at most the calls in flight were written unanswered")
		for id, content := range acked {
			var got mcptest.Memory
			mcptest.Call(t, cs2, "get", map[string]any{"id": id}, &got)
			require.Equal(t, content, got.Content)
			require.Equal(t, []string{"kill-test"}, got.Tags)
		}
		mcptest.Remember(t, cs2, map[string]any{"content": "written after the crash"})

		// The store's own check, from the CLI.
		out, err := e.command("health", "--json").CombinedOutput()
		require.NoError(t, err, "%s", out)
		require.Contains(t, string(out), `"status": "healthy"`)
		if e.backend == "sqlite" {
			requireIntegrity(t, filepath.Join(e.home, ".vestige", "vestige.db"))
		}
	})
}

// TestStdioOversizedMessage: a message past the 4 MiB bound is dropped unread and answered
// with a JSON-RPC error (id null: its id was not read), nothing is written, and the session
// goes on: the request after it is served and the end of the input ends it cleanly.
func TestStdioOversizedMessage(t *testing.T) {
	e := sqliteEnv(t)
	init := `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"0"}}}`
	big := `{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"remember","arguments":{"content":"` +
		strings.Repeat("x", 5<<20) + `"}}}`
	ping := `{"jsonrpc":"2.0","id":3,"method":"ping"}`
	cmd := e.command("mcp")
	// Stdin stays open until the ping is answered: at end of input the server stops, and
	// may drop answers still in flight.
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	answers, err := cmd.StdoutPipe()
	require.NoError(t, err)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Start())
	go func() { _, _ = io.WriteString(stdin, init+"\n"+big+"\n"+ping+"\n") }()
	var stdout strings.Builder
	lines := bufio.NewScanner(answers)
	lines.Buffer(nil, 1<<20)
	for lines.Scan() {
		stdout.WriteString(lines.Text() + "\n")
		if strings.Contains(lines.Text(), `"id":3,`) {
			break
		}
	}
	require.NoError(t, stdin.Close())
	require.NoError(t, cmd.Wait(), "%s", stderr.String())
	require.Contains(t, stdout.String(), `{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"Invalid Request: a message is at most 4194304 bytes"}}`)
	require.Contains(t, stdout.String(), `"id":3,"result"`, "the request after it was answered")
	require.Contains(t, stdout.String(), `"id":1,"result"`, "the initialize before it was answered")
	out, err := e.command("stats", "--json").CombinedOutput()
	require.NoError(t, err, "%s", out)
	require.Contains(t, string(out), `"memories": 0`)
}
