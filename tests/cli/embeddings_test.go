package cli_test

import (
	"encoding/json"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vestige-mem/vestige/client/embedder/embedtest"
)

const cliKey = "sk-cli-test-KEY-4f1c9e2b7a"

// semantic is one HTTP provider set up on one backend: a fake server speaking its wire
// format and a config file (~/.vestige/vestige.toml) pointing at it.
type semantic struct {
	*env
	provider string
	srv      *embedtest.Server
	path     string // the embedding endpoint
	// model as the registry names it, and the prefixes memories and searches get
	registered, docPrefix, queryPrefix string
	// extra config lines
	base string
}

var fakeModels = map[string]embedtest.Model{
	"nomic-embed-text:latest":  {Dim: 64, Digest: "0a109f422b47e3a30ba2b10eca18548e944e8a23073ee3f3e947efcf3c45e59f"},
	"mxbai-embed-large:latest": {Dim: 96, Shortens: true, Digest: "468836162de7f81e041c43663fedbbba921dcea9b9fefea135685a39b2d83dd8"},
	"text-embedding-3-small":   {Dim: 64, Shortens: true},
	"text-embedding-3-large":   {Dim: 96, Shortens: true},
}

func newSemantic(t *testing.T, e *env, provider string) *semantic {
	t.Helper()
	s := &semantic{env: e, provider: provider}
	switch provider {
	case "ollama":
		s.srv = embedtest.New(t, "", fakeModels)
		s.path = "/api/embed"
		s.registered, s.docPrefix, s.queryPrefix = "ollama/nomic-embed-text:latest", "search_document: ", "search_query: "
		// The defaults do the rest: nomic-embed-text and its prefixes.
		s.base = fmt.Sprintf("[embeddings]\nprovider = \"ollama\"\nbase_url = %q\n", s.srv.URL)
	case "openai":
		s.srv = embedtest.New(t, cliKey, fakeModels)
		s.path = "/v1/embeddings"
		s.registered, s.docPrefix, s.queryPrefix = "openai/text-embedding-3-small", "passage: ", "query: "
		s.base = fmt.Sprintf("[embeddings]\nprovider = \"openai\"\nmodel = \"text-embedding-3-small\"\nbase_url = %q\n"+
			"api_key_env = \"VESTIGE_TEST_EMBED_KEY\"\nquery_prefix = \"query: \"\ndocument_prefix = \"passage: \"\n", s.srv.URL+"/v1")
		e.vars["VESTIGE_TEST_EMBED_KEY"] = cliKey
	}
	s.configure("")
	return s
}

// configure writes the config: the provider's base lines with extra ones set over them.
func (s *semantic) configure(extra string) {
	s.t.Helper()
	text := s.base
	for _, l := range lines(extra) {
		key, _, _ := strings.Cut(l, "=")
		var kept []string
		for _, b := range lines(text) {
			if k, _, _ := strings.Cut(b, "="); strings.TrimSpace(k) != strings.TrimSpace(key) {
				kept = append(kept, b)
			}
		}
		text = strings.Join(append(kept, l), "\n") + "\n"
	}
	writeConfig(s.t, filepath.Join(s.home, ".vestige", "vestige.toml"), text)
}

func (s *semantic) memories() int64 {
	s.t.Helper()
	var st struct{ Memories int64 }
	s.okJSON(&st, "stats")
	return st.Memories
}

// forSemantic runs fn for both backends with both providers, in parallel subtests.
func forSemantic(t *testing.T, fn func(t *testing.T, s *semantic)) {
	for backend, mk := range map[string]func(*testing.T) *env{"sqlite": sqliteEnv, "postgres": postgresEnv} {
		for _, p := range []string{"ollama", "openai"} {
			t.Run(backend+"/"+p, func(t *testing.T) {
				t.Parallel()
				fn(t, newSemantic(t, mk(t), p))
			})
		}
	}
}

