package main

import (
	"reflect"
	"testing"

	"github.com/stretchr/testify/require"
)

// Every list flag is repeatable and never split (sep:"none"): kong splits at commas by
// default, and a comma is a legal character of a tag, domain id, node type or top term. A new
// list flag without the tag fails here rather than in a user's hands.
func TestListFlagsNeverSplit(t *testing.T) {
	var walk func(path string, typ reflect.Type) int
	walk = func(path string, typ reflect.Type) int {
		n := 0
		for i := range typ.NumField() {
			f := typ.Field(i)
			if !f.IsExported() || f.Tag.Get("kong") == "-" {
				continue
			}
			name := path + "." + f.Name
			switch {
			case f.Type.Kind() == reflect.Struct:
				n += walk(name, f.Type)
			case f.Type.Kind() == reflect.Slice:
				if _, positional := f.Tag.Lookup("arg"); positional {
					continue // positional words are never split by kong
				}
				require.Equal(t, "none", f.Tag.Get("sep"), "%s: a list flag must not split at commas", name)
				n++
			}
		}
		return n
	}
	require.Equal(t, 9, walk("cli", reflect.TypeOf(cli{})),
		"add --tag/--domain, update --tag/--domain, search --tag/--domain/--type, domains upsert --top-term, mcp --allow-origin")
}
