// Package embedtest is an in-process embedding server for tests: it speaks Ollama's
// POST /api/embed, POST /api/show and GET /api/tags, and OpenAI's POST /v1/embeddings, with
// the request and response bodies, status codes and error bodies those APIs document, so
// the real client code can be driven through every success and failure without a network.
//
// Its vectors come from the hash embedder over "model text", scaled away from unit length
// (the client must normalise them): texts that share words are near, and another model
// gives other vectors.
package embedtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/vestige-mem/vestige/client/embedder"
)

// Model is one model the server has.
type Model struct {
	Dim int
	// Shortens: the model honours "dimensions" (Matryoshka). Without it, Ollama ignores
	// the field and OpenAI refuses it, as the real servers do.
	Shortens bool
	Digest   string
}

// Request is one embedding request the server answered (or refused).
type Request struct {
	Path       string
	Model      string
	Input      []string
	Dimensions int
	// Auth is the Authorization header as sent.
	Auth string
}

// Fault is a scripted answer that replaces the next Times requests to Path, once After
// requests to it have been answered normally.
type Fault struct {
	Path   string
	After  int
	Times  int
	Status int
	Body   string
	Header map[string]string
	// Delay holds the answer back (for timeouts); the request's context ends it early.
	Delay time.Duration
}

// Server is the fake. Its fields may be changed between requests through the methods.
type Server struct {
	*httptest.Server
	mu       sync.Mutex
	models   map[string]Model
	key      string
	faults   []Fault
	requests []Request
	hits     map[string]int
	inflight int
	peak     int
}

// New starts a server with the models given (names as the client sends them; Ollama
// names get ":latest" when they have no tag) and closes it when the test ends. Key, when
// not empty, is the bearer token /v1/embeddings requires.
func New(t interface{ Cleanup(func()) }, key string, models map[string]Model) *Server {
	s := &Server{models: map[string]Model{}, key: key, hits: map[string]int{}}
	for n, m := range models {
		s.models[n] = m
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/embed", s.ollamaEmbed)
	mux.HandleFunc("POST /api/show", s.ollamaShow)
	mux.HandleFunc("GET /api/tags", s.ollamaTags)
	mux.HandleFunc("POST /v1/embeddings", s.openaiEmbed)
	s.Server = httptest.NewServer(s.faulty(mux))
	t.Cleanup(s.Close)
	return s
}

// SetModel adds or changes a model (a re-pull, a new dimension).
func (s *Server) SetModel(name string, m Model) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.models[name] = m
}

// Fail scripts faults, served in order before normal answers.
func (s *Server) Fail(f ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, f...)
}

// Requests returns the embedding requests so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// Inputs returns every text sent to be embedded, in order.
func (s *Server) Inputs() []string {
	var out []string
	for _, r := range s.Requests() {
		out = append(out, r.Input...)
	}
	return out
}

// Hits counts the requests to path, faults included.
func (s *Server) Hits(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[path]
}

// Peak is the most requests the server was answering at once.
func (s *Server) Peak() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.peak
}

func (s *Server) faulty(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.hits[r.URL.Path]++
		s.inflight++
		s.peak = max(s.peak, s.inflight)
		s.mu.Unlock()
		defer func() {
			s.mu.Lock()
			s.inflight--
			s.mu.Unlock()
		}()
		s.mu.Lock()
		var f *Fault
		for i := range s.faults {
			if s.faults[i].Path == r.URL.Path && s.faults[i].Times > 0 {
				if s.faults[i].After > 0 {
					s.faults[i].After--
					break
				}
				s.faults[i].Times--
				c := s.faults[i]
				f = &c
				break
			}
		}
		s.mu.Unlock()
		if f == nil {
			next.ServeHTTP(w, r)
			return
		}
		if f.Delay > 0 {
			// Read the body first: only then does the server notice a client that hung up
			// and end r.Context().
			body, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(body))
			select {
			case <-time.After(f.Delay):
			case <-r.Context().Done():
				return
			}
		}
		for k, v := range f.Header {
			w.Header().Set(k, v)
		}
		if f.Status == 0 {
			next.ServeHTTP(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(f.Status)
		_, _ = w.Write([]byte(f.Body))
	})
}

func (s *Server) model(name string) (Model, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.models[name]
	return m, ok
}

func (s *Server) record(r Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, r)
}

// vector embeds one text the way model would, not of unit length.
func vector(model string, m Model, dims int, text string) ([]float64, error) {
	n := m.Dim
	if dims > 0 && m.Shortens {
		n = dims
	}
	h, err := embedder.NewHash(max(m.Dim, embedder.MinHashDimension))
	if err != nil {
		return nil, err
	}
	v, err := h.Embed(context.Background(), model+" "+text)
	if err != nil {
		return nil, err
	}
	out := make([]float64, n)
	for i := range out {
		out[i] = 3 * float64(v[i])
	}
	return out, nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// inputs reads "input": a string or a list of strings, as both APIs accept.
func inputs(raw json.RawMessage) ([]string, bool) {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return []string{one}, true
	}
	var many []string
	if json.Unmarshal(raw, &many) == nil {
		return many, true
	}
	return nil, false
}

func ollamaName(m string) string {
	if !strings.Contains(m[strings.LastIndex(m, "/")+1:], ":") {
		return m + ":latest"
	}
	return m
}

