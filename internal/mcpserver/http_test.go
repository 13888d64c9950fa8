package mcpserver_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	neturl "net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/stretchr/testify/require"

	"github.com/vestige-mem/vestige/client"
	"github.com/vestige-mem/vestige/internal/mcpserver"
	"github.com/vestige-mem/vestige/internal/mcpserver/mcptest"
)

// serveHTTP serves c on a real listener on 127.0.0.1 and returns the endpoint's URL.
func serveHTTP(t *testing.T, c *client.Client, opts mcpserver.Options, hopts mcpserver.HTTPOptions) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ln, err := mcpserver.Listen(ctx, "127.0.0.1:0", hopts.Token != "")
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() { done <- mcpserver.ServeHTTP(ctx, ln, mcpserver.NewHTTPHandler(mcpserver.New(c, opts), hopts)) }()
	t.Cleanup(func() {
		cancel()
		require.NoError(t, <-done)
	})
	return "http://" + ln.Addr().String() + mcpserver.Path
}

// bearer adds a token to every request.
type bearer struct{ token string }

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return http.DefaultTransport.RoundTrip(r)
}

// dialHTTP connects the SDK's client to url over Streamable HTTP.
func dialHTTP(t *testing.T, url, token, version string) (*mcp.ClientSession, error) {
	t.Helper()
	hc := &http.Client{}
	if token != "" {
		hc.Transport = bearer{token}
	}
	tr := &mcp.StreamableClientTransport{Endpoint: url, HTTPClient: hc, MaxRetries: -1}
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "test", Version: "1"}, nil).
		Connect(context.Background(), tr, &mcp.ClientSessionOptions{ProtocolVersion: version})
	if err == nil {
		t.Cleanup(func() { _ = cs.Close() })
	}
	return cs, err
}

// post sends one raw JSON-RPC message as a browser or a script would, and returns the status
// and body.
func post(t *testing.T, url string, header map[string]string, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	for k, v := range header {
		if k == "Host" {
			req.Host = v
			continue
		}
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

const initialize = `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"0"}}}`

func TestHTTP(t *testing.T) {
	forBoth(t, func(t *testing.T, backend string, c *client.Client) {
		url := serveHTTP(t, c, mcpserver.Options{}, mcpserver.HTTPOptions{})
		cs, err := dialHTTP(t, url, "", "")
		require.NoError(t, err)
		mcptest.Exercise(t, cs, backend)

		// A client of the 2025 protocol (initialize, then a session) sees the same store.
		legacy, err := dialHTTP(t, url, "", "2025-11-25")
		require.NoError(t, err)
		require.Equal(t, "2025-11-25", legacy.InitializeResult().ProtocolVersion)
		hits := mcptest.Search(t, legacy, map[string]any{"query": "green tea"})
		require.NotEmpty(t, hits)
	})
}

func TestHTTPBadArguments(t *testing.T) {
	c := openClient(t, backends["sqlite"](t))
	cs, err := dialHTTP(t, serveHTTP(t, c, mcpserver.Options{}, mcpserver.HTTPOptions{}), "", "")
	require.NoError(t, err)
	mcptest.BadArguments(t, cs)
}

func TestHTTPReadOnly(t *testing.T) {
	c := openClient(t, backends["sqlite"](t))
	cs, err := dialHTTP(t, serveHTTP(t, c, mcpserver.Options{ReadOnly: true}, mcpserver.HTTPOptions{}), "", "")
	require.NoError(t, err)
	require.Equal(t, mcptest.ReadTools, mcptest.ToolNames(t, cs))
}

// syncBuffer is a log sink written by the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestHTTPToken(t *testing.T) {
	const token = "s3cret-token-0123456789abcdef"
	var logs syncBuffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c := openClient(t, backends["sqlite"](t))
	url := serveHTTP(t, c, mcpserver.Options{Logger: log}, mcpserver.HTTPOptions{Token: token, Logger: log})

	for _, tc := range []struct {
		name, auth string
	}{
		{"missing", ""},
		{"wrong", "Bearer " + token + "x"},
		{"prefix", "Bearer " + token[:10]},
		{"not bearer", "Basic " + token},
		{"bare token", token},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := map[string]string{}
			if tc.auth != "" {
				h["Authorization"] = tc.auth
			}
			code, body := post(t, url, h, initialize)
			require.Equal(t, http.StatusUnauthorized, code, body)
			require.NotContains(t, body, token)
		})
	}
	_, err := dialHTTP(t, url, "", "")
	require.Error(t, err, "the SDK's client without the token")
	_, err = dialHTTP(t, url, "wrong-token-0123456789", "2025-11-25")
	require.Error(t, err, "the SDK's client with a wrong token")

	cs, err := dialHTTP(t, url, token, "")
	require.NoError(t, err)
	require.Equal(t, mcptest.AllTools, mcptest.ToolNames(t, cs))
	mcptest.Remember(t, cs, map[string]any{"content": "reached with the token"})
	legacy, err := dialHTTP(t, url, token, "2025-11-25")
	require.NoError(t, err)
	require.NotEmpty(t, mcptest.Search(t, legacy, map[string]any{"query": "token"}))

	require.Contains(t, logs.String(), "refused a request without the token", "refusals are logged")
	require.Contains(t, logs.String(), "tool=remember", "tool calls are logged")
	require.NotContains(t, logs.String(), "reached with the token", "arguments are not logged")
	require.NotContains(t, logs.String(), token, "the token is never logged")
	require.NotContains(t, logs.String(), token[:10])
}