func TestSemanticAddAndSearch(t *testing.T) {
	forSemantic(t, func(t *testing.T, s *semantic) {
		pool := s.add("The Postgres connection pool is limited to 10 connections")
		s.add("Alice prefers green tea in the afternoon")
		s.add("Gardening tips: water tomatoes in the morning")
		require.EqualValues(t, 3, s.memories())

		var res []searchResultJSON
		s.okJSON(&res, "search", "--mode", "vector", "postgres connection pool")
		require.NotEmpty(t, res)
		require.Equal(t, pool, res[0].Memory.ID)
		s.okJSON(&res, "search", "postgres connection pool")
		require.Equal(t, pool, res[0].Memory.ID)
		require.NotNil(t, res[0].FTSRank, "hybrid")
		require.NotNil(t, res[0].VectorRank, "a semantic model's vector branch counts by default (fusion 1, 1)")

		in := s.srv.Inputs()
		require.Contains(t, in, s.docPrefix+"The Postgres connection pool is limited to 10 connections", "memories get the document prefix")
		require.Contains(t, in, s.queryPrefix+"postgres connection pool", "searches get the query prefix")
		for _, r := range s.srv.Requests() {
			if s.provider == "openai" {
				require.Equal(t, "Bearer "+cliKey, r.Auth)
			}
		}

		h, out := s.health()
		require.NotNil(t, h.Model)
		require.Equal(t, s.registered, h.Model.Name, "the registry records the model")
		require.Equal(t, 64, h.Model.Dimension)
		require.Contains(t, out, "\nembedder:  "+s.registered+" (64 dimensions) at http://127.0.0.1:")
		var hj struct {
			Embedder struct {
				Provider, Server, Model, Hash string
				Dimension                     int
				MatchesStore                  *bool `json:"matches_store"`
			}
		}
		s.okJSONAllowFailure(&hj, "health")
		require.Equal(t, s.provider, hj.Embedder.Provider)
		require.Equal(t, s.registered, hj.Embedder.Model)
		require.True(t, *hj.Embedder.MatchesStore)

		var emb struct {
			Provider, Model, Purpose, Prefix string
			Dimension                        int
			Vector                           []float32
		}
		s.okJSON(&emb, "embed", "hello", "world")
		require.Equal(t, s.registered, emb.Model)
		require.Equal(t, "document", emb.Purpose)
		require.Equal(t, s.docPrefix, emb.Prefix)
		require.Len(t, emb.Vector, 64)
		s.okJSON(&emb, "embed", "--query", "hello world")
		require.Equal(t, "query", emb.Purpose)
		require.Equal(t, s.queryPrefix, emb.Prefix)
		human := s.ok("embed", "hello")
		require.Contains(t, human, "provider:  "+s.provider+"\n")
		require.Contains(t, human, "model:     "+s.registered+" (64 dimensions, hash ")
		require.Contains(t, human, "(64 values, unit length)")
		require.NotContains(t, human+out, cliKey)
	})
}

// okJSONAllowFailure decodes --json output of a command whose exit status depends on the
// test server (health is degraded on a pgvector older than supported).
func (e *env) okJSONAllowFailure(v any, args ...string) {
	e.t.Helper()
	r := e.run(append([]string{"--json"}, args...)...)
	require.NoError(e.t, json.Unmarshal([]byte(r.stdout), v), r.stdout)
}

