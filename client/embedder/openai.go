package embedder

import (
	"context"
	"fmt"
	"net/http"
	"strings"
)

// NewOpenAI builds an embedder for OpenAI or a server that speaks its embeddings API
// (llama.cpp's server, vLLM, LM Studio, LiteLLM, text-embeddings-inference): POST
// {base_url}/embeddings with a list of inputs, and dimensions when opts asks. A base URL
// without a path gets OpenAI's /v1. The key, when set, goes in an Authorization header.
func NewOpenAI(ctx context.Context, opts Options) (*HTTP, error) {
	opts.Model = strings.TrimSpace(opts.Model)
	r, err := newRemote(ProviderOpenAI, opts)
	if err != nil {
		return nil, err
	}
	if strings.Trim(r.base.Path, "/") == "" {
		r.base.Path = "/v1"
	}
	r.wire = &openaiWire{r: r}
	r.id = identity{Version: remoteVersion, Provider: ProviderOpenAI, Model: opts.Model,
		Requested: opts.Dimensions, QueryPrefix: opts.QueryPrefix, DocumentPrefix: opts.DocumentPrefix}
	return build(ctx, r, nil)
}

type openaiWire struct{ r *remote }

type openaiRequest struct {
	Model      string   `json:"model"`
	Input      []string `json:"input"`
	Dimensions int      `json:"dimensions,omitempty"`
}

type openaiResponse struct {
	Object string `json:"object"`
	Data   []struct {
		Index     *int      `json:"index"`
		Embedding []float64 `json:"embedding"`
	} `json:"data"`
	Model string `json:"model"`
}

// embed puts the answer in input order by each item's index: the API does not promise the
// order of data.
func (w *openaiWire) embed(ctx context.Context, inputs []string) ([][]float64, error) {
	var resp openaiResponse
	err := w.r.call(ctx, http.MethodPost, "/embeddings",
		openaiRequest{Model: w.r.model, Input: inputs, Dimensions: w.r.opts.Dimensions}, &resp)
	if err != nil {
		return nil, err
	}
	if len(resp.Data) != len(inputs) {
		return nil, fmt.Errorf("%w: %d embeddings in \"data\" for %d inputs", ErrMalformed, len(resp.Data), len(inputs))
	}
	out := make([][]float64, len(inputs))
	for _, d := range resp.Data {
		if d.Index == nil || *d.Index < 0 || *d.Index >= len(inputs) || out[*d.Index] != nil {
			return nil, fmt.Errorf("%w: \"data\" items must have distinct indexes 0..%d", ErrMalformed, len(inputs)-1)
		}
		if len(d.Embedding) == 0 {
			return nil, fmt.Errorf("%w: item %d has no \"embedding\"", ErrMalformed, *d.Index)
		}
		out[*d.Index] = d.Embedding
	}
	return out, nil
}

// notFound: OpenAI answers 404 with code "model_not_found"; other servers say so in words.
func (w *openaiWire) notFound(status int, msg, code string) bool {
	if code == "model_not_found" {
		return true
	}
	m := strings.ToLower(msg)
	return (status == http.StatusNotFound || status == http.StatusBadRequest) && strings.Contains(m, "model") &&
		(strings.Contains(m, "not found") || strings.Contains(m, "does not exist"))
}

func (w *openaiWire) hint() string { return "; check model against the server's GET /v1/models" }
