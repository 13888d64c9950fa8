package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"unicode/utf8"

	"github.com/alecthomas/kong"

	"github.com/vestige-mem/vestige/client/config"
)

// globals are the flags every command takes, and what run hands to every command.
type globals struct {
	Config      string `help:"Path of vestige.toml (default: $VESTIGE_CONFIG, then ~/.vestige/vestige.toml)." type:"path" placeholder:"FILE"`
	JSON        bool   `name:"json" help:"Print machine-readable JSON on stdout."`
	PostgresURL string `name:"postgres-url" help:"Use the Postgres backend at this URL (overrides the config file and $VESTIGE_POSTGRES_URL)." placeholder:"URL"`

	stdin  io.Reader `kong:"-"`
	stdout io.Writer `kong:"-"`
	stderr io.Writer `kong:"-"`
	// postgresURL is the URL the resolved config connects to, kept so that an error that
	// quotes it can be scrubbed whatever source it came from.
	postgresURL string `kong:"-"`
}

type cli struct {
	globals

	Add       addCmd       `cmd:"" help:"Remember a note (prints its id)."`
	Get       getCmd       `cmd:"" help:"Show a memory."`
	Update    updateCmd    `cmd:"" help:"Change a memory's content, type, tags, domains or metadata."`
	Delete    deleteCmd    `cmd:"" help:"Forget memories (with their edges and scheduling)."`
	Search    searchCmd    `cmd:"" help:"Find memories by text: hybrid (full-text + vector), fts or vector."`
	Link      linkCmd      `cmd:"" help:"Link two memories with a typed, weighted edge."`
	Unlink    unlinkCmd    `cmd:"" help:"Remove an edge."`
	Edges     edgesCmd     `cmd:"" help:"List the edges of a memory."`
	Neighbors neighborsCmd `cmd:"" help:"Walk the graph from a memory (spreading activation)."`
	Domains   domainsCmd   `cmd:"" help:"List, show, create or change, and delete domains."`
	Classify  classifyCmd  `cmd:"" help:"Rank domains by similarity to a text."`
	Embed     embedCmd     `cmd:"" help:"Show what the configured embedder answers for a text (checks a setup; opens no store)."`
	Review    reviewCmd    `cmd:"" help:"Record a review (again, hard, good or easy) and schedule the next one (FSRS-6)."`
	Due       dueCmd       `cmd:"" help:"List memories due for review."`
	Stats     statsCmd     `cmd:"" help:"Count what the store holds."`
	Health    healthCmd    `cmd:"" help:"Check the store (exit status 1 unless healthy)."`
	Vacuum    vacuumCmd    `cmd:"" help:"Reclaim space and refresh statistics."`
	Export    exportCmd    `cmd:"" help:"Write every row as JSON Lines."`
	Import    importCmd    `cmd:"" help:"Read JSON Lines written by export; only absent rows are added."`
	Schema    schemaCmd    `cmd:"" help:"Create, upgrade, inspect or remove the database schema."`
	MCP       mcpCmd       `cmd:"" name:"mcp" help:"Serve the store to agents over the Model Context Protocol (stdio, or --http)."`
	Migrate   migrateCmd   `cmd:"" help:"Copy a store to the other backend, or re-embed it with another model."`
}

// exitPanic carries kong's requested exit code (after --help, say) out of the parser, so
// that run returns instead of ending the process.
type exitPanic int

// run is the whole program: it parses args, runs one command and returns the exit code:
// 0 on success, 2 for a mistake in the command line, 1 for any other failure. Tests call it
// directly.
func run(args []string, stdout, stderr io.Writer) (code int) {
	var c cli
	c.stdin, c.stdout, c.stderr = os.Stdin, stdout, stderr
	parser, err := kong.New(&c,
		kong.Name("vestige"),
		kong.Description("A long-term memory store for AI agents, where Postgres does the work. "+
			"With no configuration it keeps memories in ~/.vestige/vestige.db (SQLite)."),
		kong.Writers(stdout, stderr),
		kong.Exit(func(code int) { panic(exitPanic(code)) }),
		kong.ConfigureHelp(kong.HelpOptions{Compact: true}),
	)
	if err != nil {
		fmt.Fprintf(stderr, "vestige: %v\n", err)
		return 2
	}
	defer func() {
		if r := recover(); r != nil {
			if e, ok := r.(exitPanic); ok {
				code = int(e)
				return
			}
			panic(r)
		}
	}()
	args, err = validUTF8Args(args)
	if err != nil {
		fmt.Fprintf(stderr, "vestige: %v (see vestige --help)\n", err)
		return 2
	}
	kctx, err := parser.Parse(args)
	if err != nil {
		fmt.Fprintf(stderr, "vestige: %s (see vestige --help)\n", c.scrub(err.Error()))
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	kctx.BindTo(ctx, (*context.Context)(nil))
	if err := kctx.Run(&c.globals); err != nil {
		fmt.Fprintf(stderr, "vestige: %s\n", c.scrub(err.Error()))
		if errors.Is(err, errUsage) {
			return 2
		}
		return 1
	}
	return 0
}

// scrub makes an error message safe and short: every password any of the URLs in play
// carries is cut out, and the message is one line.
func (g *globals) scrub(msg string) string {
	return scrub(msg, g.PostgresURL, os.Getenv(config.EnvPostgresURL), g.postgresURL)
}

// errUsage marks an error in what the user asked for, not in the store.
var errUsage = errors.New("usage error")

// usagef is an error in the command line (exit status 2). Its text is the message alone.
func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }
func (e *usageError) Unwrap() error { return errUsage }

// oneLine keeps an error to one line: config errors list one problem per line, and pgx and
// Postgres messages may carry a DETAIL, a HINT or one line per address tried. Repeated lines
// (the same dial error for each TLS mode) are said once.
func oneLine(s string) string {
	var b strings.Builder
	prev := ""
	for _, l := range strings.Split(strings.TrimSpace(s), "\n") {
		l = strings.Join(strings.Fields(l), " ")
		if l == "" || l == prev {
			continue
		}
		if b.Len() > 0 {
			if strings.HasSuffix(prev, ":") {
				b.WriteString(" ")
			} else {
				b.WriteString("; ")
			}
		}
		b.WriteString(l)
		prev = l
	}
	return b.String()
}

// validUTF8Args holds arguments to the text rules before kong sees them: kong replaces
// invalid UTF-8 with U+FFFD, so a note or tag typed with a stray byte would be stored
// changed. Stored text must be valid UTF-8, so such an argument is refused (as standard input
// is), named by its position and not printed (it may be a URL that carries a password).
// Query text is never refused (docs/value-rules.md): for search, classify and embed the invalid
// bytes become spaces, as the store does with them.
func validUTF8Args(args []string) ([]string, error) {
	command := ""
	for i := 0; i < len(args) && command == ""; i++ {
		switch a := args[i]; {
		case a == "--config" || a == "--postgres-url":
			i++ // the flag's value
		case !strings.HasPrefix(a, "-"):
			command = a
		}
	}
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = a
		if utf8.ValidString(a) {
			continue
		}
		if command != "search" && command != "classify" && command != "embed" {
			return nil, fmt.Errorf("argument %d is not valid UTF-8", i+1)
		}
		out[i] = strings.ToValidUTF8(a, " ")
	}
	return out, nil
}
