package mcpserver

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/vestige-mem/vestige/client/store"
)

type rememberIn struct {
	Content  string         `json:"content" jsonschema:"the note to keep: one self-contained fact, preference or decision, in plain words (1 byte to 256 KiB)"`
	Type     string         `json:"type,omitempty" jsonschema:"what kind of note it is, e.g. fact, preference, decision, event, person (default: general)"`
	Tags     []string       `json:"tags,omitempty" jsonschema:"short labels to filter by later, e.g. [\"project-x\", \"deploy\"] (at most 64, each 1 to 256 bytes)"`
	Domains  []string       `json:"domains,omitempty" jsonschema:"ids of the domains (topic clusters) it belongs to (at most 64)"`
	Metadata map[string]any `json:"metadata,omitempty" jsonschema:"any JSON object to keep with it, e.g. {\"source\": \"chat\"} (at most 64 KiB)"`
}

func (s *server) rememberTool() tool {
	return define(s, &mcp.Tool{
		Name:  "remember",
		Title: "Remember a note",
		Description: "Store a new memory and return it with its id. Keep one fact per memory, written so that it " +
			"makes sense on its own later. Search first if the fact may already be stored: update that memory " +
			"instead of adding a near duplicate.",
	}, false, func(ctx context.Context, req *mcp.CallToolRequest, in rememberIn) (memoryView, error) {
		meta, _, err := exactArguments(req)
		if err != nil {
			return memoryView{}, err
		}
		m, err := s.c.Remember(ctx, store.Memory{Content: in.Content, NodeType: in.Type,
			Tags: orEmpty(in.Tags), Domains: orEmpty(in.Domains), Metadata: meta})
		if err != nil {
			return memoryView{}, err
		}
		return viewMemory(m, false), nil
	})
}

type getIn struct {
	ID string `json:"id" jsonschema:"the memory's id (a UUID)"`
}

// getOut is one memory in full with its spaced-repetition state.
type getOut struct {
	memoryView
	Retrievability float64        `json:"retrievability" jsonschema:"probability (0 to 1) that it is still recalled now, by FSRS-6; 1 for a memory never reviewed"`
	Scheduling     schedulingView `json:"scheduling" jsonschema:"its FSRS-6 review state"`
}

func (s *server) getTool() tool {
	return define(s, &mcp.Tool{
		Name:  "get",
		Title: "Get a memory",
		Description: "Return one memory in full: content, type, tags, domains, metadata, times, and its review state " +
			"(retrievability now, next review).",
	}, true, func(ctx context.Context, _ *mcp.CallToolRequest, in getIn) (getOut, error) {
		id, err := parseID("id", in.ID)
		if err != nil {
			return getOut{}, err
		}
		st := s.c.Store()
		m, err := st.Get(ctx, id)
		if err != nil {
			return getOut{}, missing(err, "id", id)
		}
		sched, err := st.GetScheduling(ctx, id)
		if err != nil {
			return getOut{}, missing(err, "id", id)
		}
		r, err := st.Retrievability(ctx, id, store.Now())
		if err != nil {
			return getOut{}, missing(err, "id", id)
		}
		return getOut{memoryView: viewMemory(m, true), Retrievability: r, Scheduling: viewScheduling(sched)}, nil
	})
}

type updateIn struct {
	ID       string         `json:"id" jsonschema:"the memory's id (a UUID)"`
	Content  *string        `json:"content,omitempty" jsonschema:"new text; the memory is embedded again"`
	Type     *string        `json:"type,omitempty" jsonschema:"new node type"`
	Tags     *[]string      `json:"tags,omitempty" jsonschema:"the new tags, replacing all of them ([] clears them)"`
	Domains  *[]string      `json:"domains,omitempty" jsonschema:"the new domains, replacing all of them ([] clears them)"`
	Metadata map[string]any `json:"metadata,omitempty" jsonschema:"a new metadata object, replacing the old one whole"`
}