func TestSemanticFailuresWriteNothing(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	down := l.Addr().String()
	require.NoError(t, l.Close())

	forSemantic(t, func(t *testing.T, s *semantic) {
		id := s.add("kept before the failures")
		model := strings.SplitN(strings.TrimPrefix(strings.TrimPrefix(s.registered, "ollama/"), "openai/"), ":", 2)[0]
		now := map[string]string{"Retry-After": "0"} // keeps the retries quick
		named := []string{"embedder " + s.provider + " at ", "model " + model}
		type failure struct {
			name   string
			config string
			fault  *embedtest.Fault
			want   []string
		}
		cases := []failure{
			{name: "server down", config: fmt.Sprintf("base_url = %q", "http://"+down),
				want: []string{"embedder " + s.provider + " at http://" + down, "model " + model, "server unreachable", "connection refused"}},
			{name: "model missing", config: `model = "no-such-model"`,
				want: []string{"model no-such-model", "model not found on the server", "404 Not Found"}},
			{name: "wrong dimension", config: `dimensions = 32`, want: append(named, "wrong dimension")},
			{name: "malformed JSON", fault: &embedtest.Fault{Path: s.path, Times: 1, Status: 200, Body: `{"embeddings": [[0.1,`},
				want: append(named, "malformed answer", "not the documented JSON")},
			{name: "malformed after the probe", fault: &embedtest.Fault{Path: s.path, After: 1, Times: 1, Status: 200, Body: `{}`},
				want: append(named, "malformed answer")},
			{name: "server error after the probe", fault: &embedtest.Fault{Path: s.path, After: 1, Times: 4, Status: 500,
				Body: `{"error":"llama runner process has terminated"}`, Header: now},
				want: append(named, "server error (500 Internal Server Error: llama runner process has terminated) (after 4 attempts)")},
			{name: "timeout", config: "timeout_secs = 1", fault: &embedtest.Fault{Path: s.path, After: 1, Times: 1, Delay: 5 * time.Second},
				want: append(named, "no answer in time: no complete answer within 1s")},
		}
		if s.provider == "ollama" {
			cases[1].want = append(cases[1].want, "ollama pull no-such-model")
			// Ollama ignores dimensions for a model that cannot shorten: vestige notices.
			cases[2].want = append(cases[2].want, "asked for 32 dimensions, the server answered 64")
		} else {
			cases[2].config = `model = "nomic-embed-text:latest"` + "\n" + `dimensions = 32`
			cases[2].want = []string{"model nomic-embed-text:latest", "request refused", "does not support specifying dimensions"}
			cases = append(cases,
				failure{name: "wrong key", want: append(named, "API key refused", "401 Unauthorized", "api_key_env")},
				failure{name: "key variable unset", config: `api_key_env = "VESTIGE_NO_SUCH_VAR"`,
					want: []string{"embeddings.api_key_env names $VESTIGE_NO_SUCH_VAR, which is not set"}})
		}
		for _, c := range cases {
			s.configure(c.config)
			if c.fault != nil {
				s.srv.Fail(*c.fault)
			}
			if c.name == "wrong key" {
				s.vars["VESTIGE_TEST_EMBED_KEY"] = "sk-wrong-" + cliKey
			}
			line := s.fails(1, []string{"add", "never stored: " + c.name}, c.want...)
			require.NotContains(t, line, cliKey, c.name)
			require.NotContains(t, line, "\n")
			require.EqualValues(t, 1, s.memories(), "%s: nothing written", c.name)
			s.vars["VESTIGE_TEST_EMBED_KEY"] = cliKey
			s.configure("")
		}

		// A failing search or update leaves everything as it was too.
		s.srv.Fail(embedtest.Fault{Path: s.path, After: 1, Times: 4, Status: 503, Body: `{"error":"busy"}`, Header: now})
		s.fails(1, []string{"update", id, "--content", "changed"}, "server error")
		require.Contains(t, s.ok("get", id), "kept before the failures")
		s.srv.Fail(embedtest.Fault{Path: s.path, After: 1, Times: 4, Status: 503, Body: `{"error":"busy"}`, Header: now})
		s.fails(1, []string{"search", "kept"}, "server error")

		// 429 then success: retried as the server asks (Retry-After: 0), and stored.
		s.srv.Fail(embedtest.Fault{Path: s.path, After: 1, Times: 2, Status: 429,
			Body:   `{"error":{"message":"Rate limit reached","type":"requests","param":null,"code":"rate_limit_exceeded"}}`,
			Header: map[string]string{"Retry-After": "0"}})
		hits := s.srv.Hits(s.path)
		s.add("stored after two 429s")
		require.EqualValues(t, 2, s.memories())
		require.Equal(t, hits+4, s.srv.Hits(s.path), "probe, two 429s, then the answer")
	})
}

func TestSemanticModelChangeIsCaught(t *testing.T) {
	forSemantic(t, func(t *testing.T, s *semantic) {
		id := s.add("registered with the first model")
		changes := []struct{ name, config string }{
			{"model", `model = "mxbai-embed-large"`},
			{"dimension", `dimensions = 32`},
			{"query prefix", `query_prefix = "q: "`},
			{"document prefix", `document_prefix = ""`},
		}
		if s.provider == "openai" {
			changes[0].config = `model = "text-embedding-3-large"`
		} else {
			// nomic cannot shorten: the dimension change needs a model that can.
			s.srv.SetModel("nomic-embed-text:latest", embedtest.Model{Dim: 64, Shortens: true, Digest: fakeModels["nomic-embed-text:latest"].Digest})
		}
		for _, c := range changes {
			s.configure(c.config)
			for _, args := range [][]string{{"add", "x"}, {"search", "registered"}, {"update", id, "--content", "y"},
				{"classify", "registered"}} {
				s.fails(1, args, "embedding model mismatch", s.registered, "run `vestige migrate reembed`")
			}
			r := s.run("health")
			require.Equal(t, 1, r.code, c.name)
			require.Contains(t, r.stdout, "; not the store's model\n")
			require.Contains(t, r.stderr, "embedding model mismatch")
			require.EqualValues(t, 1, s.memories(), c.name)
		}
		s.configure("")
		s.add("the first model again")
		require.EqualValues(t, 2, s.memories())

		if s.provider == "ollama" {
			// The same tag re-pulled with other weights.
			s.srv.SetModel("nomic-embed-text:latest", embedtest.Model{Dim: 64, Digest: "9f438cb9cd581fc025612d27f7c1a6669ff83a8bb0ed86c94fcf4c5440555697"})
			s.fails(1, []string{"add", "x"}, "embedding model mismatch", s.registered)
		}
	})
}
