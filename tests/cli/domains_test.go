package cli_test

import (
	"testing"

	"github.com/stretchr/testify/require"
)

type domainJSON struct {
	ID                string         `json:"id"`
	Label             string         `json:"label"`
	Centroid          []float32      `json:"centroid"`
	TopTerms          []string       `json:"top_terms"`
	MemoryCount       int            `json:"memory_count"`
	CreatedAt         string         `json:"created_at"`
	Metadata          map[string]any `json:"metadata"`
	CentroidDimension int            `json:"centroid_dimension"`
}

func TestDomainsAndClassify(t *testing.T) {
	forBoth(t, func(t *testing.T, e *env) {
		require.Equal(t, "no domains\n", e.ok("domains"))
		var ds []domainJSON
		e.okJSON(&ds, "domains", "list")
		require.Empty(t, ds)
		require.NotNil(t, ds)

		var d domainJSON
		e.okJSON(&d, "domains", "upsert", "infra", "--label", "Infrastructure",
			"--centroid-text", "postgres database servers connections deploy", "--top-term", "postgres",
			"--top-term", "deploy", "--memory-count", "3", "--metadata", `{"owner":"ops"}`)
		require.Equal(t, "infra", d.ID)
		require.Equal(t, "Infrastructure", d.Label)
		require.Nil(t, d.Centroid, "the centroid's numbers are not printed")
		require.Equal(t, 384, d.CentroidDimension)
		require.Equal(t, []string{"postgres", "deploy"}, d.TopTerms)
		out := e.ok("domains", "upsert", "people", "--centroid-text", "alice bob team tea coffee")
		require.Contains(t, out, "label      people", "the label defaults to the id")
		// Upsert changes only the fields given.
		e.okJSON(&d, "domains", "upsert", "infra", "--label", "Infra")
		require.Equal(t, 384, d.CentroidDimension)
		require.Equal(t, 3, d.MemoryCount)
		require.Equal(t, map[string]any{"owner": "ops"}, d.Metadata)
		e.ok("domains", "upsert", "empty")

		out = e.ok("domains", "list")
		rows := lines(out)
		require.Len(t, rows, 4)
		require.Equal(t, []string{"ID", "LABEL", "MEMORIES", "CENTROID", "TOP", "TERMS", "CREATED"}, fields(rows[0]))
		require.Contains(t, rows[1], "empty")
		require.Contains(t, rows[2], "Infra")
		out = e.ok("domains", "get", "infra")
		require.Contains(t, out, "centroid   384 dimensions")
		e.okJSON(&d, "domains", "get", "people")
		require.Equal(t, "people", d.ID)

		var cls []struct {
			DomainID   string  `json:"domain_id"`
			Similarity float64 `json:"similarity"`
		}
		e.okJSON(&cls, "classify", "which", "postgres", "server", "handles", "connections")
		require.Len(t, cls, 2, "only domains with a centroid")
		require.Equal(t, "infra", cls[0].DomainID)
		out = e.ok("classify", "tea with alice")
		require.Equal(t, []string{"DOMAIN", "SIMILARITY"}, fields(lines(out)[0]))
		require.Contains(t, lines(out)[1], "people")

		require.Equal(t, "deleted domain people\n", e.ok("domains", "delete", "people"))
		var del map[string]string
		e.okJSON(&del, "domains", "delete", "empty")
		require.Equal(t, "empty", del["deleted"])
		e.fails(1, []string{"domains", "get", "people"}, "not found")
		e.fails(1, []string{"domains", "delete", "people"}, "not found")
		e.fails(2, []string{"domains", "upsert", "x", "--metadata", "nope"}, "--metadata")
	})
}
