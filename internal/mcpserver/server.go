// Package mcpserver serves a vestige store to agents over the Model Context Protocol: one tool
// per thing an agent does with its memory (remember, search, get, update, forget, link,
// unlink, neighbors, review, due, classify, stats), on top of the same client.Client the CLI
// uses, so the behaviour is the CLI's on either backend.
//
// New builds the server; ServeStdio and NewHTTPHandler (http.go) put it on a transport.
// Every failure of a tool (a bad argument, an unknown id, a refused value, a store error) is
// a tool result with IsError set and a message a model can act on, never a protocol error
// that would end the session.
package mcpserver

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"runtime/debug"
	"time"

	"github.com/google/jsonschema-go/jsonschema"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/vestige-mem/vestige/client"
)

// Options configures New.
type Options struct {
	// ReadOnly registers only the tools that read (search, get, neighbors, due, classify,
	// stats): an agent can use the store but not change it.
	ReadOnly bool
	// Version is reported to clients as the server's version ("" is "dev").
	Version string
	// Logger receives one line per tool call (name, duration, whether it failed; never the
	// arguments). Nil discards.
	Logger *slog.Logger
	// Scrub cleans an error message before a client sees it (the CLI cuts URL passwords
	// out). Nil leaves messages as they are.
	Scrub func(string) string
}

// Name is the server's name in the initialize answer.
const Name = "vestige"

// MaxLineBytes bounds one JSON-RPC message on stdio (and, by default, an HTTP body): the
// largest memory the store takes, 256 KiB of content and 64 KiB of metadata, fits even when
// every byte is written as a six-byte \u escape.
const MaxLineBytes = 4 << 20

// Instructions is what a client may show its model about the server as a whole.
const Instructions = `vestige is your long-term memory. Search it before answering questions about the
user, their projects or past decisions; remember durable facts, preferences and decisions as
short self-contained notes (one fact per memory, with a type and tags). Ids are UUIDs returned
by remember and search. Review a memory (again, hard, good, easy) after you used it so that
spaced repetition keeps what matters retrievable; due lists what is due.`

// server holds what the tool handlers share.
type server struct {
	c    *client.Client
	opts Options
	log  *slog.Logger
}

// New builds an MCP server over c. The caller keeps c and closes it after the server stops.
func New(c *client.Client, opts Options) *mcp.Server {
	if opts.Version == "" {
		opts.Version = "dev"
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	srv := mcp.NewServer(&mcp.Implementation{Name: Name, Title: "vestige memory", Version: opts.Version},
		&mcp.ServerOptions{
			Instructions: Instructions,
			// No logging capability: the server does not send log notifications.
			Capabilities: &mcp.ServerCapabilities{},
		})
	s := &server{c: c, opts: opts, log: log}
	for _, t := range s.tools() {
		if opts.ReadOnly && !t.readOnly {
			continue
		}
		t.add(srv)
	}
	return srv
}

// ToolNames lists the tools New registers, in registration order.
func ToolNames(readOnly bool) []string {
	var names []string
	for _, t := range (&server{}).tools() {
		if !readOnly || t.readOnly {
			names = append(names, t.name)
		}
	}
	return names
}

// tool is one registration: its name, whether it only reads, and how to add it.
type tool struct {
	name     string
	readOnly bool
	add      func(*mcp.Server)
}

// define wraps a typed handler: the tool's annotations are set from readOnly, a panic becomes
// a tool error (the session goes on), and every call is logged without its arguments.
//
// The result is encoded here, not by the SDK: the SDK re-decodes a typed result through
// float64 to validate it, which would round a metadata number such as 9007199254740993
// that the store keeps exactly. The output schema is still Out's, advertised to clients
// (and checked against every answer in the tests).
func define[In, Out any](s *server, t *mcp.Tool, readOnly bool, h func(context.Context, *mcp.CallToolRequest, In) (Out, error)) tool {
	t.Annotations = annotations(readOnly, t.Annotations)
	if t.InputSchema == nil {
		t.InputSchema = inputSchema[In](nil)
	}
	out, err := jsonschema.For[Out](nil)
	if err != nil {
		panic("mcpserver: output schema: " + err.Error()) // a programming error, caught by every test
	}
	t.OutputSchema = out
	return tool{name: t.Name, readOnly: readOnly, add: func(srv *mcp.Server) {
		mcp.AddTool(srv, t, func(ctx context.Context, req *mcp.CallToolRequest, in In) (res *mcp.CallToolResult, _ any, err error) {
			start := time.Now()
			defer func() {
				if r := recover(); r != nil {
					s.log.Error("mcp tool panicked", "tool", t.Name, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
					res, err = nil, fmt.Errorf("internal error in %s: %v", t.Name, r)
				}
				if err != nil {
					err = s.toolError(err)
				}
				s.log.Info("mcp tool call", "tool", t.Name, "ms", time.Since(start).Milliseconds(), "error", err != nil)
			}()
			v, err := h(ctx, req, in)
			if err != nil {
				return nil, nil, err
			}
			b, err := encode(v)
			if err != nil {
				return nil, nil, err
			}
			return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: string(b)}}, StructuredContent: json.RawMessage(b)}, nil, nil
		})
	}}
}

// encode is v as compact JSON, with <, > and & as they are (the reader is a model, not a
// browser).
func encode(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

func annotations(readOnly bool, a *mcp.ToolAnnotations) *mcp.ToolAnnotations {
	if a == nil {
		a = &mcp.ToolAnnotations{}
	}
	a.ReadOnlyHint = readOnly
	f := false
	a.OpenWorldHint = &f
	if !readOnly && a.DestructiveHint == nil {
		a.DestructiveHint = &f
	}
	return a
}

func (s *server) tools() []tool {
	return []tool{
		s.rememberTool(), s.searchTool(), s.getTool(), s.updateTool(), s.forgetTool(),
		s.linkTool(), s.unlinkTool(), s.neighborsTool(),
		s.reviewTool(), s.dueTool(), s.classifyTool(), s.statsTool(),
	}
}
