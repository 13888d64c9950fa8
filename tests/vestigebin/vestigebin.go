// Package vestigebin builds the vestige binary once for a test package that runs it as a
// user would (tests/cli, tests/pooler).
package vestigebin

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Main builds cmd/vestige into a temporary folder, sets *binary to its path, runs the
// package's tests and removes the folder: call it from TestMain.
func Main(m *testing.M, binary *string) {
	dir, err := os.MkdirTemp("", "vestige-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	*binary = filepath.Join(dir, "vestige")
	build := exec.Command("go", "build", "-o", *binary, "github.com/vestige-mem/vestige/cmd/vestige")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build vestige:", err)
		_ = os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}
