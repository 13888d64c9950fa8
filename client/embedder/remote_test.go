package embedder_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"math"
	"net"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vestige-mem/vestige/client/embedder"
	"github.com/vestige-mem/vestige/client/embedder/embedtest"
)

const testKey = "sk-test-0123456789abcdefKEY"

// fakes are the two servers every test runs against: one speaks Ollama's API, the other
// OpenAI's (it wants testKey).
type fake struct {
	name string
	srv  *embedtest.Server
	opts embedder.Options
	// path of the embedding endpoint, for faults
	path string
}

func fakes(t *testing.T) []fake {
	t.Helper()
	models := map[string]embedtest.Model{
		"nomic-embed-text:latest": {Dim: 64, Digest: "0a109f422b47e3a30ba2b10eca18548e944e8a23073ee3f3e947efcf3c45e59f"},
		"text-embedding-3-small":  {Dim: 64, Shortens: true},
	}
	ollama := embedtest.New(t, "", models)
	openai := embedtest.New(t, testKey, models)
	return []fake{
		{name: "ollama", srv: ollama, path: "/api/embed", opts: embedder.Options{Provider: "ollama", Model: "nomic-embed-text",
			BaseURL: ollama.URL, QueryPrefix: "search_query: ", DocumentPrefix: "search_document: ", RetryBase: time.Millisecond}},
		{name: "openai", srv: openai, path: "/v1/embeddings", opts: embedder.Options{Provider: "openai", Model: "text-embedding-3-small",
			BaseURL: openai.URL + "/v1", APIKey: testKey, QueryPrefix: "query: ", DocumentPrefix: "passage: ", RetryBase: time.Millisecond}},
	}
}

func forEach(t *testing.T, fn func(t *testing.T, f fake)) {
	t.Helper()
	for _, f := range fakes(t) {
		t.Run(f.name, func(t *testing.T) { fn(t, f) })
	}
}

func newHTTP(t *testing.T, opts embedder.Options) *embedder.HTTP {
	t.Helper()
	e, err := embedder.New(context.Background(), opts)
	require.NoError(t, err)
	h, ok := e.(*embedder.HTTP)
	require.True(t, ok, "%T", e)
	return h
}

func norm(v []float32) float64 {
	var s float64
	for _, x := range v {
		s += float64(x) * float64(x)
	}
	return math.Sqrt(s)
}

func TestRemoteHappyPath(t *testing.T) {
	forEach(t, func(t *testing.T, f fake) {
		ctx := context.Background()
		h := newHTTP(t, f.opts)
		require.Equal(t, 64, h.Dimension())
		require.Equal(t, f.name, h.Provider())
		require.Len(t, h.ModelHash(), 16)
		require.NotContains(t, h.ModelName(), "hash-")
		if f.name == "ollama" {
			require.Equal(t, "ollama/nomic-embed-text:latest", h.ModelName())
			require.Equal(t, "0a109f422b47e3a30ba2b10eca18548e944e8a23073ee3f3e947efcf3c45e59f", h.Digest())
		} else {
			require.Equal(t, "openai/text-embedding-3-small", h.ModelName())
			require.Equal(t, f.srv.URL+"/v1", h.Server())
		}

		doc, err := h.Embed(ctx, "the connection pool holds ten connections")
		require.NoError(t, err)
		require.Len(t, doc, 64)
		require.InDelta(t, 1, norm(doc), 1e-6, "unit length (the server's are not)")
		q, err := embedder.EmbedQuery(ctx, h, "connection pool")
		require.NoError(t, err)
		require.InDelta(t, 1, norm(q), 1e-6)

		in := f.srv.Inputs()
		require.Equal(t, []string{"vestige dimension probe", f.opts.DocumentPrefix + "the connection pool holds ten connections",
			f.opts.QueryPrefix + "connection pool"}, in, "memories get the document prefix, searches the query prefix")
		for _, r := range f.srv.Requests() {
			require.True(t, strings.HasPrefix(r.Model, f.opts.Model), r.Model)
			if f.name == "openai" {
				require.Equal(t, "Bearer "+testKey, r.Auth)
			} else {
				require.Empty(t, r.Auth, "no key, no header")
			}
		}

		// A batch answers in input order (the OpenAI fake reverses "data").
		texts := []string{"alpha beta", "gamma delta", "epsilon"}
		vs, err := h.EmbedBatch(ctx, texts)
		require.NoError(t, err)
		for i, tx := range texts {
			one, err := h.Embed(ctx, tx)
			require.NoError(t, err)
			require.Equal(t, one, vs[i], tx)
		}
		empty, err := h.EmbedBatch(ctx, nil)
		require.NoError(t, err)
		require.Empty(t, empty)
	})
}

