package cli_test

import (
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestExportToSpecialFiles: `export -o` writes a regular file under a temporary name and
// renames it into place, but a path that is not a regular file must be written, not
// replaced: renaming over /dev/null (a FIFO here, so that a failure cannot break the
// machine) turned the device into a plain file for every process; over a symlink it
// replaced the link instead of writing the file it points to.
func TestExportToSpecialFiles(t *testing.T) {
	forBoth(t, func(t *testing.T, e *env) {
		e.add("exported through a pipe")
		want := e.ok("export")

		t.Run("fifo", func(t *testing.T) {
			fifo := filepath.Join(t.TempDir(), "pipe")
			require.NoError(t, syscall.Mkfifo(fifo, 0o600))
			got := make(chan []byte, 1)
			go func() {
				f, err := os.Open(fifo)
				if err != nil {
					got <- nil
					return
				}
				defer f.Close()
				b, _ := io.ReadAll(f)
				got <- b
			}()
			e.ok("export", "-o", fifo)
			fi, err := os.Lstat(fifo)
			require.NoError(t, err)
			require.Equal(t, os.ModeNamedPipe, fi.Mode().Type(), "the FIFO is still a FIFO")
			select {
			case b := <-got:
				require.Equal(t, want, string(b), "the records went through the pipe")
			case <-time.After(30 * time.Second):
				t.Fatal("nothing came through the pipe")
			}
		})

		t.Run("symlink", func(t *testing.T) {
			dir := t.TempDir()
			target := filepath.Join(dir, "real.jsonl")
			require.NoError(t, os.WriteFile(target, []byte("old\n"), 0o600))
			link := filepath.Join(dir, "link.jsonl")
			require.NoError(t, os.Symlink(target, link))
			e.ok("export", "-o", link)
			fi, err := os.Lstat(link)
			require.NoError(t, err)
			require.Equal(t, os.ModeSymlink, fi.Mode().Type(), "the link is still a link")
			b, err := os.ReadFile(target)
			require.NoError(t, err)
			require.Equal(t, want, string(b), "the file it points to holds the export")
		})
	})
}