func TestHTTPOriginAndHost(t *testing.T) {
	c := openClient(t, backends["sqlite"](t))
	url := serveHTTP(t, c, mcpserver.Options{}, mcpserver.HTTPOptions{AllowedOrigins: []string{"http://localhost:6274"}})
	for _, tc := range []struct {
		name   string
		header map[string]string
		code   int
		want   string
	}{
		{"no origin (not a browser)", nil, http.StatusOK, `"serverInfo"`},
		{"allowed origin", map[string]string{"Origin": "http://localhost:6274"}, http.StatusOK, `"serverInfo"`},
		{"allowed origin, other spelling", map[string]string{"Origin": "HTTP://LOCALHOST:6274/"}, http.StatusOK, `"serverInfo"`},
		{"foreign origin", map[string]string{"Origin": "http://evil.example"}, http.StatusForbidden, "--allow-origin"},
		{"other local port", map[string]string{"Origin": "http://localhost:3000"}, http.StatusForbidden, "not allowed"},
		{"null origin", map[string]string{"Origin": "null"}, http.StatusForbidden, "not allowed"},
		{"rebound host name", map[string]string{"Host": "evil.example"}, http.StatusForbidden, "Host"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, body := post(t, url, tc.header, initialize)
			require.Equal(t, tc.code, code, body)
			require.Contains(t, body, tc.want)
		})
	}

	t.Run("preflight", func(t *testing.T) {
		for origin, want := range map[string]int{"http://localhost:6274": http.StatusNoContent, "http://evil.example": http.StatusForbidden} {
			req, err := http.NewRequest(http.MethodOptions, url, nil)
			require.NoError(t, err)
			req.Header.Set("Origin", origin)
			req.Header.Set("Access-Control-Request-Method", "POST")
			req.Header.Set("Access-Control-Request-Headers", "authorization, content-type, mcp-session-id")
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			resp.Body.Close()
			require.Equal(t, want, resp.StatusCode, origin)
			if want == http.StatusNoContent {
				require.Equal(t, origin, resp.Header.Get("Access-Control-Allow-Origin"))
				require.Contains(t, resp.Header.Get("Access-Control-Allow-Headers"), "Mcp-Session-Id")
				require.Contains(t, resp.Header.Get("Access-Control-Allow-Headers"), "Authorization")
			} else {
				require.Empty(t, resp.Header.Get("Access-Control-Allow-Origin"))
			}
		}
	})
}

