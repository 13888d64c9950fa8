package mcpserver

import (
	"context"
	"encoding/json"
	"math"

	"github.com/google/jsonschema-go/jsonschema"
	"github.com/google/uuid"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/vestige-mem/vestige/client/store"
)

// MaxDepth bounds a graph walk, as the CLI does.
const MaxDepth = 10

type linkIn struct {
	Source string   `json:"source" jsonschema:"id of the memory the link starts at"`
	Target string   `json:"target" jsonschema:"id of the memory the link ends at"`
	Type   string   `json:"type,omitempty" jsonschema:"what the link means, e.g. related, causes, part_of, contradicts (default related)"`
	Weight *float64 `json:"weight,omitempty" jsonschema:"strength from 0 to 1 (default 1); a walk multiplies weights along a path"`
}

type edgeView struct {
	Source string  `json:"source" jsonschema:"id of the memory the link starts at"`
	Target string  `json:"target" jsonschema:"id of the memory the link ends at"`
	Type   string  `json:"type" jsonschema:"the link's type"`
	Weight float64 `json:"weight" jsonschema:"the link's strength (0 to 1)"`
}

func (s *server) linkTool() tool {
	return define(s, &mcp.Tool{
		Name:  "link",
		Title: "Link two memories",
		Description: "Connect two memories with a typed, weighted link, so that neighbors finds one from the other. " +
			"Linking again with the same type changes the weight.",
		Annotations: &mcp.ToolAnnotations{IdempotentHint: true},
		InputSchema: inputSchema[linkIn](func(p map[string]*jsonschema.Schema) {
			p["type"].Default = json.RawMessage(`"` + store.DefaultEdgeType + `"`)
			p["weight"].Minimum, p["weight"].Maximum, p["weight"].Default = ptr(0.0), ptr(1.0), json.RawMessage(`1`)
		}),
	}, false, func(ctx context.Context, _ *mcp.CallToolRequest, in linkIn) (edgeView, error) {
		src, dst, err := ends(in.Source, in.Target)
		if err != nil {
			return edgeView{}, err
		}
		w := 1.0
		if in.Weight != nil {
			w = *in.Weight
		}
		if math.IsNaN(w) || w < 0 || w > 1 {
			return edgeView{}, argErrorf("weight %v is outside [0, 1]", w)
		}
		// Name the end that is missing; the store would only report a broken reference.
		for _, e := range []struct {
			field string
			id    uuid.UUID
		}{{"source", src}, {"target", dst}} {
			if _, err := s.c.Get(ctx, e.id); err != nil {
				return edgeView{}, missing(err, e.field, e.id)
			}
		}
		e, err := s.c.Link(ctx, store.Edge{SourceID: src, TargetID: dst, EdgeType: in.Type, Weight: w})
		if err != nil {
			return edgeView{}, err
		}
		return edgeView{Source: e.SourceID.String(), Target: e.TargetID.String(), Type: e.EdgeType, Weight: e.Weight}, nil
	})
}

type unlinkIn struct {
	Source string `json:"source" jsonschema:"id of the memory the link starts at"`
	Target string `json:"target" jsonschema:"id of the memory the link ends at"`
	Type   string `json:"type,omitempty" jsonschema:"the link's type (default related)"`
}

type unlinkOut struct {
	Removed edgeView `json:"removed" jsonschema:"the link removed"`
}

