package mcpserver_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vestige-mem/vestige/client"
	"github.com/vestige-mem/vestige/internal/mcpserver"
)

// TestStdioBadLines: a line on stdin that is not a JSON-RPC message (bad JSON, a message of
// another JSON-RPC version, an id of the wrong type, an empty object, an over-long line) is
// answered with a JSON-RPC error and the session goes on: the next request is served, and
// the end of the input still ends the session cleanly.
func TestStdioBadLines(t *testing.T) {
	forBoth(t, func(t *testing.T, _ string, c *client.Client) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		inR, inW := io.Pipe()
		outR, outW := io.Pipe()
		done := make(chan error, 1)
		go func() {
			done <- mcpserver.ServeStdio(ctx, mcpserver.New(c, mcpserver.Options{}), inR, outW)
			_ = outW.Close()
		}()
		out := bufio.NewScanner(outR)
		out.Buffer(nil, 1<<20)
		send := func(line string) {
			t.Helper()
			_, err := io.WriteString(inW, line+"\n")
			require.NoError(t, err)
		}
		type answer struct {
			ID     json.RawMessage `json:"id"`
			Result json.RawMessage `json:"result"`
			Error  *struct {
				Code    int    `json:"code"`
				Message string `json:"message"`
			} `json:"error"`
		}
		next := func() answer {
			t.Helper()
			require.True(t, out.Scan(), "the server answers: %v", out.Err())
			var a answer
			require.NoError(t, json.Unmarshal(out.Bytes(), &a), "%s", out.Text())
			return a
		}

		send(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}`)
		require.Nil(t, next().Error)
		send(`{"jsonrpc":"2.0","method":"notifications/initialized"}`)

		tests := []struct {
			name, line string
			code       int
			id         string
		}{
			{"not JSON", `garbage{`, -32700, "null"},
			{"truncated object", `{"jsonrpc":"2.0","id":3,"method":"tools/list"`, -32700, "null"},
			{"a number", `5`, -32600, "null"},
			{"empty object", `{}`, -32600, "null"},
			{"JSON-RPC 1.0", `{"jsonrpc":"1.0","id":7,"method":"tools/list"}`, -32600, "7"},
			{"object id", `{"jsonrpc":"2.0","id":{"a":1},"method":"tools/list"}`, -32600, "null"},
			{"empty batch", `[]`, -32600, "null"},
			{"batch in 2025-06-18", `[{"jsonrpc":"2.0","id":8,"method":"ping"}]`, -32600, "null"},
			{"over-long line", `{"jsonrpc":"2.0","id":9,"method":"ping","params":{"x":"` +
				strings.Repeat("a", mcpserver.MaxLineBytes) + `"}}`, -32600, "null"},
		}
		for i, tc := range tests {
			send(tc.line)
			a := next()
			require.NotNil(t, a.Error, "%s: an error answer", tc.name)
			require.Equal(t, tc.code, a.Error.Code, "%s: %s", tc.name, a.Error.Message)
			require.JSONEq(t, tc.id, string(a.ID), tc.name)

			id := 100 + i
			send(fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"method":"ping"}`, id))
			a = next()
			require.Nil(t, a.Error, "%s: the session goes on", tc.name)
			require.JSONEq(t, fmt.Sprint(id), string(a.ID))
		}

		send(`{"jsonrpc":"2.0","id":200,"method":"tools/call","params":{"name":"remember","arguments":{"content":"kept after bad lines"}}}`)
		a := next()
		require.Nil(t, a.Error)
		require.Contains(t, string(a.Result), "kept after bad lines")

		require.NoError(t, inW.Close())
		require.NoError(t, <-done, "the end of the input ends the session cleanly")
	})
}
