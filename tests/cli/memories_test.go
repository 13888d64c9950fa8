package cli_test

import (
	"testing"

	"github.com/stretchr/testify/require"
)

type memoryJSON struct {
	ID                 string             `json:"id"`
	Content            string             `json:"content"`
	NodeType           string             `json:"node_type"`
	Tags               []string           `json:"tags"`
	Domains            []string           `json:"domains"`
	DomainScores       map[string]float64 `json:"domain_scores"`
	Embedding          []float32          `json:"embedding"`
	Metadata           map[string]any     `json:"metadata"`
	CreatedAt          string             `json:"created_at"`
	UpdatedAt          string             `json:"updated_at"`
	EmbeddingDimension int                `json:"embedding_dimension"`
}

func TestMemoryCommands(t *testing.T) {
	forBoth(t, func(t *testing.T, e *env) {
		const id = "0190a1b2-0000-7000-8000-00000000000a"
		var m memoryJSON
		e.okJSON(&m, "add", "Postgres", "does", "the", "work", "--type", "fact", "--tag", "db", "--tag", "postgres",
			"--domain", "infra", "--metadata", `{"source":"test","n":2}`, "--id", id,
			"--created-at", "2024-05-01T12:30:00+05:30")
		require.Equal(t, memoryJSON{ID: id, Content: "Postgres does the work", NodeType: "fact",
			Tags: []string{"db", "postgres"}, Domains: []string{"infra"}, DomainScores: map[string]float64{},
			Metadata: map[string]any{"source": "test", "n": 2.0}, CreatedAt: "2024-05-01T07:00:00Z",
			UpdatedAt: "2024-05-01T07:00:00Z", EmbeddingDimension: 384}, m, "times in UTC, no embedding printed")

		out := e.ok("get", id)
		for _, want := range []string{"id         " + id, "type       fact", "content    Postgres does the work",
			"tags       db, postgres", "domains    infra", `metadata   {"n":2,"source":"test"}`,
			"created    2024-05-01T07:00:00Z", "embedding  384 dimensions"} {
			require.Contains(t, out, want)
		}
		var full memoryJSON
		e.okJSON(&full, "get", "--embedding", id)
		require.Len(t, full.Embedding, 384)

		// A time without a zone is UTC; a bare date is midnight UTC.
		e.okJSON(&m, "add", "dated without a zone", "--created-at", "2024-05-01T10:00:00")
		require.Equal(t, "2024-05-01T10:00:00Z", m.CreatedAt)
		e.okJSON(&m, "add", "dated by day", "--created-at", "2024-05-02")
		require.Equal(t, "2024-05-02T00:00:00Z", m.CreatedAt)

		// Content from standard input.
		r := e.runWithInput("line one\nline two\n", "--json", "add", "-")
		require.Equal(t, 0, r.code, r.stderr)
		stdinID := m.ID
		require.Contains(t, r.stdout, `"content": "line one\nline two"`)
		_ = stdinID

		// update: only the fields given change; a new content is embedded again.
		var before, after memoryJSON
		e.okJSON(&before, "get", "--embedding", id)
		out = e.ok("update", id, "--content", "Postgres does all the work", "--tag", "sql")
		require.Contains(t, out, "content    Postgres does all the work")
		require.Contains(t, out, "tags       sql")
		require.Contains(t, out, "type       fact", "the type is kept")
		e.okJSON(&after, "get", "--embedding", id)
		require.NotEqual(t, before.Embedding, after.Embedding, "the new content was embedded")
		require.Equal(t, before.CreatedAt, after.CreatedAt)
		require.NotEqual(t, before.UpdatedAt, after.UpdatedAt)
		var cleared memoryJSON
		e.okJSON(&cleared, "update", id, "--tag", "", "--type", "note", "--metadata", "{}")
		require.Empty(t, cleared.Tags, "--tag '' clears the tags")
		require.Equal(t, "note", cleared.NodeType)
		require.Empty(t, cleared.Metadata)

		e.fails(2, []string{"update", id}, "nothing to update")
		e.fails(2, []string{"update", id, "--content", ""}, "content")
		e.fails(2, []string{"add", "x", "--metadata", "[1]"}, "--metadata must be a JSON object")
		e.fails(2, []string{"add", "x", "--created-at", "yesterday"}, `--created-at "yesterday" is not an RFC 3339 time`)
		e.fails(2, []string{"add", "   "}, "content", "empty")
		e.fails(1, []string{"add", "again", "--id", id}, "already exists")

		// delete, then the id is unknown everywhere.
		out = e.ok("delete", id)
		require.Equal(t, "deleted "+id+"\n", out)
		var del struct{ Deleted []string }
		other := e.add("to be deleted")
		e.okJSON(&del, "delete", other)
		require.Equal(t, []string{other}, del.Deleted)
		for _, args := range [][]string{{"get", id}, {"delete", id}, {"update", id, "--type", "x"},
			{"edges", id}, {"neighbors", id}} {
			e.fails(1, args, id, "not found")
		}
		e.fails(2, []string{"get", "not-a-uuid"}, `id "not-a-uuid" is not a memory id`)
		e.fails(2, []string{"get"}, "expected")
	})
}
