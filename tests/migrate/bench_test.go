package migrate_test

import (
	"bytes"
	"context"
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
			rep := m.measure(b, pgURL, "migrate", "copy", "--from", "sqlite", "--to", "postgres", "--postgres-url", pgURL, "--json")
			b.ReportMetric(rep["memories_per_second"].(float64), "memories/s")
			b.ReportMetric(rep["index_seconds"].(float64), "index_s")
		}
	})
	b.Run("copy_postgres_to_sqlite", func(b *testing.B) {
		for range b.N {
			litePath := filepath.Join(b.TempDir(), "copy.db")
			rep := m.measure(b, pgURL, "migrate", "copy", "--from", "postgres", "--to", "sqlite", "--postgres-url", pgURL,
				"--sqlite-path", litePath, "--json")
			b.ReportMetric(rep["memories_per_second"].(float64), "memories/s")
		}
	})
	b.Run("reembed_postgres_768_to_1024", func(b *testing.B) {
		for range b.N {
			url := testdb.New(b)
			m.ok("migrate", "copy", "--from", "sqlite", "--to", "postgres", "--postgres-url", url)
			rep := m.measure(b, url, "--postgres-url", url, "migrate", "reembed", "--model", "hash-1024", "--yes", "--json")
			b.ReportMetric(rep["memories_per_second"].(float64), "memories/s")
			b.ReportMetric(rep["index_seconds"].(float64), "index_s")
			b.ReportMetric(rep["switch_seconds"].(float64), "switch_s")
		}
	})
	b.Run("reembed_sqlite_768_to_1024", func(b *testing.B) {
		for range b.N {
			lite := newMachine(b, "hash-768")
			lite.fillSQLite(transfertest.PlanShape, 768)
			rep := lite.measure(b, "", "migrate", "reembed", "--model", "hash-1024", "--yes", "--json")
			b.ReportMetric(rep["memories_per_second"].(float64), "memories/s")
			b.ReportMetric(rep["switch_seconds"].(float64), "switch_s")
		}
	})
}

// measure runs the command (timed outside the benchmark clock's setup), parses its --json
// report and reports the process's peak resident memory and CPU time, and (pgURL set) the
// CPU time of its Postgres backends: on a machine shared with other work the wall-clock
// rates drop, the CPU per memory does not.
func (m *machine) measure(b *testing.B, pgURL string, args ...string) map[string]any {
	b.Helper()
	cmd := m.command(nil, args...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	stop := make(chan struct{})
	serverCPU := make(chan [2]time.Duration, 1)
	if pgURL != "" {
		go func() { serverCPU <- backendCPU(b, pgURL, stop) }()
	} else {
		serverCPU <- [2]time.Duration{}
	}
	b.ResetTimer()
	start := time.Now()
	err := cmd.Run()
	b.StopTimer()
	close(stop)
	server := <-serverCPU
	b.ReportMetric(server[0].Seconds(), "server_cpu_s")
	b.ReportMetric(server[1].Seconds(), "server_cpu_before_index_s")
	require.NoError(b, err, "stderr: %s", errOut.String())
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	b.ReportMetric(float64(ru.Maxrss)/1024, "peak_MB")
	b.ReportMetric(time.Since(start).Seconds(), "wall_s")
	b.ReportMetric(time.Duration(ru.Utime.Nano()+ru.Stime.Nano()).Seconds(), "cpu_s")
	var rep map[string]any
	require.NoError(b, json.Unmarshal(out.Bytes(), &rep), out.String())
	return rep
}

// backendCPU polls the CPU time of the database's vestige backends (user + system, from
// /proc; the server runs on this machine) until stop, and returns their sum, and the sum
// when a build (a CREATE INDEX, or the full-text postings' rebuild after a copy) was first
// seen running (the rows' share; the total if none was).
func backendCPU(b *testing.B, url string, stop <-chan struct{}) [2]time.Duration {
	conn := testdb.Conn(b, url)
	var db string
	require.NoError(b, conn.QueryRow(context.Background(), `SELECT current_database()`).Scan(&db))
	seen := map[int]time.Duration{}
	sum := func() time.Duration {
		var s time.Duration
		for _, d := range seen {
			s += d
		}
		return s
	}
	var beforeIndex time.Duration
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		rows, err := conn.Query(context.Background(), `SELECT pid, query ILIKE 'CREATE INDEX%' OR query ILIKE 'LOCK TABLE memories IN SHARE MODE%'
			    OR query ILIKE 'SELECT memory_terms_rebuild()%' FROM pg_stat_activity
			WHERE datname = $1 AND application_name = 'vestige'`, db)
		if err == nil {
			indexing := false
			for rows.Next() {
				var pid int
				var building bool
				if rows.Scan(&pid, &building) == nil {
					indexing = indexing || building
					if d, ok := testdb.ProcessCPU(pid); ok && d > seen[pid] && !(building && beforeIndex == 0) {
						seen[pid] = d
					}
				}
			}
			rows.Close()
			if indexing && beforeIndex == 0 {
				beforeIndex = sum()
			}
		}
		select {
		case <-stop:
			if beforeIndex == 0 {
				beforeIndex = sum()
			}
			return [2]time.Duration{sum(), beforeIndex}
		case <-tick.C:
		}
	}
}
