package mcpserver

import (
	"context"
	"encoding/json"

	"github.com/google/jsonschema-go/jsonschema"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/vestige-mem/vestige/client"
	"github.com/vestige-mem/vestige/client/store"
)

// MaxResults bounds k and limit: a model's context is the scarce thing.
const MaxResults = 100

type searchIn struct {
	Query             string   `json:"query" jsonschema:"what to look for, in plain words (a question or keywords)"`
	Mode              string   `json:"mode,omitempty" jsonschema:"hybrid (default: full-text and vector ranks fused), fts (words only) or vector (meaning only)"`
	K                 int      `json:"k,omitempty" jsonschema:"how many memories to return, best first (1 to 100, default 10)"`
	Types             []string `json:"types,omitempty" jsonschema:"only memories of one of these node types"`
	Tags              []string `json:"tags,omitempty" jsonschema:"only memories with at least one of these tags"`
	Domains           []string `json:"domains,omitempty" jsonschema:"only memories in at least one of these domains"`
	MinRetrievability *float64 `json:"min_retrievability,omitempty" jsonschema:"only memories whose FSRS-6 retrievability now is at least this (0 to 1; memories never reviewed count as 1)"`
	Full              bool     `json:"full,omitempty" jsonschema:"also return each memory's metadata, times and branch scores (default false: id, content, type, tags, domains, score and ranks)"`
}

// hit is one search result: the memory and how it was found.
type hit struct {
	Rank  int     `json:"rank" jsonschema:"1 for the best match"`
	Score float64 `json:"score" jsonschema:"the fused (RRF) score the results are ordered by"`
	memoryView
	FTSRank     *int     `json:"fts_rank,omitempty" jsonschema:"rank in the full-text branch (absent: not found by words)"`
	VectorRank  *int     `json:"vector_rank,omitempty" jsonschema:"rank in the vector branch (absent: not found by meaning)"`
	FTSScore    *float64 `json:"fts_score,omitempty" jsonschema:"full-text score (full only)"`
	VectorScore *float64 `json:"vector_score,omitempty" jsonschema:"cosine similarity to the query (full only)"`
}

type searchOut struct {
	Results []hit `json:"results" jsonschema:"the memories found, best first (empty when none matched)"`
}

func (s *server) searchTool() tool {
	return define(s, &mcp.Tool{
		Name:  "search",
		Title: "Search memories",
		Description: "Find memories by text, best first, with each one's id, content, fused score and its rank in " +
			"the full-text and vector branches. Use it before answering anything that depends on what you were " +
			"told before. Filters (types, tags, domains) keep a memory that matches any of the values given.",
		InputSchema: inputSchema[searchIn](func(p map[string]*jsonschema.Schema) {
			p["query"].MinLength = ptr(1)
			p["mode"].Enum = []any{"hybrid", "fts", "vector"}
			p["mode"].Default = json.RawMessage(`"hybrid"`)
			p["k"].Minimum, p["k"].Maximum, p["k"].Default = ptr(1.0), ptr(float64(MaxResults)), json.RawMessage(`10`)
			p["min_retrievability"].Minimum, p["min_retrievability"].Maximum = ptr(0.0), ptr(1.0)
		}),
	}, true, func(ctx context.Context, _ *mcp.CallToolRequest, in searchIn) (searchOut, error) {
		mode, err := client.ParseMode(in.Mode)
		if err != nil {
			return searchOut{}, err
		}
		if in.K == 0 {
			in.K = store.DefaultLimit
		}
		if in.K < 1 || in.K > MaxResults {
			return searchOut{}, argErrorf("k %d is outside 1..%d", in.K, MaxResults)
		}
		res, err := s.c.Search(ctx, mode, store.SearchQuery{Text: in.Query, Limit: in.K,
			NodeTypes: in.Types, Tags: in.Tags, Domains: in.Domains, MinRetrievability: in.MinRetrievability})
		if err != nil {
			return searchOut{}, err
		}
		out := searchOut{Results: make([]hit, 0, len(res))}
		for i, r := range res {
			h := hit{Rank: i + 1, Score: r.RRFScore, memoryView: viewMemory(r.Memory, in.Full),
				FTSRank: r.FTSRank, VectorRank: r.VectorRank}
			if in.Full {
				h.FTSScore, h.VectorScore = r.FTSScore, r.VectorScore
				h.EmbeddingDimension = nil // search results carry no embedding
			}
			out.Results = append(out.Results, h)
		}
		return out, nil
	})
}

type classifyIn struct {
	Text string `json:"text" jsonschema:"the text to place among the domains"`
}

type domainScore struct {
	Domain     string  `json:"domain" jsonschema:"the domain's id"`
	Similarity float64 `json:"similarity" jsonschema:"cosine similarity of the text to the domain's centroid (-1 to 1)"`
}

type classifyOut struct {
	Domains []domainScore `json:"domains" jsonschema:"every domain with a centroid, most similar first (empty when no domain has one)"`
}

func (s *server) classifyTool() tool {
	return define(s, &mcp.Tool{
		Name:  "classify",
		Title: "Classify text into domains",
		Description: "Rank the store's domains (topic clusters with a centroid) by similarity to a text, most similar " +
			"first: use it to pick the domains of a memory before remembering it.",
		InputSchema: inputSchema[classifyIn](func(p map[string]*jsonschema.Schema) { p["text"].MinLength = ptr(1) }),
	}, true, func(ctx context.Context, _ *mcp.CallToolRequest, in classifyIn) (classifyOut, error) {
		res, err := s.c.Classify(ctx, store.CleanQueryText(in.Text))
		if err != nil {
			return classifyOut{}, err
		}
		out := classifyOut{Domains: make([]domainScore, 0, len(res))}
		for _, r := range res {
			out.Domains = append(out.Domains, domainScore{Domain: r.DomainID, Similarity: r.Similarity})
		}
		return out, nil
	})
}
