package migrate_test

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vestige-mem/vestige/client/transfer/transfertest"
	"github.com/vestige-mem/vestige/tests/testdb"
)

// BenchmarkMigrate measures the built CLI on the plan's corpus (10,000 memories of 768-d
// hash vectors, 4,000 scheduling rows, 2,000 edges): copy SQLite → an empty Postgres,
// Postgres → a new SQLite file, and re-embed 768 → 1024 on each backend. It reports the
// rates the commands print (rows only, index build apart), the index build, and the peak
// resident memory of the vestige process. Run:
//
//	go test ./tests/migrate -run '^$' -bench BenchmarkMigrate -benchtime 1x
func BenchmarkMigrate(b *testing.B) {
	m := newMachine(b, "hash-768")
	m.fillSQLite(transfertest.PlanShape, 768)
	pgURL := testdb.New(b) // the parent's: the reverse copy reads it
	b.Run("copy_sqlite_to_postgres", func(b *testing.B) {
		for range b.N {
			rep := m.measure(b, "migrate", "copy", "--from", "sqlite", "--to", "postgres", "--postgres-url", pgURL, "--json")
			b.ReportMetric(rep["memories_per_second"].(float64), "memories/s")
			b.ReportMetric(rep["index_seconds"].(float64), "index_s")
		}
	})
	b.Run("copy_postgres_to_sqlite", func(b *testing.B) {
		for range b.N {
			litePath := filepath.Join(b.TempDir(), "copy.db")
			rep := m.measure(b, "migrate", "copy", "--from", "postgres", "--to", "sqlite", "--postgres-url", pgURL,
				"--sqlite-path", litePath, "--json")
			b.ReportMetric(rep["memories_per_second"].(float64), "memories/s")
		}
	})
	b.Run("reembed_postgres_768_to_1024", func(b *testing.B) {
		for range b.N {
			url := testdb.New(b)
			m.ok("migrate", "copy", "--from", "sqlite", "--to", "postgres", "--postgres-url", url)
			rep := m.measure(b, "--postgres-url", url, "migrate", "reembed", "--model", "hash-1024", "--yes", "--json")
			b.ReportMetric(rep["memories_per_second"].(float64), "memories/s")
			b.ReportMetric(rep["index_seconds"].(float64), "index_s")
			b.ReportMetric(rep["switch_seconds"].(float64), "switch_s")
		}
	})
	b.Run("reembed_sqlite_768_to_1024", func(b *testing.B) {
		for range b.N {
			lite := newMachine(b, "hash-768")
			lite.fillSQLite(transfertest.PlanShape, 768)
			rep := lite.measure(b, "migrate", "reembed", "--model", "hash-1024", "--yes", "--json")
			b.ReportMetric(rep["memories_per_second"].(float64), "memories/s")
			b.ReportMetric(rep["switch_seconds"].(float64), "switch_s")
		}
	})
}

// measure runs the command (timed outside the benchmark clock's setup), parses its --json
// report and reports the process's peak resident memory.
func (m *machine) measure(b *testing.B, args ...string) map[string]any {
	b.Helper()
	cmd := m.command(nil, args...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	b.ResetTimer()
	start := time.Now()
	err := cmd.Run()
	b.StopTimer()
	require.NoError(b, err, "stderr: %s", errOut.String())
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	b.ReportMetric(float64(ru.Maxrss)/1024, "peak_MB")
	b.ReportMetric(time.Since(start).Seconds(), "wall_s")
	b.ReportMetric(time.Duration(ru.Utime.Nano()+ru.Stime.Nano()).Seconds(), "cpu_s")
	var rep map[string]any
	require.NoError(b, json.Unmarshal(out.Bytes(), &rep), out.String())
	return rep
}
