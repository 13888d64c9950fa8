// Package mcptest drives a vestige MCP server through the SDK's client, the same way over
// every transport (in memory, stdio, HTTP): Exercise calls every tool and checks what it
// answers, BadArguments checks that each kind of mistake is a tool error a model can act on.
package mcptest

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/jsonschema-go/jsonschema"
	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/stretchr/testify/require"
)

// AllTools and ReadTools are the tool names a client lists, sorted.
var (
	AllTools  = []string{"classify", "due", "forget", "get", "link", "neighbors", "remember", "review", "search", "stats", "unlink", "update"}
	ReadTools = []string{"classify", "due", "get", "neighbors", "search", "stats"}
)

// Call calls a tool that must succeed and decodes its result into out (a pointer; numbers as
// json.Number), checking that the text content and the structured result are the same JSON
// and that it matches the tool's output schema.
func Call(t testing.TB, cs *mcp.ClientSession, name string, args any, out any) {
	t.Helper()
	res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: name, Arguments: args})
	require.NoError(t, err, "%s: protocol error", name)
	require.False(t, res.IsError, "%s(%s) failed: %s", name, show(args), Text(res))
	b, err := json.Marshal(res.StructuredContent)
	require.NoError(t, err)
	require.JSONEq(t, string(b), Text(res), "%s: the text content is the structured result", name)
	checkOutput(t, cs, name, b)
	if out != nil {
		// From the text: the SDK's client decodes the structured result through float64.
		dec := json.NewDecoder(strings.NewReader(Text(res)))
		dec.UseNumber()
		require.NoError(t, dec.Decode(out), "%s: %s", name, Text(res))
	}
}

// schemas caches each session's output schemas by tool name.
var schemas sync.Map // *mcp.ClientSession → map[string]*jsonschema.Resolved

// checkOutput validates a structured result against the output schema the tool advertises.
func checkOutput(t testing.TB, cs *mcp.ClientSession, name string, result []byte) {
	t.Helper()
	v, ok := schemas.Load(cs)
	if !ok {
		m := map[string]*jsonschema.Resolved{}
		for tool, err := range cs.Tools(context.Background(), nil) {
			require.NoError(t, err)
			raw, err := json.Marshal(tool.OutputSchema)
			require.NoError(t, err)
			var s jsonschema.Schema
			require.NoError(t, json.Unmarshal(raw, &s), "%s: output schema", tool.Name)
			r, err := s.Resolve(nil)
			require.NoError(t, err, "%s: output schema", tool.Name)
			m[tool.Name] = r
		}
		v, _ = schemas.LoadOrStore(cs, m)
	}
	r := v.(map[string]*jsonschema.Resolved)[name]
	require.NotNil(t, r, "%s has an output schema", name)
	var inst any
	require.NoError(t, json.Unmarshal(result, &inst))
	require.NoError(t, r.Validate(inst), "%s: the result matches its output schema: %s", name, result)
}

// Fails calls a tool that must fail with a tool error (IsError; the session goes on) whose
// text contains every want, and returns that text.
func Fails(t testing.TB, cs *mcp.ClientSession, name string, args any, want ...string) string {
	t.Helper()
	res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: name, Arguments: args})
	require.NoError(t, err, "%s(%s): a bad call is a tool error, not a protocol error", name, show(args))
	msg := Text(res)
	require.True(t, res.IsError, "%s(%s) should fail; got %s", name, show(args), msg)
	for _, w := range want {
		require.Contains(t, msg, w, "%s(%s)", name, show(args))
	}
	return msg
}

// Text joins a result's text content.
func Text(res *mcp.CallToolResult) string {
	var parts []string
	for _, c := range res.Content {
		if tc, ok := c.(*mcp.TextContent); ok {
			parts = append(parts, tc.Text)
		}
	}
	return strings.Join(parts, "\n")
}

