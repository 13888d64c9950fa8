package pgstore_test

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vestige-mem/vestige/client/store/pgstore"
)

var update = flag.Bool("update", false, "rewrite sql/functions/install.sql")

// TestInstallSQLIsCurrent holds install.sql (the tern code package's entry point, which
// records the API version and hash) to the files beside it and to APIVersion: a changed
// function without a new API version would let two binaries reinstall their own in turn.
func TestInstallSQLIsCurrent(t *testing.T) {
	path := filepath.Join("..", "..", "..", "sql", "functions", pgstore.InstallFile)
	hash, err := pgstore.FunctionsHash()
	require.NoError(t, err)
	want, err := pgstore.GenerateInstallSQL(pgstore.APIVersion, hash)
	require.NoError(t, err)
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(want), 0o644))
	}
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	if string(got) == want {
		return
	}
	m := regexp.MustCompile(`'vestige.install_api_version', '(\d+)'`).FindSubmatch(got)
	require.NotNil(t, m, "install.sql records no API version")
	recorded, _ := strconv.Atoi(string(m[1]))
	if recorded == pgstore.APIVersion {
		t.Fatalf("sql/functions changed but pgstore.APIVersion is still %d: bump it, then run "+
			"go test ./client/store/pgstore -run TestInstallSQLIsCurrent -update", recorded)
	}
	t.Fatalf("install.sql is stale (it records API version %d, the binary has %d): run "+
		"go test ./client/store/pgstore -run TestInstallSQLIsCurrent -update", recorded, pgstore.APIVersion)
}
