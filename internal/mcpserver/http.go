package mcpserver

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Path is where the HTTP transport answers: clients are configured with
// http://ADDR/mcp.
const Path = "/mcp"

// HTTP defaults.
const (
	// DefaultMaxBodyBytes is MaxLineBytes: the largest memory the store accepts fits, however
	// its client escapes it.
	DefaultMaxBodyBytes   = MaxLineBytes
	DefaultMaxSessions    = 16
	DefaultMaxInFlight    = 32
	DefaultSessionTimeout = 30 * time.Minute
)

// ErrTokenRequired refuses a listener that other machines could reach without a token.
var ErrTokenRequired = errors.New("refusing to serve MCP on a non-loopback address without a token: set VESTIGE_MCP_TOKEN, or bind to 127.0.0.1")

// HTTPOptions configures NewHTTPHandler. Zero values take the defaults above.
type HTTPOptions struct {
	// Token, when set, is required of every request as "Authorization: Bearer <token>". It is
	// compared in constant time and never logged.
	Token string
	// AllowedOrigins lists the browser origins (scheme://host[:port]) whose requests are
	// served, with the CORS headers a page needs. A request with any other Origin header is
	// refused, so that a web page cannot drive the server from a user's browser (DNS
	// rebinding, cross-site requests). Clients that are not browsers send no Origin and are
	// not affected.
	AllowedOrigins []string
	// MaxBodyBytes bounds a request body (413 beyond).
	MaxBodyBytes int64
	// MaxSessions bounds the sessions open at once (503 for one more); idle sessions close
	// after SessionTimeout.
	MaxSessions    int
	SessionTimeout time.Duration
	// MaxInFlight bounds the requests being served at once (503 beyond), a session's
	// standing event stream (GET) aside.
	MaxInFlight int
	// Logger receives refusals (never the token). Nil discards.
	Logger *slog.Logger
}

// NewHTTPHandler serves srv over Streamable HTTP at Path, behind the checks of opts: origin,
// token, body size, sessions and requests in flight. The SDK's own check refuses, on a
// loopback listener, a Host header that is not loopback.
func NewHTTPHandler(srv *mcp.Server, opts HTTPOptions) http.Handler {
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if opts.MaxSessions <= 0 {
		opts.MaxSessions = DefaultMaxSessions
	}
	if opts.MaxInFlight <= 0 {
		opts.MaxInFlight = DefaultMaxInFlight
	}
	if opts.SessionTimeout <= 0 {
		opts.SessionTimeout = DefaultSessionTimeout
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	sdk := mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return srv }, &mcp.StreamableHTTPOptions{
		MaxRequestBodyBytes: opts.MaxBodyBytes,
		SessionTimeout:      opts.SessionTimeout,
		Logger:              log,
	})
	origins := map[string]bool{}
	for _, o := range opts.AllowedOrigins {
		origins[normalOrigin(o)] = true
	}
	var tokenSum [sha256.Size]byte
	if opts.Token != "" {
		tokenSum = sha256.Sum256([]byte(opts.Token))
	}
	inFlight := make(chan struct{}, opts.MaxInFlight)

	mcpHandler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if o := r.Header.Get("Origin"); o != "" {
			if !origins[normalOrigin(o)] {
				log.Warn("mcp http: refused a foreign origin", "origin", o, "remote", r.RemoteAddr)
				http.Error(w, fmt.Sprintf("Forbidden: origin %q is not allowed (vestige mcp --allow-origin %s allows it)", o, o), http.StatusForbidden)
				return
			}
			// An allowed browser page may read the answers and send the MCP headers.
			h := w.Header()
			h.Set("Access-Control-Allow-Origin", o)
			h.Add("Vary", "Origin")
			h.Set("Access-Control-Expose-Headers", "Mcp-Session-Id, Mcp-Protocol-Version, WWW-Authenticate")
			if r.Method == http.MethodOptions {
				h.Set("Access-Control-Allow-Methods", "GET, POST, DELETE")
				h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, Accept, Mcp-Session-Id, Mcp-Protocol-Version, Last-Event-ID")
				h.Set("Access-Control-Max-Age", "600")
				w.WriteHeader(http.StatusNoContent)
				return
			}
		}
		if opts.Token != "" && !bearerMatches(r, tokenSum) {
			log.Warn("mcp http: refused a request without the token", "remote", r.RemoteAddr)
			w.Header().Set("WWW-Authenticate", `Bearer realm="vestige"`)
			http.Error(w, "Unauthorized: send Authorization: Bearer <VESTIGE_MCP_TOKEN>", http.StatusUnauthorized)
			return
		}
		if r.Method == http.MethodPost && r.Header.Get("Mcp-Session-Id") == "" && sessions(srv) >= opts.MaxSessions {
			log.Warn("mcp http: refused a session over the limit", "limit", opts.MaxSessions, "remote", r.RemoteAddr)
			w.Header().Set("Retry-After", "5")
			http.Error(w, fmt.Sprintf("Service Unavailable: %d sessions are open, the most allowed; close one or retry later", opts.MaxSessions), http.StatusServiceUnavailable)
			return
		}
		sdk.ServeHTTP(w, r)
	})

	mux := http.NewServeMux()
	mux.Handle(Path, mcpHandler)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// A GET is a session's standing event stream, open as long as the session: bounded
		// by MaxSessions, it would otherwise hold a request slot for hours.
		if r.Method == http.MethodGet {
			mux.ServeHTTP(w, r)
			return
		}
		select {
		case inFlight <- struct{}{}:
			defer func() { <-inFlight }()
		default:
			w.Header().Set("Retry-After", "1")
			http.Error(w, "Service Unavailable: too many requests at once", http.StatusServiceUnavailable)
			return
		}
		mux.ServeHTTP(w, r)
	})
}