func TestRemoteBatchesWithBoundedConcurrency(t *testing.T) {
	forEach(t, func(t *testing.T, f fake) {
		opts := f.opts
		opts.BatchSize, opts.Concurrency = 3, 2
		h := newHTTP(t, opts)
		before := len(f.srv.Requests())
		// Every batch waits a little, so that batches overlap if they can.
		f.srv.Fail(embedtest.Fault{Path: f.path, Times: 4, Delay: 50 * time.Millisecond})
		texts := []string{"a one", "b two", "c three", "d four", "e five", "f six", "g seven", "h eight", "i nine", "j ten"}
		vs, err := h.EmbedBatch(context.Background(), texts)
		require.NoError(t, err)
		require.Len(t, vs, 10)
		var sizes []int
		for _, r := range f.srv.Requests()[before:] {
			sizes = append(sizes, len(r.Input))
		}
		require.ElementsMatch(t, []int{3, 3, 3, 1}, sizes)
		require.Equal(t, 2, f.srv.Peak(), "at most Concurrency requests at once, and they do overlap")
		for i, tx := range texts {
			one, err := h.Embed(context.Background(), tx)
			require.NoError(t, err)
			require.Equal(t, one, vs[i])
		}
	})
}

// requireOneLine checks the error names the server and model and says what went wrong.
func requireOneLine(t *testing.T, err error, f fake, kind error, want ...string) {
	t.Helper()
	require.ErrorIs(t, err, kind)
	var e *embedder.Error
	require.ErrorAs(t, err, &e)
	msg := err.Error()
	require.NotContains(t, msg, "\n")
	require.Contains(t, msg, "embedder "+f.name+" at http://127.0.0.1:")
	require.Contains(t, msg, "model "+strings.SplitN(f.opts.Model, ":", 2)[0])
	for _, w := range want {
		require.Contains(t, msg, w)
	}
	require.NotContains(t, msg, testKey)
}

func TestRemoteModelMissing(t *testing.T) {
	forEach(t, func(t *testing.T, f fake) {
		opts := f.opts
		opts.Model = "no-such-model"
		_, err := embedder.New(context.Background(), opts)
		f.opts = opts
		want := "check model"
		if f.name == "ollama" {
			want = "pull it with `ollama pull no-such-model`"
		}
		requireOneLine(t, err, f, embedder.ErrModelNotFound, "404 Not Found", "no-such-model", want)
	})
}

func TestRemoteServerDown(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	forEach(t, func(t *testing.T, f fake) {
		f.opts.BaseURL = "http://user:S3CRETPW@" + addr + "/v1?api-key=QUERYKEY"
		_, err := embedder.New(context.Background(), f.opts)
		requireOneLine(t, err, f, embedder.ErrUnavailable, "http://"+addr+"/v1,", "connection refused", "is the server running")
		require.NotContains(t, err.Error(), "S3CRETPW")
		require.NotContains(t, err.Error(), "QUERYKEY")
	})
}

func TestRemoteDimensions(t *testing.T) {
	forEach(t, func(t *testing.T, f fake) {
		ctx := context.Background()
		// The nomic fake cannot shorten: Ollama ignores the field, OpenAI refuses it.
		opts := f.opts
		opts.Dimensions = 32
		if f.name == "ollama" {
			_, err := embedder.New(ctx, opts)
			requireOneLine(t, err, f, embedder.ErrWrongDimension, "asked for 32 dimensions, the server answered 64")
			f.srv.SetModel("nomic-embed-text:latest", embedtest.Model{Dim: 64, Shortens: true, Digest: "d2"})
		}
		h := newHTTP(t, opts)
		require.Equal(t, 32, h.Dimension())
		reqs := f.srv.Requests()
		require.Equal(t, 32, reqs[len(reqs)-1].Dimensions, "dimensions is sent")
		full := newHTTP(t, f.opts)
		require.NotEqual(t, full.ModelHash(), h.ModelHash())

		// The model changes under a running embedder: refused, never stored.
		name := f.opts.Model
		if f.name == "ollama" {
			name += ":latest"
		}
		f.srv.SetModel(name, embedtest.Model{Dim: 48, Digest: "d3"})
		_, err := full.Embed(ctx, "anything at all")
		requireOneLine(t, err, f, embedder.ErrWrongDimension, "a 48-dimensional vector where 64 are expected")
		_, err = full.EmbedBatch(ctx, []string{"one", "two"})
		requireOneLine(t, err, f, embedder.ErrWrongDimension, "text 0: ")
	})
}

