package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"

	"github.com/alecthomas/kong"
)

// globals are the flags every command takes.
type globals struct {
	Config      string `help:"Path of vestige.toml (default: $VESTIGE_CONFIG, then ~/.vestige/vestige.toml)." type:"path" placeholder:"FILE"`
	JSON        bool   `name:"json" help:"Print machine-readable JSON on stdout."`
	PostgresURL string `name:"postgres-url" env:"VESTIGE_POSTGRES_URL" help:"Use the Postgres backend at this URL (overrides the config file)." placeholder:"URL"`

	stdout io.Writer `kong:"-"`
	stderr io.Writer `kong:"-"`
}

type cli struct {
	globals

	Schema schemaCmd `cmd:"" help:"Create, upgrade, inspect or remove the database schema."`
}

// exitPanic carries kong's requested exit code (after --help, say) out of the parser, so
// that run returns instead of ending the process.
type exitPanic int

// run is the whole program: it parses args, runs one command and returns the exit code.
// Tests call it directly.
func run(args []string, stdout, stderr io.Writer) (code int) {
	var c cli
	c.stdout, c.stderr = stdout, stderr
	parser, err := kong.New(&c,
		kong.Name("vestige"),
		kong.Description("A long-term memory store for AI agents, where Postgres does the work."),
		kong.Writers(stdout, stderr),
		kong.Exit(func(code int) { panic(exitPanic(code)) }),
		kong.UsageOnError(),
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
	kctx, err := parser.Parse(args)
	if err != nil {
		fmt.Fprintf(stderr, "vestige: %s\n", scrub(err.Error(), c.PostgresURL))
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	kctx.BindTo(ctx, (*context.Context)(nil))
	if err := kctx.Run(&c.globals); err != nil {
		fmt.Fprintf(stderr, "vestige: %s\n", scrub(err.Error(), c.PostgresURL))
		if errors.Is(err, errUsage) {
			return 2
		}
		return 1
	}
	return 0
}

// printJSON writes v as one indented JSON document.
func (g *globals) printJSON(v any) error {
	enc := json.NewEncoder(g.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// errUsage marks an error in what the user asked for, not in the store.
var errUsage = errors.New("usage error")

// oneLine keeps an error to one line: pgx and Postgres messages may carry newlines (a
// DETAIL or HINT), and the CLI promises a one-line error.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
