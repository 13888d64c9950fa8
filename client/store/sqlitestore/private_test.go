package sqlitestore_test

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vestige-mem/vestige/client/store"
	"github.com/vestige-mem/vestige/client/store/sqlitestore"
)

// Memories are personal: a new store's folder is 0700 and its database, WAL and shared-memory
// files are 0600, whatever SQLite's own default (0644) would have made them.
func TestNewStoreFilesArePrivate(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Unix permission bits")
	}
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "made", "by", "open")
	path := filepath.Join(dir, "vestige.db")
	s, err := sqlitestore.Open(ctx, path)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	// A write while the store is open: the -wal and -shm files exist until the last close.
	_, err = s.Insert(ctx, store.Memory{Content: "a private note"})
	require.NoError(t, err)

	made := filepath.Dir(filepath.Dir(dir)) // every folder Open made, not only the last
	want := map[string]fs.FileMode{
		made:              fs.ModeDir | 0o700,
		filepath.Dir(dir): fs.ModeDir | 0o700,
		dir:               fs.ModeDir | 0o700,
		path:              0o600,
		path + "-wal":     0o600,
		path + "-shm":     0o600,
	}
	for name, mode := range want {
		st, err := os.Stat(name)
		require.NoError(t, err)
		require.Equal(t, mode.String(), (st.Mode() & (fs.ModeDir | fs.ModePerm)).String(), name)
	}
}

// An existing database keeps the mode its owner gave it: vestige makes files private, it does
// not take a chmod back.
func TestExistingDatabaseKeepsItsMode(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Unix permission bits")
	}
	path := filepath.Join(t.TempDir(), "vestige.db")
	require.NoError(t, os.WriteFile(path, nil, 0o640))
	require.NoError(t, os.Chmod(path, 0o640)) // past the umask
	s, err := sqlitestore.Open(context.Background(), path)
	require.NoError(t, err)
	require.NoError(t, s.Close())
	st, err := os.Stat(path)
	require.NoError(t, err)
	require.Equal(t, fs.FileMode(0o640), st.Mode().Perm())
}
