package mcpserver_test

import (
	"context"
	"slices"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/stretchr/testify/require"

	"github.com/vestige-mem/vestige/client"
	"github.com/vestige-mem/vestige/client/config"
	"github.com/vestige-mem/vestige/client/store"
	"github.com/vestige-mem/vestige/internal/mcpserver"
	"github.com/vestige-mem/vestige/internal/mcpserver/mcptest"
	"github.com/vestige-mem/vestige/tests/testdb"
)

// backends opens a fresh store per backend: a SQLite file and a Postgres database.
var backends = map[string]func(t *testing.T) config.Config{
	"sqlite": func(t *testing.T) config.Config { return config.Default(t.TempDir()) },
	"postgres": func(t *testing.T) config.Config {
		cfg := config.Default("")
		p := config.DefaultPostgres(testdb.New(t))
		cfg.Storage = config.Storage{Backend: config.BackendPostgres, Postgres: &p}
		return cfg
	},
}

// forBoth runs fn once per backend with an open client.
func forBoth(t *testing.T, fn func(t *testing.T, backend string, c *client.Client)) {
	t.Helper()
	for name, cfg := range backends {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			fn(t, name, openClient(t, cfg(t)))
		})
	}
}

func openClient(t *testing.T, cfg config.Config) *client.Client {
	t.Helper()
	c, err := client.Open(context.Background(), cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// connect serves c over an in-memory transport and returns the SDK client's session, at the
// client's default protocol version or the one given.
func connect(t *testing.T, c *client.Client, opts mcpserver.Options, version string) *mcp.ClientSession {
	t.Helper()
	ctx := context.Background()
	srv := mcpserver.New(c, opts)
	st, ct := mcp.NewInMemoryTransports()
	ss, err := srv.Connect(ctx, st, nil)
	require.NoError(t, err)
	t.Cleanup(func() { _ = ss.Close() })
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "test", Version: "1"}, nil).
		Connect(ctx, ct, &mcp.ClientSessionOptions{ProtocolVersion: version})
	require.NoError(t, err)
	t.Cleanup(func() { _ = cs.Close() })
	return cs
}

func TestTools(t *testing.T) {
	forBoth(t, func(t *testing.T, backend string, c *client.Client) {
		cs := connect(t, c, mcpserver.Options{}, "")
		init := cs.InitializeResult()
		require.Equal(t, mcpserver.Name, init.ServerInfo.Name)
		require.NotEmpty(t, init.Instructions)
		mcptest.Exercise(t, cs, backend)
	})
}

// TestInitializeHandshake: clients of the 2025 protocol versions initialise with the
// initialize request (the SDK's own client first tries server/discover, of 2026-07-28).
func TestInitializeHandshake(t *testing.T) {
	for _, version := range []string{"2025-11-25", "2025-06-18", "2025-03-26"} {
		t.Run(version, func(t *testing.T) {
			cs := connect(t, openClient(t, backends["sqlite"](t)), mcpserver.Options{}, version)
			require.Equal(t, version, cs.InitializeResult().ProtocolVersion)
			require.Equal(t, mcptest.AllTools, mcptest.ToolNames(t, cs))
			id := mcptest.Remember(t, cs, map[string]any{"content": "initialised with " + version})
			hits := mcptest.Search(t, cs, map[string]any{"query": "initialised"})
			require.Equal(t, id, hits[0].ID)
		})
	}
}

func TestBadArguments(t *testing.T) {
	forBoth(t, func(t *testing.T, _ string, c *client.Client) {
		mcptest.BadArguments(t, connect(t, c, mcpserver.Options{}, ""))
	})
}

func TestReadOnly(t *testing.T) {
	forBoth(t, func(t *testing.T, _ string, c *client.Client) {
		ctx := context.Background()
		m, err := c.Remember(ctx, store.Memory{Content: "written before the read-only server started"})
		require.NoError(t, err)
		cs := connect(t, c, mcpserver.Options{ReadOnly: true}, "")
		require.Equal(t, mcptest.ReadTools, mcptest.ToolNames(t, cs))
		require.Equal(t, mcptest.ReadTools, sorted(mcpserver.ToolNames(true)))
		for tool := range cs.Tools(ctx, nil) {
			require.True(t, tool.Annotations.ReadOnlyHint, tool.Name)
		}
		hits := mcptest.Search(t, cs, map[string]any{"query": "read-only"})
		require.Equal(t, m.ID.String(), hits[0].ID)
		for _, name := range []string{"remember", "update", "forget", "link", "unlink", "review"} {
			_, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: name, Arguments: map[string]any{"id": m.ID.String(), "content": "x"}})
			require.ErrorContains(t, err, name, "a writing tool is not there to call")
		}
		n, err := c.Store().Count(ctx)
		require.NoError(t, err)
		require.EqualValues(t, 1, n)
	})
}

// TestClassify: with domains that have centroids, classify ranks them.
func TestClassify(t *testing.T) {
	forBoth(t, func(t *testing.T, _ string, c *client.Client) {
		ctx := context.Background()
		for id, text := range map[string]string{"infra": "databases postgres connections pool", "food": "tea coffee breakfast"} {
			v, err := c.Embed(ctx, text)
			require.NoError(t, err)
			_, err = c.UpsertDomain(ctx, store.Domain{ID: id, Label: id, Centroid: v})
			require.NoError(t, err)
		}
		cs := connect(t, c, mcpserver.Options{}, "")
		var out struct {
			Domains []struct {
				Domain     string  `json:"domain"`
				Similarity float64 `json:"similarity"`
			} `json:"domains"`
		}
		mcptest.Call(t, cs, "classify", map[string]any{"text": "postgres pool size"}, &out)
		require.Len(t, out.Domains, 2)
		require.Equal(t, "infra", out.Domains[0].Domain)
		require.Greater(t, out.Domains[0].Similarity, out.Domains[1].Similarity)
		// A memory remembered with the domain is found by the domain filter.
		id := mcptest.Remember(t, cs, map[string]any{"content": "pgbouncer runs in transaction mode", "domains": []string{"infra"}})
		hits := mcptest.Search(t, cs, map[string]any{"query": "pgbouncer", "domains": []string{"infra"}})
		require.Equal(t, id, hits[0].ID)
		require.Empty(t, mcptest.Search(t, cs, map[string]any{"query": "pgbouncer", "domains": []string{"food"}}))
	})
}

// TestScrub: error text passes through Options.Scrub before a client sees it.
func TestScrub(t *testing.T) {
	c := openClient(t, backends["sqlite"](t))
	cs := connect(t, c, mcpserver.Options{Scrub: func(s string) string { return "scrubbed: " + s }}, "")
	mcptest.Fails(t, cs, "get", map[string]any{"id": "nope"}, "scrubbed: ")
}

func sorted(s []string) []string {
	return slices.Sorted(slices.Values(s))
}

// TestPanicIsToolError: a tool that panics (here: a server built without a client) answers
// with a tool error, and the session goes on.
func TestPanicIsToolError(t *testing.T) {
	cs := connect(t, nil, mcpserver.Options{}, "")
	for range 2 {
		mcptest.Fails(t, cs, "stats", map[string]any{}, "internal error in stats")
	}
	require.Equal(t, mcptest.AllTools, mcptest.ToolNames(t, cs))
}