func TestRemoteMalformedAnswers(t *testing.T) {
	forEach(t, func(t *testing.T, f fake) {
		h := newHTTP(t, f.opts)
		vec := func(x string) string { return "[" + x + strings.Repeat(",0", 63) + "]" }
		body := func(vs ...string) string {
			if f.name == "ollama" {
				return `{"model":"m","embeddings":[` + strings.Join(vs, ",") + `]}`
			}
			items := make([]string, len(vs))
			for i, v := range vs {
				items[i] = `{"object":"embedding","index":` + string(rune('0'+i)) + `,"embedding":` + v + `}`
			}
			return `{"object":"list","data":[` + strings.Join(items, ",") + `],"model":"m"}`
		}
		cases := []struct {
			name, body, want string
		}{
			{"not json", `{"embeddings": [[0.1, 0.2`, "not the documented JSON"},
			{"html", `<html>502 Bad Gateway</html>`, "not the documented JSON"},
			{"too few vectors", body(), "malformed answer"},
			{"too many vectors", body(vec("1"), vec("1")), "malformed answer"},
			{"overflows float32", body(vec("1e39")), "component 0 is 1e+39, not a finite number"},
			{"zero vector", body(vec("0")), "the zero vector has no direction"},
			{"strings", body(`["a"]`), "not the documented JSON"},
		}
		for _, c := range cases {
			f.srv.Fail(embedtest.Fault{Path: f.path, Times: 1, Status: 200, Body: c.body})
			_, err := h.Embed(context.Background(), "some text")
			requireOneLine(t, err, f, embedder.ErrMalformed, c.want)
		}
		v, err := h.Embed(context.Background(), "some text")
		require.NoError(t, err, "the next answer is fine again")
		require.Len(t, v, 64)
	})
}

func TestRemoteEmptyText(t *testing.T) {
	forEach(t, func(t *testing.T, f fake) {
		h := newHTTP(t, f.opts)
		before := f.srv.Hits(f.path)
		_, err := h.Embed(context.Background(), " \t\n")
		requireOneLine(t, err, f, embedder.ErrEmptyText)
		_, err = embedder.EmbedQuery(context.Background(), h, "")
		require.ErrorIs(t, err, embedder.ErrEmptyText)
		_, err = h.EmbedBatch(context.Background(), []string{"fine", ""})
		requireOneLine(t, err, f, embedder.ErrEmptyText, "text 1: ")
		require.Equal(t, before, f.srv.Hits(f.path), "nothing is sent")
	})
}

func TestRemoteTimeoutAndCancellation(t *testing.T) {
	forEach(t, func(t *testing.T, f fake) {
		opts := f.opts
		opts.Timeout = 100 * time.Millisecond
		h := newHTTP(t, opts)
		f.srv.Fail(embedtest.Fault{Path: f.path, Times: 1, Delay: 5 * time.Second})
		start := time.Now()
		_, err := h.Embed(context.Background(), "slow")
		requireOneLine(t, err, f, embedder.ErrTimeout, "no complete answer within 100ms", "timeout_secs")
		require.Less(t, time.Since(start), 2*time.Second)

		h = newHTTP(t, f.opts)
		f.srv.Fail(embedtest.Fault{Path: f.path, Times: 1, Delay: 5 * time.Second})
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(50*time.Millisecond, cancel)
		start = time.Now()
		_, err = h.Embed(ctx, "cancelled")
		require.ErrorIs(t, err, context.Canceled)
		require.Less(t, time.Since(start), 2*time.Second)

		// Cancelled while waiting to retry.
		f.srv.Fail(embedtest.Fault{Path: f.path, Times: 1, Status: 503, Body: `{"error":"busy"}`, Header: map[string]string{"Retry-After": "20"}})
		ctx, cancel = context.WithCancel(context.Background())
		time.AfterFunc(50*time.Millisecond, cancel)
		start = time.Now()
		_, err = h.Embed(ctx, "cancelled while waiting")
		require.ErrorIs(t, err, context.Canceled)
		require.Less(t, time.Since(start), 2*time.Second)
	})
}

