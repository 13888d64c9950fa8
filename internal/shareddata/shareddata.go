// Package shareddata finds the project's shared test data (../shared/testdata beside the
// checkout) from any package's test, wherever `go test` runs it.
package shareddata

import (
	"os"
	"path/filepath"
	"testing"
)

// Path returns the absolute path of rel inside shared/testdata. It walks up from the working
// directory (a package folder during `go test`) until it finds a shared/testdata folder, so it
// works from the repository, from a clean clone with shared/ beside it, and from CI. A missing
// folder fails the test: the data is part of the contract, never optional.
func Path(t testing.TB, rel string) string {
	t.Helper()
	if dir := os.Getenv("VESTIGE_TESTDATA"); dir != "" {
		return filepath.Join(dir, rel)
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatalf("shareddata: %v", err)
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		candidate := filepath.Join(dir, "shared", "testdata")
		if st, err := os.Stat(candidate); err == nil && st.IsDir() {
			return filepath.Join(candidate, rel)
		}
		if filepath.Dir(dir) == dir {
			break
		}
	}
	t.Fatalf("shareddata: no shared/testdata folder above %s (set VESTIGE_TESTDATA to its path)", wd)
	return ""
}
