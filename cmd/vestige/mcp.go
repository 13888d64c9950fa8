package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/vestige-mem/vestige/internal/mcpserver"
)

// envMCPToken holds the bearer token of the HTTP transport: an environment variable, not a
// flag, so that it never shows in a process list or a shell history.
const envMCPToken = "VESTIGE_MCP_TOKEN"

// minTokenChars keeps a guessable token from opening the store to the network.
const minTokenChars = 16

type mcpCmd struct {
	HTTP        string   `name:"http" help:"Serve Streamable HTTP at http://ADDR/mcp instead of stdio. Without $VESTIGE_MCP_TOKEN only a loopback address is allowed." placeholder:"ADDR"`
	ReadOnly    bool     `name:"read-only" help:"Expose only the tools that read (search, get, neighbors, due, classify, stats)."`
	AllowOrigin []string `name:"allow-origin" sep:"none" help:"Serve browser requests from this origin, e.g. http://localhost:6274 (repeatable; others are refused)." placeholder:"ORIGIN"`
	MaxSessions int      `name:"max-sessions" default:"16" help:"HTTP sessions open at once (idle ones close after 30 minutes)."`
	Verbose     bool     `short:"v" help:"Log every tool call (name, duration, failed or not; never the arguments) on stderr."`
}

func (c *mcpCmd) Run(ctx context.Context, g *globals) error {
	if c.MaxSessions < 1 || c.MaxSessions > 10000 {
		return usagef("--max-sessions %d is outside 1..10000", c.MaxSessions)
	}
	token := strings.TrimSpace(os.Getenv(envMCPToken))
	if c.HTTP != "" && token != "" && len(token) < minTokenChars {
		return usagef("$%s is %d characters; use at least %d (e.g. openssl rand -hex 32)", envMCPToken, len(token), minTokenChars)
	}
	if c.HTTP == "" && len(c.AllowOrigin) > 0 {
		return usagef("--allow-origin applies to --http only")
	}
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGTERM)
	defer stop()

	// Logs go to stderr: on stdio, stdout carries the protocol and nothing else.
	level := slog.LevelWarn
	if c.Verbose {
		level = slog.LevelInfo
	}
	var handler slog.Handler = slog.NewTextHandler(g.stderr, &slog.HandlerOptions{Level: level})
	if g.JSON {
		handler = slog.NewJSONHandler(g.stderr, &slog.HandlerOptions{Level: level})
	}
	log := slog.New(handler)

	cl, err := g.openClient(ctx)
	if err != nil {
		return err
	}
	defer cl.Close()
	srv := mcpserver.New(cl, mcpserver.Options{ReadOnly: c.ReadOnly, Version: version(), Logger: log, Scrub: g.scrub})

	if c.HTTP == "" {
		return mcpserver.ServeStdio(ctx, srv, g.stdin, g.stdout)
	}
	ln, err := mcpserver.Listen(ctx, c.HTTP, token != "")
	if err != nil {
		return err
	}
	h := mcpserver.NewHTTPHandler(srv, mcpserver.HTTPOptions{Token: token, AllowedOrigins: c.AllowOrigin,
		MaxSessions: c.MaxSessions, Logger: log})
	mode := ""
	if c.ReadOnly {
		mode = ", read-only"
	}
	fmt.Fprintf(g.stderr, "vestige mcp: serving the %s store on http://%s%s (%s%s)\n", cl.Backend(), ln.Addr(), mcpserver.Path,
		map[bool]string{true: "bearer token required", false: "loopback only, no token"}[token != ""], mode)
	return mcpserver.ServeHTTP(ctx, ln, h)
}

// version is the module version the binary was built from ("dev" in a work tree).
func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}