func TestRemoteRetries(t *testing.T) {
	forEach(t, func(t *testing.T, f fake) {
		ctx := context.Background()
		var logs bytes.Buffer
		opts := f.opts
		opts.Logger = slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
		h := newHTTP(t, opts)
		rateLimited := `{"error":{"message":"Rate limit reached for requests","type":"requests","param":null,"code":"rate_limit_exceeded"}}`

		// 429 twice, then success: answered.
		hits := f.srv.Hits(f.path)
		f.srv.Fail(embedtest.Fault{Path: f.path, Times: 2, Status: 429, Body: rateLimited})
		v, err := h.Embed(ctx, "retried")
		require.NoError(t, err)
		require.Len(t, v, 64)
		require.Equal(t, hits+3, f.srv.Hits(f.path))
		require.Contains(t, logs.String(), `"status":429`)

		// Retry-After (seconds) and retry-after-ms are honoured over the backoff.
		for _, hdr := range []map[string]string{{"Retry-After": "1"}, {"Retry-After-Ms": "300"}} {
			f.srv.Fail(embedtest.Fault{Path: f.path, Times: 1, Status: 429, Body: rateLimited, Header: hdr})
			start := time.Now()
			_, err = h.Embed(ctx, "waits as told")
			require.NoError(t, err)
			want := time.Second
			if hdr["Retry-After-Ms"] != "" {
				want = 300 * time.Millisecond
			}
			require.GreaterOrEqual(t, time.Since(start), want)
		}

		// 5xx until the retries run out.
		hits = f.srv.Hits(f.path)
		f.srv.Fail(embedtest.Fault{Path: f.path, Times: 4, Status: 503, Body: `{"error":"server overloaded"}`})
		_, err = h.Embed(ctx, "never")
		requireOneLine(t, err, f, embedder.ErrServer, "503 Service Unavailable: server overloaded", "after 4 attempts")
		require.Equal(t, hits+4, f.srv.Hits(f.path))

		// A wait longer than vestige waits is not waited for.
		hits = f.srv.Hits(f.path)
		f.srv.Fail(embedtest.Fault{Path: f.path, Times: 1, Status: 429, Body: rateLimited, Header: map[string]string{"Retry-After": "3600"}})
		start := time.Now()
		_, err = h.Embed(ctx, "too long")
		requireOneLine(t, err, f, embedder.ErrRateLimited, "Rate limit reached", "asks to wait 1h0m0s")
		require.Less(t, time.Since(start), time.Second)
		require.Equal(t, hits+1, f.srv.Hits(f.path))

		// A 400 is not retried.
		hits = f.srv.Hits(f.path)
		f.srv.Fail(embedtest.Fault{Path: f.path, Times: 1, Status: 400, Body: `{"error":{"message":"bad input","type":"invalid_request_error","param":null,"code":null}}`})
		_, err = h.Embed(ctx, "refused")
		requireOneLine(t, err, f, embedder.ErrRejected, "400 Bad Request: bad input")
		require.Equal(t, hits+1, f.srv.Hits(f.path))
		require.NotContains(t, logs.String(), testKey)
	})
}

func TestRemoteWrongBaseURL(t *testing.T) {
	forEach(t, func(t *testing.T, f fake) {
		f.opts.BaseURL = f.srv.URL + "/nothing/here"
		_, err := embedder.New(context.Background(), f.opts)
		requireOneLine(t, err, f, embedder.ErrRejected, "does not exist on this server", "is base_url right?")
	})
}

func TestOpenAIKeyNeverShown(t *testing.T) {
	f := fakes(t)[1]
	ctx := context.Background()
	var logs bytes.Buffer
	wrong := "sk-wrong-9876543210zyxwvuKEY"
	opts := f.opts
	opts.APIKey = wrong
	opts.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	_, err := embedder.New(ctx, opts)
	requireOneLine(t, err, f, embedder.ErrUnauthorized, "401 Unauthorized: Incorrect API key provided: xxxxx.", "api_key_env")
	require.NotContains(t, err.Error(), wrong, "the server echoed the key; vestige does not")

	// With the right key, retries are logged without it.
	opts.APIKey = testKey
	h := newHTTP(t, opts)
	f.srv.Fail(embedtest.Fault{Path: f.path, Times: 2, Status: 500, Body: `{"error":{"message":"oops for ` + testKey + `","type":"server_error","param":null,"code":null}}`})
	_, err = h.Embed(ctx, "logged")
	require.NoError(t, err)
	f.srv.Fail(embedtest.Fault{Path: f.path, Times: 4, Status: 500, Body: `{"error":{"message":"oops for ` + testKey + `","type":"server_error","param":null,"code":null}}`})
	_, err = h.Embed(ctx, "fails")
	require.ErrorIs(t, err, embedder.ErrServer)
	require.Contains(t, err.Error(), "oops for xxxxx")
	require.NotEmpty(t, logs.String())
	for _, out := range []string{err.Error(), logs.String()} {
		require.NotContains(t, out, testKey)
		require.NotContains(t, out, wrong)
	}
}

