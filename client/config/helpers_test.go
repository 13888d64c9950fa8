package config

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// writeFile writes content to dir/name, creating parents, and returns the path.
func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
	require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
	return p
}

// envMap is a fake environment.
func envMap(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// resolveText resolves a config file holding text, with a fake home and an empty
// environment.
func resolveText(t *testing.T, text string) (Config, string, error) {
	t.Helper()
	dir := t.TempDir()
	path := writeFile(t, dir, "vestige.toml", text)
	cfg, _, err := Resolve(ResolveOptions{ConfigPath: path, Home: filepath.Join(dir, "home")})
	return cfg, path, err
}

// fieldKeys collects the keys of every FieldError in err's tree, in order.
func fieldKeys(err error) []string {
	var keys []string
	var walk func(error)
	walk = func(e error) {
		if e == nil {
			return
		}
		var fe *FieldError
		if errors.As(e, &fe) && fe == e {
			keys = append(keys, fe.Key)
			return
		}
		switch u := e.(type) {
		case interface{ Unwrap() []error }:
			for _, c := range u.Unwrap() {
				walk(c)
			}
		case interface{ Unwrap() error }:
			walk(u.Unwrap())
		}
	}
	walk(err)
	return keys
}
