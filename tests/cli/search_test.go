package cli_test

import (
	"testing"

	"github.com/stretchr/testify/require"
)

type searchResultJSON struct {
	Memory      memoryJSON `json:"memory"`
	RRFScore    float64    `json:"rrf_score"`
	FTSScore    *float64   `json:"fts_score"`
	VectorScore *float64   `json:"vector_score"`
	FTSRank     *int       `json:"fts_rank"`
	VectorRank  *int       `json:"vector_rank"`
}

func ids(rs []searchResultJSON) []string {
	out := []string{}
	for _, r := range rs {
		out = append(out, r.Memory.ID)
	}
	return out
}

func TestSearchCommand(t *testing.T) {
	forBoth(t, func(t *testing.T, e *env) {
		pool := e.add("The Postgres connection pool is limited to 10 connections", "--type", "fact",
			"--tag", "db", "--domain", "infra")
		replica := e.add("Postgres read replicas lag by up to 5 seconds", "--type", "observation",
			"--tag", "db", "--domain", "infra")
		tea := e.add("Alice prefers green tea", "--type", "preference", "--tag", "people", "--domain", "team")
		e.add("Gardening tips: water tomatoes in the morning")

		var res []searchResultJSON
		for _, mode := range []string{"hybrid", "fts", "vector"} {
			e.okJSON(&res, "search", "--mode", mode, "postgres connection pool")
			require.NotEmpty(t, res, mode)
			require.Equal(t, pool, res[0].Memory.ID, mode)
			require.Nil(t, res[0].Memory.Embedding, "results carry no embedding")
			switch mode {
			case "fts":
				require.Nil(t, res[0].VectorRank)
			case "vector":
				require.Nil(t, res[0].FTSRank)
				require.NotNil(t, res[0].VectorScore)
			default:
				require.Equal(t, 1, *res[0].FTSRank)
			}
		}

		e.okJSON(&res, "search", "-k", "1", "postgres")
		require.Len(t, res, 1)
		e.okJSON(&res, "search", "--limit", "2", "postgres")
		require.Len(t, res, 2)
		e.okJSON(&res, "search", "--type", "observation", "postgres")
		require.Equal(t, []string{replica}, ids(res))
		e.okJSON(&res, "search", "--tag", "people", "--mode", "vector", "postgres")
		require.Equal(t, []string{tea}, ids(res))
		e.okJSON(&res, "search", "--domain", "team", "--domain", "nowhere", "tea")
		require.Equal(t, []string{tea}, ids(res))
		e.okJSON(&res, "search", "--min-retrievability", "0.5", "--mode", "fts", "tea")
		require.Equal(t, []string{tea}, ids(res), "new memories count as retrievability 1")
		e.okJSON(&res, "search", "--mode", "fts", "zebra")
		require.Empty(t, res)
		require.NotNil(t, res, "an empty list, not null")

		out := e.ok("search", "--mode", "fts", "zebra")
		require.Equal(t, "no memories found\n", out)
		out = e.ok("search", "tea")
		rows := lines(out)
		require.Equal(t, []string{"#", "SCORE", "FTS", "VECTOR", "ID", "TYPE", "CONTENT"}, fields(rows[0])[:7])
		require.Contains(t, rows[1], tea)
		require.Contains(t, rows[1], "Alice prefers green tea")

		// Hostile text is searched, never an error.
		e.ok("search", `'; DROP TABLE memories; -- "quotes" & (parens) | !`)
		e.ok("search", "--mode", "fts", "!!!")

		e.fails(2, []string{"search", "--mode", "semantic", "x"}, "--mode must be one of")
		e.fails(2, []string{"search", "-k", "0", "x"}, "-k 0")
		e.fails(2, []string{"search", "--min-retrievability", "1.5", "x"}, "--min-retrievability")
		e.fails(2, []string{"search"}, "expected")
		e.fails(1, []string{"search", "--mode", "vector", "!!!"}, "empty query")
	})
}

func fields(s string) []string {
	var out []string
	cur := ""
	for _, r := range s + " " {
		if r == ' ' {
			if cur != "" {
				out = append(out, cur)
			}
			cur = ""
			continue
		}
		cur += string(r)
	}
	return out
}
