package embedder

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/sync/errgroup"
)

// Defaults of Options' zero values.
const (
	DefaultBatchSize    = 32
	DefaultConcurrency  = 4
	DefaultTimeout      = 60 * time.Second
	DefaultRetries      = 3
	DefaultRetryBase    = 500 * time.Millisecond
	DefaultMaxRetryWait = 30 * time.Second
	// maxAnswer bounds what one answer may hold: 2048 texts of 4096 dimensions in JSON are
	// about 200 MB, far beyond any sane batch.
	maxAnswer = 256 << 20
)

// errNoEndpoint marks a 404 or 405 that is not about the model: the server has no such
// endpoint. It adds no text.
var errNoEndpoint = noEndpoint{}

type noEndpoint struct{}

func (noEndpoint) Error() string { return "" }

// wire is what differs between the HTTP providers: how a batch is asked for and how its
// answer is read, and how an error body is understood.
type wire interface {
	// embed returns one vector per input, in input order, as the server wrote them.
	embed(ctx context.Context, inputs []string) ([][]float64, error)
	// notFound reports whether a 404 (or other) answer means that the model is missing,
	// as opposed to a wrong base URL.
	notFound(status int, msg, code string) bool
	// hint is said after a missing model, e.g. how to pull it.
	hint() string
}

// remote is the shared part of the HTTP embedders: requests with a per-request timeout,
// retries of 429 and 5xx with backoff that honours Retry-After, batching with bounded
// concurrency, and the checks every answer must pass. It is safe for concurrent use.
type remote struct {
	provider string
	model    string
	server   string // base URL without credentials, query or fragment: safe to print
	base     *url.URL
	hc       *http.Client
	apiKey   string
	opts     Options
	log      *slog.Logger
	wire     wire
	id       identity
}

func newRemote(provider string, opts Options) (*remote, error) {
	opts = opts.withDefaults()
	r := &remote{provider: provider, model: opts.Model, apiKey: opts.APIKey, opts: opts, hc: opts.HTTPClient,
		log: opts.Logger}
	r.server = displayURL(opts.BaseURL)
	u, err := url.Parse(opts.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, r.fail(fmt.Errorf("%w: base URL is not an http:// or https:// URL with a host", ErrRejected))
	}
	if strings.TrimSpace(opts.Model) == "" {
		return nil, r.fail(fmt.Errorf("%w: no model named", ErrRejected))
	}
	r.base = u
	return r, nil
}

// withDefaults fills the zero values.
func (o Options) withDefaults() Options {
	if o.BatchSize <= 0 {
		o.BatchSize = DefaultBatchSize
	}
	if o.Concurrency <= 0 {
		o.Concurrency = DefaultConcurrency
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Retries == 0 {
		o.Retries = DefaultRetries
	} else if o.Retries < 0 {
		o.Retries = 0
	}
	if o.RetryBase <= 0 {
		o.RetryBase = DefaultRetryBase
	}
	if o.MaxRetryWait <= 0 {
		o.MaxRetryWait = DefaultMaxRetryWait
	}
	if o.HTTPClient == nil {
		// No overall client timeout: each request gets its own context deadline instead.
		o.HTTPClient = &http.Client{}
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

// displayURL keeps scheme, host and path: userinfo and the query may carry credentials.
func displayURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "(invalid base_url)"
	}
	return (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: strings.TrimSuffix(u.Path, "/")}).String()
}

// fail wraps err with the server and model, with the API key cut out of anything the
// server or a library said.
func (r *remote) fail(err error) error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	return &Error{Provider: r.provider, Server: r.server, Model: r.model, Err: r.scrubbed(err)}
}

// scrubbed keeps err matchable (errors.Is) while making sure its text never holds the key.
func (r *remote) scrubbed(err error) error {
	if r.apiKey == "" || !strings.Contains(err.Error(), r.apiKey) {
		return err
	}
	return &scrubError{msg: strings.ReplaceAll(err.Error(), r.apiKey, "xxxxx"), err: err}
}

type scrubError struct {
	msg string
	err error
}

func (e *scrubError) Error() string { return e.msg }
func (e *scrubError) Unwrap() error { return e.err }

// endpoint joins the base URL's path and p.
func (r *remote) endpoint(p string) string {
	u := *r.base
	u.Path = strings.TrimSuffix(u.Path, "/") + p
	u.RawPath = ""
	return u.String()
}