func TestHTTPLimits(t *testing.T) {
	c := openClient(t, backends["sqlite"](t))
	url := serveHTTP(t, c, mcpserver.Options{}, mcpserver.HTTPOptions{MaxBodyBytes: 4096, MaxSessions: 2})

	t.Run("body size", func(t *testing.T) {
		big := `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"remember","arguments":{"content":"` +
			strings.Repeat("x", 8192) + `"}}}`
		code, body := post(t, url, nil, big)
		require.Equal(t, http.StatusRequestEntityTooLarge, code, body)
	})

	t.Run("largest memory fits", func(t *testing.T) {
		// 256 KiB of a control character: every byte travels as a six-byte \u0001 escape.
		cs, err := dialHTTP(t, serveHTTP(t, c, mcpserver.Options{}, mcpserver.HTTPOptions{}), "", "")
		require.NoError(t, err)
		mcptest.Remember(t, cs, map[string]any{"content": "x" + strings.Repeat("\x01", 256<<10-1)})
	})

	t.Run("sessions", func(t *testing.T) {
		var open []*mcp.ClientSession
		for range 2 {
			cs, err := dialHTTP(t, url, "", "2025-11-25")
			require.NoError(t, err)
			open = append(open, cs)
		}
		_, err := dialHTTP(t, url, "", "2025-11-25")
		require.ErrorContains(t, err, "Service Unavailable", "a third session")
		code, body := post(t, url, nil, initialize)
		require.Equal(t, http.StatusServiceUnavailable, code, body)
		require.Contains(t, body, "2 sessions are open")
		// The open sessions still work, and closing one makes room.
		mcptest.Call(t, open[0], "stats", map[string]any{}, nil)
		require.NoError(t, open[1].Close())
		require.Eventually(t, func() bool {
			cs, err := dialHTTP(t, url, "", "2025-11-25")
			if err == nil {
				_ = cs.Close()
			}
			return err == nil
		}, 5e9, 5e7)
		require.NoError(t, open[0].Close())
	})

	t.Run("requests in flight", func(t *testing.T) {
		url := serveHTTP(t, c, mcpserver.Options{}, mcpserver.HTTPOptions{MaxInFlight: 1, MaxSessions: 1000})
		// A request whose body has not come yet holds the one slot. Written by hand on a raw
		// connection: net/http's client may hold the headers back until the body starts.
		// Until the server has taken it, a probe can take the slot first and the held
		// request is the one refused: then it is sent again.
		u, err := neturl.Parse(url)
		require.NoError(t, err)
		var conn net.Conn
		require.Eventually(t, func() bool {
			if conn != nil {
				_ = conn.Close()
			}
			conn, err = net.Dial("tcp", u.Host)
			require.NoError(t, err)
			_, err = fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\nContent-Length: %d\r\n\r\n",
				u.RequestURI(), u.Host, len(initialize))
			require.NoError(t, err)
			time.Sleep(50 * time.Millisecond) // the server reads the headers and takes the slot
			code, body := post(t, url, nil, initialize)
			return code == http.StatusServiceUnavailable && strings.Contains(body, "too many requests at once")
		}, 10e9, 1e6, "a second request while the first is in flight")
		t.Cleanup(func() { _ = conn.Close() })
		_, err = conn.Write([]byte(initialize))
		require.NoError(t, err)
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		require.NoError(t, err)
		require.NoError(t, resp.Body.Close())
		// The slot is freed as the first handler returns, just after its answer is sent.
		require.Eventually(t, func() bool {
			code, _ := post(t, url, nil, initialize)
			return code == http.StatusOK
		}, 5e9, 2e7, "a request once the first is done")
	})
}

func TestListen(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		addr      string
		haveToken bool
		refused   bool
	}{
		{"127.0.0.1:0", false, false},
		{"localhost:0", false, false},
		{"0.0.0.0:0", false, true},
		{":0", false, true},
		{"[::]:0", false, true},
		{"0.0.0.0:0", true, false},
		{":0", true, false},
	} {
		t.Run(tc.addr, func(t *testing.T) {
			ln, err := mcpserver.Listen(ctx, tc.addr, tc.haveToken)
			if tc.refused {
				require.ErrorIs(t, err, mcpserver.ErrTokenRequired)
				require.Contains(t, err.Error(), "VESTIGE_MCP_TOKEN")
				return
			}
			require.NoError(t, err)
			require.NoError(t, ln.Close())
		})
	}
	_, err := mcpserver.Listen(ctx, "no-port", false)
	require.ErrorContains(t, err, "host:port")
	require.False(t, errors.Is(err, mcpserver.ErrTokenRequired))
}
