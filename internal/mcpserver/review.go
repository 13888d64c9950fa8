package mcpserver

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/google/jsonschema-go/jsonschema"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/vestige-mem/vestige/client/fsrs"
	"github.com/vestige-mem/vestige/client/store"
)

type reviewIn struct {
	ID     string `json:"id" jsonschema:"the memory reviewed"`
	Rating string `json:"rating" jsonschema:"how well it was recalled or how useful it proved: again (forgotten or wrong), hard, good or easy"`
	At     string `json:"at,omitempty" jsonschema:"when it was reviewed, RFC 3339 (default now); not before its last review"`
}

type reviewOut struct {
	ID     string `json:"id" jsonschema:"the memory reviewed"`
	Rating string `json:"rating" jsonschema:"the rating recorded"`
	schedulingView
}

func (s *server) reviewTool() tool {
	return define(s, &mcp.Tool{
		Name:  "review",
		Title: "Review a memory (FSRS-6)",
		Description: "Record that a memory was recalled and how well, and schedule its next review with FSRS-6: " +
			"again pulls it back soon, easy pushes it far out. Rate a memory after you used it; rate again " +
			"when it turned out wrong or stale (and update or forget it).",
		InputSchema: inputSchema[reviewIn](func(p map[string]*jsonschema.Schema) {
			p["rating"].Enum = []any{"again", "hard", "good", "easy"}
		}),
	}, false, func(ctx context.Context, _ *mcp.CallToolRequest, in reviewIn) (reviewOut, error) {
		id, err := parseID("id", in.ID)
		if err != nil {
			return reviewOut{}, err
		}
		rating, err := fsrs.ParseRating(in.Rating)
		if err != nil {
			return reviewOut{}, argErrorf("rating %q is not again, hard, good or easy", in.Rating)
		}
		var at time.Time
		if in.At != "" {
			if at, err = parseTime("at", in.At); err != nil {
				return reviewOut{}, err
			}
		}
		st, err := s.c.Store().Review(ctx, id, int(rating), at)
		if err != nil {
			return reviewOut{}, missing(err, "id", id)
		}
		return reviewOut{ID: id.String(), Rating: rating.String(), schedulingView: viewScheduling(&st)}, nil
	})
}

type dueIn struct {
	Before string `json:"before,omitempty" jsonschema:"due by this time, RFC 3339 (default now)"`
	Limit  int    `json:"limit,omitempty" jsonschema:"how many to list, earliest due first (1 to 100, default 10)"`
	Full   bool   `json:"full,omitempty" jsonschema:"also return each memory's metadata, times and review state"`
}

type dueMemory struct {
	DueAt time.Time `json:"due_at" jsonschema:"when it fell due"`
	State string    `json:"state" jsonschema:"new (never reviewed), learning, review or relearning"`
	memoryView
	Scheduling *schedulingView `json:"scheduling,omitempty" jsonschema:"its FSRS-6 state (full only)"`
}

type dueOut struct {
	Due []dueMemory `json:"due" jsonschema:"memories due for review, earliest first (memories never reviewed are due from their creation)"`
}

func (s *server) dueTool() tool {
	return define(s, &mcp.Tool{
		Name:  "due",
		Title: "List memories due for review",
		Description: "List the memories whose review is due (FSRS-6), earliest first: check them with the user or " +
			"against what you know now, then review each.",
		InputSchema: inputSchema[dueIn](func(p map[string]*jsonschema.Schema) {
			p["limit"].Minimum, p["limit"].Maximum, p["limit"].Default = ptr(1.0), ptr(float64(MaxResults)), json.RawMessage(`10`)
		}),
	}, true, func(ctx context.Context, _ *mcp.CallToolRequest, in dueIn) (dueOut, error) {
		var before time.Time
		var err error
		if in.Before != "" {
			if before, err = parseTime("before", in.Before); err != nil {
				return dueOut{}, err
			}
		}
		if in.Limit == 0 {
			in.Limit = 10
		}
		if in.Limit < 1 || in.Limit > MaxResults {
			return dueOut{}, argErrorf("limit %d is outside 1..%d", in.Limit, MaxResults)
		}
		due, err := s.c.Due(ctx, before, in.Limit)
		if err != nil {
			return dueOut{}, err
		}
		out := dueOut{Due: make([]dueMemory, 0, len(due))}
		for _, d := range due {
			v := dueMemory{DueAt: d.DueAt, State: viewScheduling(d.Scheduling).State, memoryView: viewMemory(d.Memory, in.Full)}
			if in.Full {
				sv := viewScheduling(d.Scheduling)
				v.Scheduling = &sv
			}
			out.Due = append(out.Due, v)
		}
		return out, nil
	})
}

type statsIn struct{}

type statsOut struct {
	Backend        string `json:"backend" jsonschema:"sqlite or postgres"`
	Memories       int64  `json:"memories" jsonschema:"how many memories are stored"`
	WithEmbeddings int64  `json:"with_embeddings" jsonschema:"how many have an embedding (the others are found by words only)"`
	Edges          int64  `json:"links" jsonschema:"how many links join memories"`
	Domains        int64  `json:"domains" jsonschema:"how many domains are defined"`
	ReviewEvents   int64  `json:"reviews" jsonschema:"how many reviews were recorded"`
	Model          string `json:"model,omitempty" jsonschema:"the embedding model the store's vectors are from"`
	Dimension      int    `json:"dimension,omitempty" jsonschema:"the model's vector length"`
}

func (s *server) statsTool() tool {
	return define(s, &mcp.Tool{
		Name:        "stats",
		Title:       "Count what the memory holds",
		Description: "Count the memories, links, domains and reviews in the store, and name its backend and embedding model.",
	}, true, func(ctx context.Context, _ *mcp.CallToolRequest, _ statsIn) (statsOut, error) {
		st, err := s.c.Stats(ctx)
		if err != nil {
			return statsOut{}, err
		}
		return statsOut{Backend: s.c.Backend(), Memories: st.Memories, WithEmbeddings: st.WithEmbeddings, Edges: st.Edges,
			Domains: st.Domains, ReviewEvents: st.ReviewEvents, Model: st.ModelName, Dimension: st.ModelDimension}, nil
	})
}

// parseTime reads an RFC 3339 time; without a zone it is UTC, as on the command line.
func parseTime(field, s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	inRange := func(t time.Time) (time.Time, error) {
		if err := store.CheckTime(field, t); err != nil {
			var bad *store.InvalidInputError
			if errors.As(err, &bad) {
				return time.Time{}, argErrorf("%s %s", field, bad.Reason)
			}
			return time.Time{}, err
		}
		return t.UTC(), nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return inRange(t)
	}
	for _, layout := range []string{"2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, time.UTC); err == nil {
			return inRange(t)
		}
	}
	return time.Time{}, argErrorf("%s %q is not an RFC 3339 time (such as 2026-05-01T10:00:00Z)", field, s)
}