func (s *server) unlinkTool() tool {
	return define(s, &mcp.Tool{
		Name:        "unlink",
		Title:       "Remove a link",
		Description: "Remove the link of a type from source to target (links are directed as made by link).",
		Annotations: &mcp.ToolAnnotations{DestructiveHint: ptr(true)},
		InputSchema: inputSchema[unlinkIn](func(p map[string]*jsonschema.Schema) {
			p["type"].Default = json.RawMessage(`"` + store.DefaultEdgeType + `"`)
		}),
	}, false, func(ctx context.Context, _ *mcp.CallToolRequest, in unlinkIn) (unlinkOut, error) {
		src, dst, err := ends(in.Source, in.Target)
		if err != nil {
			return unlinkOut{}, err
		}
		typ := in.Type
		if typ == "" {
			typ = store.DefaultEdgeType
		}
		edges, err := s.c.Edges(ctx, src, typ)
		if err != nil {
			return unlinkOut{}, missing(err, "source", src)
		}
		var found *store.Edge
		for i := range edges {
			if edges[i].SourceID == src && edges[i].TargetID == dst {
				found = &edges[i]
			}
		}
		if found == nil {
			return unlinkOut{}, &notFoundError{what: "no link of type " + quote(typ) + " from " + src.String() + " to " + dst.String(),
				hint: "neighbors lists the links of a memory"}
		}
		if err := s.c.Unlink(ctx, src, dst, typ); err != nil {
			return unlinkOut{}, err
		}
		return unlinkOut{Removed: edgeView{Source: src.String(), Target: dst.String(), Type: typ, Weight: found.Weight}}, nil
	})
}

type neighborsIn struct {
	ID    string `json:"id" jsonschema:"the memory to start from"`
	Depth int    `json:"depth,omitempty" jsonschema:"how many links to follow (0 to 10, default 2)"`
	Type  string `json:"type,omitempty" jsonschema:"only follow links of this type (default: all)"`
	Full  bool   `json:"full,omitempty" jsonschema:"also return each memory's metadata and times"`
}

type neighbor struct {
	Hops       int     `json:"hops" jsonschema:"links from the start memory (0 for the start itself)"`
	Activation float64 `json:"activation" jsonschema:"how strongly it is reached (1 for the start; products of link weights, decayed per hop)"`
	memoryView
}

type neighborsOut struct {
	Neighbors []neighbor `json:"neighbors" jsonschema:"the start memory first, then the others by activation"`
}

func (s *server) neighborsTool() tool {
	return define(s, &mcp.Tool{
		Name:  "neighbors",
		Title: "Walk the memory graph",
		Description: "Find the memories linked to one, directly or through others (spreading activation over " +
			"links in both directions), strongest first.",
		InputSchema: inputSchema[neighborsIn](func(p map[string]*jsonschema.Schema) {
			p["depth"].Minimum, p["depth"].Maximum, p["depth"].Default = ptr(0.0), ptr(float64(MaxDepth)), json.RawMessage(`2`)
		}),
	}, true, func(ctx context.Context, req *mcp.CallToolRequest, in neighborsIn) (neighborsOut, error) {
		id, err := parseID("id", in.ID)
		if err != nil {
			return neighborsOut{}, err
		}
		if in.Depth < 0 || in.Depth > MaxDepth {
			return neighborsOut{}, argErrorf("depth %d is outside 0..%d", in.Depth, MaxDepth)
		}
		ns, err := s.c.Neighbors(ctx, id, in.Depth, in.Type)
		if err != nil {
			return neighborsOut{}, missing(err, "id", id)
		}
		out := neighborsOut{Neighbors: make([]neighbor, 0, len(ns))}
		for _, n := range ns {
			out.Neighbors = append(out.Neighbors, neighbor{Hops: n.Hops, Activation: n.Activation, memoryView: viewMemory(n.Memory, in.Full)})
		}
		return out, nil
	})
}

// ends reads the two ids of a link.
func ends(source, target string) (uuid.UUID, uuid.UUID, error) {
	src, err := parseID("source", source)
	if err != nil {
		return uuid.Nil, uuid.Nil, err
	}
	dst, err := parseID("target", target)
	if err != nil {
		return uuid.Nil, uuid.Nil, err
	}
	if src == dst {
		return uuid.Nil, uuid.Nil, argErrorf("source and target are the same memory; a link joins two memories")
	}
	return src, dst, nil
}

func quote(s string) string { b, _ := json.Marshal(s); return string(b) }
