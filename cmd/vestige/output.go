package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/vestige-mem/vestige/client/store"
)

// printJSON writes v as one indented JSON document. <, > and & stay as they are: the output
// is read by programs and people, not pasted into HTML.
func (g *globals) printJSON(v any) error {
	enc := json.NewEncoder(g.stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// table writes aligned columns; call flush when done.
func (g *globals) table(header ...string) *tabwriter.Writer {
	tw := tabwriter.NewWriter(g.stdout, 0, 0, 2, ' ', 0)
	if len(header) > 0 {
		fmt.Fprintln(tw, strings.Join(header, "\t"))
	}
	return tw
}

// row writes one line of tab-separated cells.
func row(w io.Writer, cells ...any) {
	for i, c := range cells {
		if i > 0 {
			fmt.Fprint(w, "\t")
		}
		fmt.Fprint(w, c)
	}
	fmt.Fprintln(w)
}

// stamp is a time as the CLI shows it: RFC 3339 in UTC, to the second.
func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// short keeps a table cell on one line and within n characters.
func short(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// list shows a list cell, "-" when empty.
func list(vs []string) string {
	if len(vs) == 0 {
		return "-"
	}
	return strings.Join(vs, ", ")
}

func compactJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// memoryView is a memory as the CLI prints it: the embedding (hundreds of numbers) is left
// out unless asked for, and its dimension said instead.
type memoryView struct {
	store.Memory
	EmbeddingDimension int `json:"embedding_dimension"`
}

func viewMemory(m store.Memory, withEmbedding bool) memoryView {
	v := memoryView{Memory: m, EmbeddingDimension: len(m.Embedding)}
	if !withEmbedding {
		v.Embedding = nil
	}
	return v
}

// printMemory shows one memory as a key/value list, or as JSON.
func (g *globals) printMemory(m store.Memory, withEmbedding bool) error {
	if g.JSON {
		return g.printJSON(viewMemory(m, withEmbedding))
	}
	tw := g.table()
	row(tw, "id", m.ID)
	row(tw, "type", m.NodeType)
	row(tw, "content", strings.ReplaceAll(m.Content, "\n", "\n\t"))
	row(tw, "tags", list(m.Tags))
	row(tw, "domains", list(m.Domains))
	if len(m.DomainScores) > 0 {
		row(tw, "domain scores", compactJSON(m.DomainScores))
	}
	row(tw, "metadata", compactJSON(m.Metadata))
	row(tw, "created", stamp(m.CreatedAt))
	row(tw, "updated", stamp(m.UpdatedAt))
	switch {
	case len(m.Embedding) == 0:
		row(tw, "embedding", "none")
	case withEmbedding:
		row(tw, "embedding", compactJSON(m.Embedding))
	default:
		row(tw, "embedding", fmt.Sprintf("%d dimensions", len(m.Embedding)))
	}
	return tw.Flush()
}