func TestOllamaWithoutShowOrTags(t *testing.T) {
	f := fakes(t)[0]
	full := newHTTP(t, f.opts)
	f.srv.Fail(embedtest.Fault{Path: "/api/show", Times: 1, Status: 404, Body: "404 page not found"},
		embedtest.Fault{Path: "/api/tags", Times: 1, Status: 405, Body: ""})
	bare := newHTTP(t, f.opts)
	require.Empty(t, bare.Digest(), "no digest reported, none used")
	require.Equal(t, full.ModelName(), bare.ModelName())
	require.NotEqual(t, full.ModelHash(), bare.ModelHash())

	// Any other failure of /api/show is an error: a digest missing by chance would change
	// the signature.
	f.srv.Fail(embedtest.Fault{Path: "/api/show", Times: 4, Status: 500, Body: `{"error":"boom"}`})
	_, err := embedder.New(context.Background(), f.opts)
	requireOneLine(t, err, f, embedder.ErrServer, "boom")
}

func TestSignatureCoversWhatChangesVectors(t *testing.T) {
	forEach(t, func(t *testing.T, f fake) {
		base := newHTTP(t, f.opts)
		same := func(mod func(o *embedder.Options)) *embedder.HTTP {
			o := f.opts
			mod(&o)
			return newHTTP(t, o)
		}
		u, err := url.Parse(f.opts.BaseURL)
		require.NoError(t, err)
		u.Host = strings.Replace(u.Host, "127.0.0.1", "localhost", 1)
		for name, mod := range map[string]func(*embedder.Options){
			"another address": func(o *embedder.Options) { o.BaseURL = u.String() },
			"batch size":      func(o *embedder.Options) { o.BatchSize = 1 },
			"timeout":         func(o *embedder.Options) { o.Timeout = time.Minute },
			"model with tag":  func(o *embedder.Options) { o.Model = strings.TrimSuffix(o.Model, ":latest") },
		} {
			h := same(mod)
			require.Equal(t, base.ModelName(), h.ModelName(), name)
			require.Equal(t, base.ModelHash(), h.ModelHash(), name)
		}
		for name, mod := range map[string]func(*embedder.Options){
			"query prefix":    func(o *embedder.Options) { o.QueryPrefix = "" },
			"document prefix": func(o *embedder.Options) { o.DocumentPrefix = "doc: " },
		} {
			h := same(mod)
			require.NotEqual(t, base.ModelHash(), h.ModelHash(), name)
		}
		if f.name == "ollama" {
			// A re-pull with new weights under the same tag.
			f.srv.SetModel("nomic-embed-text:latest", embedtest.Model{Dim: 64, Digest: "ffff"})
			h := newHTTP(t, f.opts)
			require.Equal(t, base.ModelName(), h.ModelName())
			require.NotEqual(t, base.ModelHash(), h.ModelHash())
		}
	})
}

func TestNewProviders(t *testing.T) {
	ctx := context.Background()
	e, err := embedder.New(ctx, embedder.Options{})
	require.NoError(t, err)
	require.Equal(t, "hash-384", e.ModelName())
	e, err = embedder.New(ctx, embedder.Options{Provider: "hash", Model: "hash-64", Dimensions: 64, QueryPrefix: "q: "})
	require.NoError(t, err)
	require.Equal(t, "hash-64", e.ModelName())
	v1, err := embedder.EmbedQuery(ctx, e, "same text")
	require.NoError(t, err)
	v2, err := e.Embed(ctx, "same text")
	require.NoError(t, err)
	require.Equal(t, v1, v2, "the hash embedder ignores prefixes")
	_, err = embedder.New(ctx, embedder.Options{Provider: "hash", Model: "hash-64", Dimensions: 128})
	require.ErrorIs(t, err, embedder.ErrUnknownModel)
	require.ErrorContains(t, err, `"hash-128"`)
	_, err = embedder.New(ctx, embedder.Options{Provider: "fastembed"})
	require.ErrorIs(t, err, embedder.ErrUnknownProvider)
	_, err = embedder.New(ctx, embedder.Options{Provider: "ollama", Model: "m", BaseURL: "localhost:11434"})
	require.ErrorIs(t, err, embedder.ErrRejected)
	require.ErrorContains(t, err, "not an http:// or https:// URL")
	var e2 *embedder.Error
	require.True(t, errors.As(err, &e2))
}
