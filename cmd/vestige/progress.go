package main

import (
	"fmt"
	"io"
	"os"
	"time"
)

// progress counts records on stderr while an export or import runs. It draws only when
// stderr is a terminal: a log file or a pipe would fill with carriage returns.
type progress struct {
	w     io.Writer
	verb  string
	n     int
	drawn time.Time
	width int
	on    bool
}

func (g *globals) progress(verb string) *progress {
	p := &progress{w: g.stderr, verb: verb}
	if f, ok := g.stderr.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			p.on = true
		}
	}
	return p
}

// add counts n more records, redrawing at most ten times a second.
func (p *progress) add(n int) {
	p.n += n
	if p.on && time.Since(p.drawn) >= 100*time.Millisecond {
		p.drawn = time.Now()
		p.width = max(p.width, p.line())
	}
}

func (p *progress) line() int {
	n, _ := fmt.Fprintf(p.w, "\r%s: %d records", p.verb, p.n)
	return n
}

// done erases the line it drew, so that the summary (or the shell prompt) stands alone.
func (p *progress) done() {
	if p.on && !p.drawn.IsZero() {
		fmt.Fprintf(p.w, "\r%*s\r", p.width, "")
	}
}

// set shows n rows of what (a table, say) done, redrawing at most ten times a second.
func (p *progress) set(what string, n int) {
	p.n = n
	if p.on && time.Since(p.drawn) >= 100*time.Millisecond {
		p.drawn = time.Now()
		w, _ := fmt.Fprintf(p.w, "\r%s %s: %d rows%*s", p.verb, what, n, 8, "")
		p.width = max(p.width, w)
	}
}
