package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// Metadata comes back exactly as it went in (integers past 2^53 included), through add, get,
// export and import; what cannot be kept is refused with the reason.
func TestMetadataExact(t *testing.T) {
	forBoth(t, func(t *testing.T, e *env) {
		id := e.add("a note with big numbers", "--metadata", `{"n":9007199254740993,"neg":-12345678901234567890123,"x":1.50}`)
		out := e.ok("--json", "get", id)
		require.Contains(t, out, `"n": 9007199254740993`)
		require.Contains(t, out, `"neg": -12345678901234567890123`)
		require.Contains(t, out, `"x": 1.50`)

		dump := e.ok("export")
		require.Contains(t, dump, `"n":9007199254740993`)
		f := filepath.Join(t.TempDir(), "dump.jsonl")
		require.NoError(t, os.WriteFile(f, []byte(dump), 0o600))
		e2 := sqliteEnv(t)
		e2.ok("import", f)
		require.Contains(t, e2.ok("--json", "get", id), `"n": 9007199254740993`)

		e.fails(2, []string{"add", "x", "--metadata", `{"g":1e400}`}, "--metadata", "number 1e400 is out of range")
		e.fails(2, []string{"add", "x", "--metadata", `{"s":"\ud83d"}`}, "--metadata", "lone UTF-16 surrogate", `\ud83d`)
		e.fails(2, []string{"add", "x", "--metadata", `[1]`}, "--metadata", "must be a JSON object, not an array")
		deep := strings.Repeat(`{"a":`, 1001) + "1" + strings.Repeat("}", 1001)
		e.fails(2, []string{"add", "x", "--metadata", deep}, "--metadata", "nested more than 32 levels")
		e.fails(2, []string{"add", "x", "--type", strings.Repeat("q", 2700)}, "node_type", "2700 bytes, more than the 256 allowed")
	})
}

// An import names a row given twice with both its lines; a lone surrogate in a dump is
// refused, not turned into U+FFFD.
func TestImportRefusesDuplicatesAndSurrogates(t *testing.T) {
	forBoth(t, func(t *testing.T, e *env) {
		mem := `{"type":"memory","id":"0190a1b2-0000-7000-8000-00000000000a","content":"%s","node_type":"general","tags":[],"domains":[],"domain_scores":{},"metadata":{},"created_at":"2024-05-01T10:00:00Z","updated_at":"2024-05-01T10:00:00Z"}`
		dir := t.TempDir()
		dup := filepath.Join(dir, "dup.jsonl")
		body := strings.Replace(mem, "%s", "first", 1) + "\n" +
			`{"type":"memory","id":"0190a1b2-0000-7000-8000-00000000000b","content":"other","node_type":"general","tags":[],"domains":[],"domain_scores":{},"metadata":{},"created_at":"2024-05-01T10:00:00Z","updated_at":"2024-05-01T10:00:00Z"}` + "\n" +
			strings.Replace(mem, "%s", "second", 1) + "\n"
		require.NoError(t, os.WriteFile(dup, []byte(body), 0o600))
		e.fails(1, []string{"import", dup}, "line 3", "memory 0190a1b2-0000-7000-8000-00000000000a", "already given on line 1")

		sur := filepath.Join(dir, "surrogate.jsonl")
		require.NoError(t, os.WriteFile(sur, []byte(strings.Replace(mem, "%s", `bad \ud83d here`, 1)+"\n"), 0o600))
		e.fails(1, []string{"import", sur}, "line 1", "lone UTF-16 surrogate")

		nilID := filepath.Join(dir, "nil.jsonl")
		require.NoError(t, os.WriteFile(nilID, []byte(strings.Replace(strings.Replace(mem, "%s", "x", 1),
			"0190a1b2-0000-7000-8000-00000000000a", "00000000-0000-0000-0000-000000000000", 1)+"\n"), 0o600))
		e.fails(1, []string{"import", nilID}, "line 1", "nil UUID")
	})
}