// ToolNames lists the session's tools, sorted.
func ToolNames(t testing.TB, cs *mcp.ClientSession) []string {
	t.Helper()
	var names []string
	for tool, err := range cs.Tools(context.Background(), nil) {
		require.NoError(t, err)
		require.NotEmpty(t, tool.Description, tool.Name)
		require.NotNil(t, tool.InputSchema, tool.Name)
		names = append(names, tool.Name)
	}
	slices.Sort(names)
	return names
}

func show(v any) string {
	if raw, ok := v.(json.RawMessage); ok {
		return string(raw)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// Memory is a memory as the tools return it.
type Memory struct {
	ID           string         `json:"id"`
	Content      string         `json:"content"`
	Type         string         `json:"type"`
	Tags         []string       `json:"tags"`
	Domains      []string       `json:"domains"`
	Metadata     map[string]any `json:"metadata"`
	CreatedAt    *string        `json:"created_at"`
	EmbeddingDim *json.Number   `json:"embedding_dimension"`
}

// Hit is a search result.
type Hit struct {
	Memory
	Rank       int          `json:"rank"`
	Score      float64      `json:"score"`
	FTSRank    *int         `json:"fts_rank"`
	VectorRank *int         `json:"vector_rank"`
	FTSScore   *json.Number `json:"fts_score"`
}

// Scheduling is a review state.
type Scheduling struct {
	State      string  `json:"state"`
	NextReview *string `json:"next_review"`
	Reviews    int     `json:"reviews"`
}

// Stats is the stats tool's answer.
type Stats struct {
	Backend  string `json:"backend"`
	Memories int    `json:"memories"`
	Links    int    `json:"links"`
	Reviews  int    `json:"reviews"`
	Model    string `json:"model"`
}

// Remember stores a note and returns its id.
func Remember(t testing.TB, cs *mcp.ClientSession, args map[string]any) string {
	t.Helper()
	var m Memory
	Call(t, cs, "remember", args, &m)
	require.NotEmpty(t, m.ID)
	require.Equal(t, args["content"], m.Content)
	return m.ID
}

// Search runs the search tool.
func Search(t testing.TB, cs *mcp.ClientSession, args map[string]any) []Hit {
	t.Helper()
	var out struct {
		Results []Hit `json:"results"`
	}
	Call(t, cs, "search", args, &out)
	return out.Results
}

// Notes are the three memories Exercise remembers.
var Notes = []map[string]any{
	{"content": "The deploy pipeline runs on GitHub Actions and pushes images to the registry", "type": "fact", "tags": []string{"infra", "ci"}},
	{"content": "Alice prefers tea over coffee in the morning", "type": "preference", "tags": []string{"alice"},
		"metadata": json.RawMessage(`{"source":"chat","n":9007199254740993}`)},
	{"content": "Postgres connection pool is limited to 10 connections in production", "type": "fact", "tags": []string{"infra", "db"}},
}

// Exercise calls every tool on an empty store through cs and checks the answers: remember
// three notes, search them, review one, link, walk, update, classify, count and forget.
// backend is the store's ("sqlite" or "postgres").
func Exercise(t *testing.T, cs *mcp.ClientSession, backend string) {
	t.Helper()
	require.Equal(t, AllTools, ToolNames(t, cs))

	var st Stats
	Call(t, cs, "stats", map[string]any{}, &st)
	require.Equal(t, Stats{Backend: backend}, st, "an empty store")

	ids := make([]string, len(Notes))
	for i, n := range Notes {
		ids[i] = Remember(t, cs, n)
	}
	deploy, tea, pool := ids[0], ids[1], ids[2]

	// Search: every mode finds the pool note first; the default answer is small.
	for _, mode := range []string{"hybrid", "fts", "vector"} {
		hits := Search(t, cs, map[string]any{"query": "how many Postgres connections in the pool?", "mode": mode, "k": 3})
		require.NotEmpty(t, hits, mode)
		require.Equal(t, pool, hits[0].ID, "mode %s finds the pool note first", mode)
		require.Equal(t, 1, hits[0].Rank, mode)
		require.Positive(t, hits[0].Score, mode)
		require.Nil(t, hits[0].Metadata, "%s: metadata only on request", mode)
		require.Nil(t, hits[0].CreatedAt, "%s: times only on request", mode)
		if mode == "fts" {
			require.Equal(t, 1, *hits[0].FTSRank)
			require.Nil(t, hits[0].VectorRank)
		}
	}
	hits := Search(t, cs, map[string]any{"query": "tea", "full": true})
	require.Len(t, hits, 1)
	require.Equal(t, tea, hits[0].ID)
	require.Equal(t, json.Number("9007199254740993"), hits[0].Metadata["n"], "metadata numbers come back exactly")
	require.NotNil(t, hits[0].CreatedAt)
	require.NotNil(t, hits[0].FTSScore)
	hits = Search(t, cs, map[string]any{"query": "connections registry pipeline", "mode": "fts", "tags": []string{"db"}})
	require.Len(t, hits, 1, "the tag filter")
	require.Equal(t, pool, hits[0].ID)
	require.Empty(t, Search(t, cs, map[string]any{"query": "pool", "types": []string{"preference"}}))
	require.Empty(t, Search(t, cs, map[string]any{"query": "zebra"}), "no match is an empty list")

	// Get: the memory in full with its review state.
	var got struct {
		Memory
		Retrievability float64    `json:"retrievability"`
		Scheduling     Scheduling `json:"scheduling"`
	}
	Call(t, cs, "get", map[string]any{"id": tea}, &got)
	require.Equal(t, Notes[1]["content"], got.Content)
	require.Equal(t, "preference", got.Type)
	require.Equal(t, []string{"alice"}, got.Tags)
	require.Equal(t, map[string]any{"source": "chat", "n": json.Number("9007199254740993")}, got.Metadata)
	require.Equal(t, json.Number("384"), *got.EmbeddingDim)
	require.Equal(t, 1.0, got.Retrievability)
	require.Equal(t, "new", got.Scheduling.State)

	// Review: FSRS-6 schedules the next review.
	var rev struct {
		ID     string `json:"id"`
		Rating string `json:"rating"`
		Scheduling
	}
	Call(t, cs, "review", map[string]any{"id": pool, "rating": "good"}, &rev)
	require.Equal(t, pool, rev.ID)
	require.Equal(t, "good", rev.Rating)
	require.Contains(t, []string{"learning", "review"}, rev.State)
	require.NotNil(t, rev.NextReview)
	require.Equal(t, 1, rev.Reviews)
	Call(t, cs, "get", map[string]any{"id": pool}, &got)
	require.Equal(t, 1, got.Scheduling.Reviews)
	require.Equal(t, *rev.NextReview, *got.Scheduling.NextReview)

	// Due: the two never reviewed are due now; all three by the end of time.
	var due struct {
		Due []struct {
			ID    string `json:"id"`
			State string `json:"state"`
		} `json:"due"`
	}
	Call(t, cs, "due", map[string]any{}, &due)
	require.ElementsMatch(t, []string{deploy, tea}, []string{due.Due[0].ID, due.Due[1].ID})
	require.Len(t, due.Due, 2)
	require.Equal(t, "new", due.Due[0].State)
	Call(t, cs, "due", map[string]any{"before": "9999-01-01T00:00:00Z", "limit": 5}, &due)
	require.Len(t, due.Due, 3)
	require.Equal(t, pool, due.Due[2].ID, "the reviewed memory is due last")

	// Graph: link, walk, unlink.
	var edge struct {
		Source, Target, Type string
		Weight               float64
	}
	Call(t, cs, "link", map[string]any{"source": deploy, "target": pool, "weight": 0.5}, &edge)
	require.Equal(t, deploy, edge.Source)
	require.Equal(t, pool, edge.Target)
	require.Equal(t, "related", edge.Type)
	require.Equal(t, 0.5, edge.Weight)
	var walk struct {
		Neighbors []struct {
			ID         string  `json:"id"`
			Hops       int     `json:"hops"`
			Activation float64 `json:"activation"`
		} `json:"neighbors"`
	}
	Call(t, cs, "neighbors", map[string]any{"id": pool}, &walk)
	require.Len(t, walk.Neighbors, 2)
	require.Equal(t, pool, walk.Neighbors[0].ID)
	require.Equal(t, deploy, walk.Neighbors[1].ID, "links are walked both ways")
	require.Equal(t, 1, walk.Neighbors[1].Hops)
	require.Less(t, walk.Neighbors[1].Activation, 1.0)
	var removed struct {
		Removed struct {
			Weight float64 `json:"weight"`
		} `json:"removed"`
	}
	Call(t, cs, "unlink", map[string]any{"source": deploy, "target": pool}, &removed)
	require.Equal(t, 0.5, removed.Removed.Weight)
	Call(t, cs, "neighbors", map[string]any{"id": pool}, &walk)
	require.Len(t, walk.Neighbors, 1)

	// Update: new content is searchable at once; a list given replaces the old one.
	var upd Memory
	Call(t, cs, "update", map[string]any{"id": tea, "content": "Alice switched to green tea", "tags": []string{}}, &upd)
	require.Equal(t, "Alice switched to green tea", upd.Content)
	require.Empty(t, upd.Tags)
	require.Equal(t, "preference", upd.Type, "fields left out keep their value")
	hits = Search(t, cs, map[string]any{"query": "green", "mode": "fts"})
	require.Len(t, hits, 1)
	require.Equal(t, tea, hits[0].ID)

	// Classify: no domain has a centroid yet, which is an empty list, not an error.
	var cls struct {
		Domains []any `json:"domains"`
	}
	Call(t, cs, "classify", map[string]any{"text": "postgres pool size"}, &cls)
	require.NotNil(t, cls.Domains)

	Call(t, cs, "stats", map[string]any{}, &st)
	require.Equal(t, 3, st.Memories)
	require.Equal(t, 0, st.Links)
	require.Equal(t, 1, st.Reviews)
	require.Equal(t, "hash-384", st.Model)

	// Forget.
	var gone struct {
		Forgotten string `json:"forgotten"`
	}
	Call(t, cs, "forget", map[string]any{"id": deploy}, &gone)
	require.Equal(t, deploy, gone.Forgotten)
	Fails(t, cs, "get", map[string]any{"id": deploy}, "no memory with id "+deploy)
	Call(t, cs, "stats", map[string]any{}, &st)
	require.Equal(t, 2, st.Memories)
}

// BadArguments checks that each kind of mistake a model makes is a tool error naming what
// was wrong, that nothing was written, and that the session goes on.
func BadArguments(t *testing.T, cs *mcp.ClientSession) {
	t.Helper()
	id := Remember(t, cs, map[string]any{"content": "a memory to aim at"})
	other := Remember(t, cs, map[string]any{"content": "another memory"})
	Call(t, cs, "review", map[string]any{"id": id, "rating": "good", "at": "2026-01-02T00:00:00Z"}, nil)
	var before Stats
	Call(t, cs, "stats", map[string]any{}, &before)
	unknown := "0190a1b2-0000-7000-8000-00000000000a"
	big := strings.Repeat("x", 256<<10+1)
	cases := []struct {
		tool string
		args any
		want []string
	}{
		{"remember", map[string]any{}, []string{"content"}},
		{"remember", map[string]any{"content": "   "}, []string{"invalid content", "empty"}},
		{"remember", map[string]any{"content": big}, []string{"invalid content", "262144"}},
		{"remember", map[string]any{"content": "x", "tags": []string{""}}, []string{"invalid tags"}},
		{"remember", map[string]any{"content": "x", "type": strings.Repeat("t", 300)}, []string{"invalid type", "256"}},
		{"remember", map[string]any{"content": "x", "metadata": "chat"}, []string{"metadata"}},
		{"remember", map[string]any{"content": "x", "colour": "red"}, []string{"colour"}},
		{"remember", json.RawMessage(`{"content":"x","metadata":{"s":"\ud800"}}`), []string{"lone UTF-16 surrogate"}},
		{"remember", json.RawMessage(`{"content":"x","metadata":{"a":1,"a":2}}`), []string{"arguments", "a"}},
		{"remember", map[string]any{"content": "x", "metadata": map[string]any{"g": json.Number("1e400")}}, []string{"metadata.g", "1e400"}},
		{"remember", map[string]any{"content": "x", "metadata": map[string]any{"g": json.Number("1e-400")}}, []string{"invalid metadata.g", "out of range"}},
		{"search", map[string]any{}, []string{"query"}},
		{"search", map[string]any{"query": "x", "mode": "fuzzy"}, []string{"mode"}},
		{"search", map[string]any{"query": "x", "k": 0}, []string{"k"}},
		{"search", map[string]any{"query": "x", "k": 101}, []string{"k"}},
		{"search", map[string]any{"query": "x", "min_retrievability": 2}, []string{"min_retrievability"}},
		{"search", map[string]any{"query": "!!!", "mode": "vector"}, []string{"empty query"}},
		{"get", map[string]any{"id": "nope"}, []string{`id "nope" is not a memory id`}},
		{"get", map[string]any{"id": unknown}, []string{"no memory with id " + unknown}},
		{"get", map[string]any{"id": 42}, []string{"id"}},
		{"update", map[string]any{"id": id}, []string{"nothing to update"}},
		{"update", map[string]any{"id": unknown, "content": "x"}, []string{"no memory with id " + unknown}},
		{"update", map[string]any{"id": id, "content": ""}, []string{"invalid content"}},
		{"forget", map[string]any{"id": unknown}, []string{"no memory with id " + unknown}},
		{"link", map[string]any{"source": id, "target": id}, []string{"same memory"}},
		{"link", map[string]any{"source": id, "target": other, "weight": 2}, []string{"weight"}},
		{"link", map[string]any{"source": id, "target": unknown}, []string{"target: no memory with id " + unknown}},
		{"link", map[string]any{"source": id, "target": other, "type": "\x01"}, []string{"invalid type"}},
		{"unlink", map[string]any{"source": id, "target": other}, []string{"no link"}},
		{"neighbors", map[string]any{"id": id, "depth": 11}, []string{"depth"}},
		{"neighbors", map[string]any{"id": unknown}, []string{unknown}},
		{"review", map[string]any{"id": id, "rating": "meh"}, []string{"rating"}},
		{"review", map[string]any{"id": id}, []string{"rating"}},
		{"review", map[string]any{"id": unknown, "rating": "good"}, []string{"no memory with id " + unknown}},
		{"review", map[string]any{"id": id, "rating": "good", "at": "2025-01-01T00:00:00Z"}, []string{"before the last review"}},
		{"review", map[string]any{"id": id, "rating": "good", "at": "yesterday"}, []string{`at "yesterday" is not an RFC 3339 time`}},
		{"due", map[string]any{"limit": 1000}, []string{"limit"}},
		{"due", map[string]any{"before": "soon"}, []string{"before"}},
		{"classify", map[string]any{"text": ""}, []string{"text"}},
		{"nope", map[string]any{}, nil},
	}
	for _, c := range cases {
		if c.tool == "nope" {
			// An unknown tool is the one protocol error: the client asked for what is not listed.
			_, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: "nope", Arguments: c.args})
			require.ErrorContains(t, err, "nope")
			continue
		}
		Fails(t, cs, c.tool, c.args, c.want...)
	}
	// Nothing was written by the refused calls, and the session still answers.
	var after Stats
	Call(t, cs, "stats", map[string]any{}, &after)
	require.Equal(t, before, after)
}
