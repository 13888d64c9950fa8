package pgstore

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vestige-mem/vestige/client/store"
)

func TestVersionBelow(t *testing.T) {
	for _, c := range []struct {
		v, least string
		below    bool
	}{
		{"0.8.0", "0.8.3", true},
		{"0.8.2", "0.8.3", true},
		{"0.8.3", "0.8.3", false},
		{"0.8.7", "0.8.3", false},
		{"0.8.10", "0.8.3", false}, // numbers, not text
		{"0.9", "0.8.3", false},
		{"1.0.0", "0.8.3", false},
		{"0.7.4", "0.8.3", true},
		{"0.8", "0.8.3", true},
		{"0.8.3-dev", "0.8.3", false}, // a suffix is not a smaller number
		{"", "0.8.3", true},
		{"dev", "0.8.3", true},
	} {
		require.Equal(t, c.below, VersionBelow(c.v, c.least), "%q below %q", c.v, c.least)
	}
}

// TestJudge holds the health verdict to what it read: every problem degrades, and each
// one is named with what to do.
func TestJudge(t *testing.T) {
	current := SchemaStatus{Version: 2, Latest: 2, FunctionsHash: "h", WantFunctionsHash: "h"}
	fixed := store.PgvectorHealth{Extension: "0.8.7", Library: "0.8.7", Minimum: MinPgvector}
	for _, c := range []struct {
		name    string
		f       serverFacts
		status  store.HealthStatus
		reasons []string
	}{
		{"all current", serverFacts{Version: "15.20", VersionNum: 150020, Pgvector: fixed, Schema: current},
			store.Healthy, nil},
		{"extension lags a fixed library", serverFacts{Version: "15.20", VersionNum: 150020,
			Pgvector: store.PgvectorHealth{Extension: "0.8.0", Library: "0.8.7", Minimum: MinPgvector}, Schema: current},
			store.Healthy, nil},
		{"library without the vacuum fix", serverFacts{Version: "15.20", VersionNum: 150020,
			Pgvector: store.PgvectorHealth{Extension: "0.8.0", Library: "0.8.0", Minimum: MinPgvector}, Schema: current},
			store.Degraded, []string{"pgvector 0.8.0 is older than 0.8.3", "HNSW index corruption during vacuum", "ALTER EXTENSION vector UPDATE"}},
		{"no pgvector", serverFacts{Version: "15.20", VersionNum: 150020,
			Pgvector: store.PgvectorHealth{Minimum: MinPgvector}, Schema: SchemaStatus{Latest: 2}},
			store.Degraded, []string{"pgvector is not installed", "schema version 0 is behind 2"}},
		{"old server", serverFacts{Version: "14.9", VersionNum: 140009, Pgvector: fixed, Schema: current},
			store.Degraded, []string{"PostgreSQL 14.9 is older than 15"}},
		{"stale API", serverFacts{Version: "15.20", VersionNum: 150020, Pgvector: fixed,
			Schema: SchemaStatus{Version: 2, Latest: 2, FunctionsHash: "old", WantFunctionsHash: "h"}},
			store.Degraded, []string{"SQL functions are stale: run `vestige schema up`"}},
		{"newer schema", serverFacts{Version: "15.20", VersionNum: 150020, Pgvector: fixed,
			Schema: SchemaStatus{Version: 3, Latest: 2, FunctionsHash: "h", WantFunctionsHash: "h"}},
			store.Degraded, []string{"schema version 3 is newer than this vestige (2)"}},
		{"old pgvector and stale API", serverFacts{Version: "15.20", VersionNum: 150020,
			Pgvector: store.PgvectorHealth{Extension: "0.8.0", Library: "0.8.2", Minimum: MinPgvector},
			Schema:   SchemaStatus{Version: 2, Latest: 2, WantFunctionsHash: "h"}},
			store.Degraded, []string{"pgvector 0.8.2 is older", "; SQL functions are not installed"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := judge(c.f)
			require.Equal(t, c.status, h.Status, h.Reason)
			if c.reasons == nil {
				require.Empty(t, h.Reason)
			}
			for _, r := range c.reasons {
				require.Contains(t, h.Reason, r)
			}
			require.Equal(t, "PostgreSQL "+c.f.Version, h.Server)
			require.Equal(t, c.f.Pgvector, *h.Pgvector)
			require.Equal(t, c.f.Schema.FunctionsState(), h.Schema.Functions)
		})
	}
}
