package main

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// kong turns invalid UTF-8 in an argument into U+FFFD; the CLI must refuse such an argument
// (as the store refuses invalid UTF-8 read from standard input), never store it changed.
func TestInvalidUTF8ArgumentsRefused(t *testing.T) {
	cases := []struct {
		name string
		args []string
		pos  string
	}{
		{"content", []string{"add", "c\xffd"}, "argument 2 "},
		{"tag", []string{"add", "--tag", "t\xff", "x"}, "argument 3 "},
		{"metadata string", []string{"add", "--metadata", "{\"a\":\"\xff\"}", "x"}, "argument 3 "},
		{"url with a password", []string{"--postgres-url", "postgres://u:s3cr3t\xff@127.0.0.1:1/x", "stats"}, "argument 2 "},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			home := isolate(t)
			code, out, errOut := vestige(t, tc.args...)
			require.Equal(t, 2, code, "stdout %q stderr %q", out, errOut)
			require.Contains(t, errOut, tc.pos+"is not valid UTF-8")
			require.NotContains(t, errOut, "s3cr3t")
			require.NoDirExists(t, home+"/.vestige", "nothing may be written")
		})
	}
}

// Query text is never refused (docs/value-rules.md): its invalid bytes become spaces.
func TestInvalidUTF8QueryTextSearched(t *testing.T) {
	isolate(t)
	code, _, errOut := vestige(t, "add", "kubernetes ingress")
	require.Equal(t, 0, code, errOut)
	code, out, errOut := vestige(t, "search", "--mode", "fts", "ingress\xfe\xffkubernetes")
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "kubernetes ingress")
}