// call sends one JSON request and decodes a 2xx answer into out, retrying 429 and 5xx. Its
// errors are not yet wrapped in *Error (the caller adds the text index when it has one).
func (r *remote) call(ctx context.Context, method, path string, in, out any) error {
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return err
		}
	}
	for attempt := 0; ; attempt++ {
		status, hdr, data, err := r.once(ctx, method, path, body)
		if err != nil {
			return err
		}
		if status >= 200 && status < 300 {
			if err := json.Unmarshal(data, out); err != nil {
				return fmt.Errorf("%w: %s %s answered %d with a body that is not the documented JSON: %v",
					ErrMalformed, method, path, status, err)
			}
			return nil
		}
		failure := r.statusError(method, path, status, data)
		retryable := status == http.StatusTooManyRequests || status >= 500
		if !retryable || attempt >= r.opts.Retries {
			if retryable && attempt > 0 {
				return fmt.Errorf("%w (after %d attempts)", failure, attempt+1)
			}
			return failure
		}
		wait, asked := r.backoff(attempt, hdr)
		if wait > r.opts.MaxRetryWait {
			return fmt.Errorf("%w; the server asks to wait %s before retrying, longer than vestige waits (%s)",
				failure, wait.Round(time.Second), r.opts.MaxRetryWait)
		}
		r.log.LogAttrs(ctx, slog.LevelWarn, "embedding request failed, retrying",
			slog.String("provider", r.provider), slog.String("server", r.server), slog.String("model", r.model),
			slog.Int("status", status), slog.Duration("wait", wait), slog.Bool("retry_after", asked),
			slog.Int("attempt", attempt+1))
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// once is one HTTP exchange under the per-request timeout. Transport errors are classified
// here: the caller's own cancellation stays the context's error; our deadline is
// ErrTimeout; anything else is ErrUnavailable. The URL is never part of the message.
func (r *remote) once(ctx context.Context, method, path string, body []byte) (int, http.Header, []byte, error) {
	rctx, cancel := context.WithTimeout(ctx, r.opts.Timeout)
	defer cancel()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(rctx, method, r.endpoint(path), rd)
	if err != nil {
		return 0, nil, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	if r.apiKey != "" {
		req.Header.Set("Authorization", "Bearer "+r.apiKey)
	}
	resp, err := r.hc.Do(req)
	if err != nil {
		return 0, nil, nil, r.transportError(ctx, rctx, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer+1))
	if err != nil {
		return 0, nil, nil, r.transportError(ctx, rctx, err)
	}
	if len(data) > maxAnswer {
		return 0, nil, nil, fmt.Errorf("%w: the answer is larger than %d MB", ErrMalformed, maxAnswer>>20)
	}
	return resp.StatusCode, resp.Header, data, nil
}

func (r *remote) transportError(ctx, rctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if rctx.Err() != nil {
		return fmt.Errorf("%w: no complete answer within %s (raise timeout_secs for a slow model)", ErrTimeout, r.opts.Timeout)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err // its text would repeat the URL, credentials and all
	}
	return fmt.Errorf("%w: %v (is the server running at that address?)", ErrUnavailable, err)
}

// statusError reads the error body both wire formats document: Ollama's {"error": "..."}
// and OpenAI's {"error": {"message", "type", "code"}} (and a top-level "message" or
// "detail", which other OpenAI-compatible servers use).
func (r *remote) statusError(method, path string, status int, data []byte) error {
	msg, code := errorBody(data)
	msg = r.clean(msg)
	said := fmt.Sprintf("%d %s", status, http.StatusText(status))
	if msg != "" {
		said += ": " + msg
	}
	switch {
	case r.wire.notFound(status, msg, code):
		return fmt.Errorf("%w (%s)%s", ErrModelNotFound, said, r.wire.hint())
	case status == http.StatusNotFound || status == http.StatusMethodNotAllowed:
		return fmt.Errorf("%w: %s %s does not exist on this server (%s); is base_url right?%w",
			ErrRejected, method, path, said, errNoEndpoint)
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return fmt.Errorf("%w (%s); check the key in the variable api_key_env names", ErrUnauthorized, said)
	case status == http.StatusTooManyRequests:
		return fmt.Errorf("%w (%s)", ErrRateLimited, said)
	case status >= 500:
		return fmt.Errorf("%w (%s)", ErrServer, said)
	}
	return fmt.Errorf("%w (%s)", ErrRejected, said)
}

func errorBody(data []byte) (msg, code string) {
	var b struct {
		Error   json.RawMessage `json:"error"`
		Message string          `json:"message"`
		Detail  json.RawMessage `json:"detail"`
	}
	if json.Unmarshal(data, &b) != nil {
		return "", ""
	}
	var s string
	if json.Unmarshal(b.Error, &s) == nil && s != "" {
		return s, ""
	}
	var o struct {
		Message string          `json:"message"`
		Type    string          `json:"type"`
		Code    json.RawMessage `json:"code"`
	}
	if json.Unmarshal(b.Error, &o) == nil && o.Message != "" {
		var c string
		if json.Unmarshal(o.Code, &c) != nil {
			c = o.Type
		}
		return o.Message, c
	}
	if b.Message != "" {
		return b.Message, ""
	}
	if json.Unmarshal(b.Detail, &s) == nil {
		return s, ""
	}
	return "", ""
}

// clean makes a server's message safe and short: no key, one line, at most 300 bytes.
func (r *remote) clean(s string) string {
	if r.apiKey != "" {
		s = strings.ReplaceAll(s, r.apiKey, "xxxxx")
	}
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 300 {
		cut := 300
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}

// backoff is how long to wait before retry number attempt+1: what the server asked for
// (retry-after-ms, which OpenAI sends, or Retry-After in seconds or as an HTTP date), else
// exponential from RetryBase with jitter so that concurrent clients spread out.
func (r *remote) backoff(attempt int, h http.Header) (time.Duration, bool) {
	if v := h.Get("Retry-After-Ms"); v != "" {
		if ms, err := strconv.ParseFloat(v, 64); err == nil && ms >= 0 {
			return time.Duration(ms * float64(time.Millisecond)), true
		}
	}
	if v := strings.TrimSpace(h.Get("Retry-After")); v != "" {
		if s, err := strconv.ParseFloat(v, 64); err == nil && s >= 0 {
			return time.Duration(s * float64(time.Second)), true
		}
		if t, err := http.ParseTime(v); err == nil {
			return max(time.Until(t), 0), true
		}
	}
	d := r.opts.RetryBase << min(attempt, 16)
	return d/2 + rand.N(d/2+1), false
}

// vectors embeds texts, each behind prefix: batches of BatchSize, at most Concurrency at
// once, the first failure cancelling the rest. Every vector is checked and made unit
// length; want is the dimension every vector must have (0: any, all alike).
func (r *remote) vectors(ctx context.Context, prefix string, texts []string, want int) ([][]float32, error) {
	for i, t := range texts {
		if strings.TrimSpace(t) == "" {
			return nil, r.fail(textErr(len(texts), i, ErrEmptyText))
		}
	}
	out := make([][]float32, len(texts))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(r.opts.Concurrency)
	for start := 0; start < len(texts); start += r.opts.BatchSize {
		end := min(start+r.opts.BatchSize, len(texts))
		g.Go(func() error {
			inputs := make([]string, end-start)
			for i, t := range texts[start:end] {
				inputs[i] = prefix + t
			}
			raw, err := r.wire.embed(gctx, inputs)
			if err != nil {
				return err
			}
			if len(raw) != len(inputs) {
				return fmt.Errorf("%w: %d vectors for %d texts", ErrMalformed, len(raw), len(inputs))
			}
			for i, v := range raw {
				if want != 0 && len(v) != want {
					return textErr(len(texts), start+i, fmt.Errorf("%w: a %d-dimensional vector where %d are expected",
						ErrWrongDimension, len(v), want))
				}
				u, err := unitVector(v)
				if err != nil {
					return textErr(len(texts), start+i, err)
				}
				out[start+i] = u
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		if ctx.Err() != nil {
			return nil, r.fail(ctx.Err())
		}
		return nil, r.fail(err)
	}
	if want == 0 {
		for i, v := range out {
			if len(v) != len(out[0]) {
				return nil, r.fail(textErr(len(texts), i, fmt.Errorf("%w: vectors of %d and %d dimensions in one answer",
					ErrMalformed, len(out[0]), len(v))))
			}
		}
	}
	return out, nil
}

// textErr names the text at fault when there is more than one.
func textErr(n, i int, err error) error {
	if n == 1 {
		return err
	}
	return fmt.Errorf("text %d: %w", i, err)
}
