package cli_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

type edgeJSON struct {
	SourceID  string  `json:"source_id"`
	TargetID  string  `json:"target_id"`
	EdgeType  string  `json:"edge_type"`
	Weight    float64 `json:"weight"`
	CreatedAt string  `json:"created_at"`
}

type neighborJSON struct {
	Memory     memoryJSON `json:"memory"`
	Activation float64    `json:"activation"`
	Hops       int        `json:"hops"`
}

func TestGraphCommands(t *testing.T) {
	forBoth(t, func(t *testing.T, e *env) {
		a := e.add("node a")
		b := e.add("node b")
		c := e.add("node c")

		out := e.ok("link", a, b)
		require.Equal(t, "linked "+a+" -[related 1]-> "+b+"\n", out)
		var edge edgeJSON
		e.okJSON(&edge, "link", b, c, "--type", "causes", "--weight", "0.5")
		require.Equal(t, edgeJSON{SourceID: b, TargetID: c, EdgeType: "causes", Weight: 0.5, CreatedAt: edge.CreatedAt}, edge)
		require.True(t, strings.HasSuffix(edge.CreatedAt, "Z"))

		var edges []edgeJSON
		e.okJSON(&edges, "edges", b)
		require.Len(t, edges, 2)
		e.okJSON(&edges, "edges", b, "--type", "causes")
		require.Len(t, edges, 1)
		out = e.ok("edges", b)
		rows := lines(out)
		require.Len(t, rows, 3)
		require.Equal(t, []string{"SOURCE", "TARGET", "TYPE", "WEIGHT", "CREATED"}, fields(rows[0]))

		var ns []neighborJSON
		e.okJSON(&ns, "neighbors", a, "--depth", "2")
		require.Len(t, ns, 3)
		require.Equal(t, a, ns[0].Memory.ID)
		require.Equal(t, 0, ns[0].Hops)
		require.Equal(t, c, ns[2].Memory.ID)
		require.InDelta(t, 0.5*0.7*0.7, ns[2].Activation, 1e-9)
		e.okJSON(&ns, "neighbors", a, "--depth", "1")
		require.Len(t, ns, 2)
		out = e.ok("neighbors", a)
		require.Equal(t, []string{"HOPS", "ACTIVATION", "ID", "TYPE", "CONTENT"}, fields(lines(out)[0]))

		out = e.ok("unlink", a, b)
		require.Equal(t, "unlinked "+a+" -[related]-> "+b+"\n", out)
		var removed map[string]edgeJSON
		e.okJSON(&removed, "unlink", b, c, "--type", "causes")
		require.Equal(t, c, removed["removed"].TargetID)
		require.Equal(t, "no edges\n", e.ok("edges", a))

		missing := "0190a1b2-0000-7000-8000-0000000000ff"
		e.fails(1, []string{"unlink", a, b}, "not found")
		e.fails(1, []string{"link", a, missing}, "not found")
		e.fails(2, []string{"link", a, b, "--weight", "2"}, "--weight 2 is outside [0, 1]")
		e.fails(2, []string{"link", a, a}, "same memory")
		e.fails(2, []string{"link", a, "b"}, `target "b" is not a memory id`)
		e.fails(2, []string{"neighbors", a, "--depth", "11"}, "--depth 11")
	})
}