// bearerMatches compares the request's bearer token with the expected one's digest: equal
// lengths for every token, so the comparison's time says nothing about the token.
func bearerMatches(r *http.Request, want [sha256.Size]byte) bool {
	scheme, tok, ok := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return false
	}
	got := sha256.Sum256([]byte(strings.TrimSpace(tok)))
	return subtle.ConstantTimeCompare(got[:], want[:]) == 1
}

func sessions(srv *mcp.Server) int {
	n := 0
	for range srv.Sessions() {
		n++
	}
	return n
}

func normalOrigin(o string) string {
	return strings.TrimSuffix(strings.ToLower(strings.TrimSpace(o)), "/")
}

// Listen opens a TCP listener on addr (host:port; port 0 picks one). Without a token it
// refuses any address that is not loopback, both as written (so that nothing is bound to a
// public interface even briefly) and as bound.
func Listen(ctx context.Context, addr string, haveToken bool) (net.Listener, error) {
	if !haveToken {
		host, _, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, fmt.Errorf("--http %q: %w (give host:port, such as 127.0.0.1:8765)", addr, err)
		}
		if ok, err := loopbackHost(ctx, host); err != nil || !ok {
			if err != nil {
				return nil, fmt.Errorf("%w (%v)", ErrTokenRequired, err)
			}
			return nil, fmt.Errorf("%w (%q is not a loopback address)", ErrTokenRequired, addr)
		}
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	if tcp, ok := ln.Addr().(*net.TCPAddr); !haveToken && (!ok || !tcp.IP.IsLoopback()) {
		_ = ln.Close()
		return nil, fmt.Errorf("%w (bound to %s)", ErrTokenRequired, ln.Addr())
	}
	return ln, nil
}

// loopbackHost reports whether every address host names is a loopback one; "" (every
// interface) is not.
func loopbackHost(ctx context.Context, host string) (bool, error) {
	if host == "" {
		return false, nil
	}
	if ip := net.ParseIP(strings.Trim(host, "[]")); ip != nil {
		return ip.IsLoopback(), nil
	}
	ips, err := net.DefaultResolver.LookupIPAddr(ctx, host)
	if err != nil {
		return false, err
	}
	for _, ip := range ips {
		if !ip.IP.IsLoopback() {
			return false, nil
		}
	}
	return len(ips) > 0, nil
}

// ServeHTTP serves h on ln until ctx is cancelled, then stops taking requests and gives
// those in flight a few seconds to finish.
func ServeHTTP(ctx context.Context, ln net.Listener, h http.Handler) error {
	hs := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 64 << 10}
	done := make(chan error, 1)
	go func() { done <- hs.Serve(ln) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if hs.Shutdown(sctx) != nil {
			_ = hs.Close() // streams still open after the grace period
		}
		<-done
		return nil
	}
}