type embedBody struct {
	Model      string          `json:"model"`
	Input      json.RawMessage `json:"input"`
	Dimensions int             `json:"dimensions"`
}

func (s *Server) ollamaEmbed(w http.ResponseWriter, r *http.Request) {
	var req embedBody
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	in, ok := inputs(req.Input)
	if !ok {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid input type"})
		return
	}
	s.record(Request{Path: r.URL.Path, Model: req.Model, Input: in, Dimensions: req.Dimensions, Auth: r.Header.Get("Authorization")})
	name := ollamaName(req.Model)
	m, ok := s.model(name)
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": fmt.Sprintf("model %q not found, try pulling it first", req.Model)})
		return
	}
	out := [][]float64{}
	for _, t := range in {
		if t == "" {
			continue // Ollama skips empty input
		}
		v, err := vector(name, m, req.Dimensions, t)
		if err != nil {
			v = make([]float64, m.Dim)
			v[0] = 1
		}
		out = append(out, v)
	}
	writeJSON(w, http.StatusOK, map[string]any{"model": req.Model, "embeddings": out,
		"total_duration": 14143917, "load_duration": 1019500, "prompt_eval_count": len(in)})
}

func (s *Server) ollamaShow(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Model string `json:"model"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	m, ok := s.model(ollamaName(req.Model))
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": fmt.Sprintf("model '%s' not found", req.Model)})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"modelfile": "FROM /models/blobs/sha256-" + m.Digest, "parameters": "", "template": "{{ .Prompt }}",
		"details": map[string]any{"parent_model": "", "format": "gguf", "family": "nomic-bert",
			"families": []string{"nomic-bert"}, "parameter_size": "137M", "quantization_level": "F16"},
		"model_info":   map[string]any{"general.architecture": "nomic-bert", "nomic-bert.embedding_length": m.Dim},
		"capabilities": []string{"embedding"},
	})
}

func (s *Server) ollamaTags(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	type tag struct {
		Name       string         `json:"name"`
		Model      string         `json:"model"`
		ModifiedAt string         `json:"modified_at"`
		Size       int64          `json:"size"`
		Digest     string         `json:"digest"`
		Details    map[string]any `json:"details"`
	}
	list := []tag{}
	for n, m := range s.models {
		list = append(list, tag{Name: n, Model: n, ModifiedAt: "2024-06-01T10:00:00Z", Size: 274302450, Digest: m.Digest,
			Details: map[string]any{"format": "gguf", "family": "nomic-bert", "parameter_size": "137M", "quantization_level": "F16"}})
	}
	s.mu.Unlock()
	slices.SortFunc(list, func(a, b tag) int { return strings.Compare(a.Name, b.Name) })
	writeJSON(w, http.StatusOK, map[string]any{"models": list})
}

func openaiError(w http.ResponseWriter, status int, msg, typ, code string) {
	var c any
	if code != "" {
		c = code
	}
	writeJSON(w, status, map[string]any{"error": map[string]any{"message": msg, "type": typ, "param": nil, "code": c}})
}

func (s *Server) openaiEmbed(w http.ResponseWriter, r *http.Request) {
	auth := r.Header.Get("Authorization")
	if s.key != "" && auth != "Bearer "+s.key {
		// OpenAI quotes (part of) the key it got: the client must not pass that on.
		openaiError(w, http.StatusUnauthorized, "Incorrect API key provided: "+strings.TrimPrefix(auth, "Bearer ")+
			". You can find your API key at https://platform.openai.com/account/api-keys.", "invalid_request_error", "invalid_api_key")
		return
	}
	var req embedBody
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		openaiError(w, http.StatusBadRequest, "We could not parse the JSON body of your request.", "invalid_request_error", "")
		return
	}
	in, ok := inputs(req.Input)
	if !ok {
		openaiError(w, http.StatusBadRequest, "'$.input' is invalid.", "invalid_request_error", "")
		return
	}
	s.record(Request{Path: r.URL.Path, Model: req.Model, Input: in, Dimensions: req.Dimensions, Auth: auth})
	m, ok := s.model(req.Model)
	if !ok {
		openaiError(w, http.StatusNotFound, fmt.Sprintf("The model `%s` does not exist or you do not have access to it.", req.Model),
			"invalid_request_error", "model_not_found")
		return
	}
	if req.Dimensions != 0 && !m.Shortens {
		openaiError(w, http.StatusBadRequest, "This model does not support specifying dimensions.", "invalid_request_error", "")
		return
	}
	type item struct {
		Object    string    `json:"object"`
		Index     int       `json:"index"`
		Embedding []float64 `json:"embedding"`
	}
	data := make([]item, 0, len(in))
	for i, t := range in {
		if t == "" {
			openaiError(w, http.StatusBadRequest, "'$.input' is invalid.", "invalid_request_error", "")
			return
		}
		v, err := vector(req.Model, m, req.Dimensions, t)
		if err != nil {
			v = make([]float64, m.Dim)
			v[0] = 1
		}
		data = append(data, item{Object: "embedding", Index: i, Embedding: v})
	}
	slices.Reverse(data) // the API does not promise order: clients go by index
	writeJSON(w, http.StatusOK, map[string]any{"object": "list", "data": data, "model": req.Model,
		"usage": map[string]int{"prompt_tokens": 8, "total_tokens": 8}})
}
