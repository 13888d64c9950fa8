// Package vestigebin builds the vestige binary once for a test package that runs it as a
// user would (tests/cli, tests/pooler, …), and runs it.
package vestigebin

import (
	"bytes"
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

// Run runs cmd (which must start) to its end and returns its exit status and output.
func Run(t testing.TB, cmd *exec.Cmd) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode(), out.String(), errOut.String()
	}
	if err != nil {
		t.Fatalf("run %s: %v", cmd.Path, err)
	}
	return 0, out.String(), errOut.String()
}