func (s *server) updateTool() tool {
	return define(s, &mcp.Tool{
		Name:  "update",
		Title: "Change a memory",
		Description: "Change a memory's content, type, tags, domains or metadata; fields left out keep their value, " +
			"and a list given replaces the old list whole. Use it to correct or refine a fact rather than " +
			"remembering a second version. Returns the memory as stored.",
		Annotations: &mcp.ToolAnnotations{IdempotentHint: true},
	}, false, func(ctx context.Context, req *mcp.CallToolRequest, in updateIn) (memoryView, error) {
		id, err := parseID("id", in.ID)
		if err != nil {
			return memoryView{}, err
		}
		meta, hasMeta, err := exactArguments(req)
		if err != nil {
			return memoryView{}, err
		}
		if in.Content == nil && in.Type == nil && in.Tags == nil && in.Domains == nil && !hasMeta {
			return memoryView{}, argErrorf("nothing to update: give content, type, tags, domains or metadata")
		}
		m, err := s.c.Get(ctx, id)
		if err != nil {
			return memoryView{}, missing(err, "id", id)
		}
		if in.Content != nil {
			m.Content = *in.Content
		}
		if in.Type != nil {
			m.NodeType = *in.Type
		}
		if in.Tags != nil {
			m.Tags = orEmpty(*in.Tags)
		}
		if in.Domains != nil {
			m.Domains = orEmpty(*in.Domains)
		}
		if hasMeta {
			m.Metadata = meta
		}
		m, err = s.c.Update(ctx, m)
		if err != nil {
			return memoryView{}, missing(err, "id", id)
		}
		return viewMemory(m, false), nil
	})
}

type forgetIn struct {
	ID string `json:"id" jsonschema:"the id of the memory to delete (a UUID)"`
}

type forgetOut struct {
	Forgotten string `json:"forgotten" jsonschema:"the id of the memory deleted"`
}

func (s *server) forgetTool() tool {
	return define(s, &mcp.Tool{
		Name:  "forget",
		Title: "Forget a memory",
		Description: "Delete a memory for good, with its links and review history. Use it for what is wrong or " +
			"no longer wanted; to correct a memory, update it instead.",
		Annotations: &mcp.ToolAnnotations{DestructiveHint: ptr(true)},
	}, false, func(ctx context.Context, _ *mcp.CallToolRequest, in forgetIn) (forgetOut, error) {
		id, err := parseID("id", in.ID)
		if err != nil {
			return forgetOut{}, err
		}
		if err := s.c.Forget(ctx, id); err != nil {
			return forgetOut{}, missing(err, "id", id)
		}
		return forgetOut{Forgotten: id.String()}, nil
	})
}

// exactArguments re-reads a writing tool's raw arguments under the value rules: the SDK
// decodes them through float64 and silently replaces a lone surrogate escape with U+FFFD,
// while a stored value must come back exactly as given or be refused. It returns the
// metadata object, with numbers kept exactly, and whether one was given (null is not).
func exactArguments(req *mcp.CallToolRequest) (map[string]any, bool, error) {
	raw := []byte(req.Params.Arguments)
	if len(raw) == 0 {
		return nil, false, nil
	}
	if err := store.CheckJSONText("arguments", raw); err != nil {
		return nil, false, err
	}
	var args struct {
		Metadata json.RawMessage `json:"metadata"`
	}
	if err := json.Unmarshal(raw, &args); err != nil {
		return nil, false, argErrorf("arguments are not a JSON object: %v", err)
	}
	if len(args.Metadata) == 0 || string(args.Metadata) == "null" {
		return nil, false, nil
	}
	meta, err := store.ParseJSONObject("metadata", args.Metadata)
	if err != nil {
		var bad *store.InvalidInputError
		if errors.As(err, &bad) {
			return nil, false, err
		}
		return nil, false, argErrorf("metadata: %v", err)
	}
	return meta, true, nil
}

// orEmpty is vs, or an empty list for nil. Labels are passed on as given: the store refuses
// a blank one by name rather than dropping it.
func orEmpty(vs []string) []string {
	if vs == nil {
		return []string{}
	}
	return vs
}
