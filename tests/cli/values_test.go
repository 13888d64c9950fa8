package cli_test

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// A list flag takes one value per use and never splits it: a tag, domain, node type or top
// term may contain a comma, and is made and filtered on as typed.
func TestListFlagsKeepCommas(t *testing.T) {
	forBoth(t, func(t *testing.T, e *env) {
		var m memoryJSON
		e.okJSON(&m, "add", "a note about commas in labels", "--tag", "a,b", "--tag", "c",
			"--domain", "x,y", "--domain", "z", "--type", "t,u")
		require.Equal(t, []string{"a,b", "c"}, m.Tags)
		require.Equal(t, []string{"x,y", "z"}, m.Domains)
		require.Equal(t, "t,u", m.NodeType)
		other := e.add("a note about commas in labels, tagged apart", "--tag", "a", "--tag", "b",
			"--domain", "x", "--domain", "y", "--type", "t")

		var res []searchResultJSON
		for _, filter := range [][]string{{"--tag", "a,b"}, {"--domain", "x,y"}, {"--type", "t,u"},
			{"-t", "t,u"}, {"--tag", "nothing", "--tag", "a,b"}} {
			e.okJSON(&res, append([]string{"search", "--mode", "fts", "commas labels"}, filter...)...)
			require.Equal(t, []string{m.ID}, ids(res), "search %v", filter)
		}
		for _, filter := range [][]string{{"--tag", "a"}, {"--domain", "x"}, {"--type", "t"}} {
			e.okJSON(&res, append([]string{"search", "--mode", "fts", "commas labels"}, filter...)...)
			require.Equal(t, []string{other}, ids(res), "search %v", filter)
		}

		e.okJSON(&m, "update", m.ID, "--tag", "d,e", "--domain", "w,v")
		require.Equal(t, []string{"d,e"}, m.Tags)
		require.Equal(t, []string{"w,v"}, m.Domains)

		var d domainJSON
		e.okJSON(&d, "domains", "upsert", "infra", "--top-term", "k,v", "--top-term", "w")
		require.Equal(t, []string{"k,v", "w"}, d.TopTerms)
	})
}

// The nil UUID is not an id: add refuses it rather than quietly making a new one.
func TestAddRefusesTheNilID(t *testing.T) {
	forBoth(t, func(t *testing.T, e *env) {
		for _, nilID := range []string{"00000000-0000-0000-0000-000000000000",
			"{00000000-0000-0000-0000-000000000000}", "urn:uuid:00000000-0000-0000-0000-000000000000"} {
			e.fails(2, []string{"add", "x", "--id", nilID}, "--id", "nil UUID", "not a valid memory id")
		}
		var stats struct {
			Memories int `json:"memories"`
		}
		e.okJSON(&stats, "stats")
		require.Zero(t, stats.Memories, "nothing was added")
	})
}
