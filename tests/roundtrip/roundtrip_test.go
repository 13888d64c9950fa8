// Package roundtrip_test moves a store holding hostile but valid values SQLite → Postgres →
// SQLite by dump and load (what `vestige export` and `vestige import` do) and holds the
// exports to byte equality: whatever one backend accepts, the other keeps exactly.
package roundtrip_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/vestige-mem/vestige/client/store"
	"github.com/vestige-mem/vestige/client/store/pgstore"
	"github.com/vestige-mem/vestige/client/store/sqlitestore"
	"github.com/vestige-mem/vestige/tests/testdb"
)

// planes holds a character of every Unicode plane in use and of the ranges that break naive
// code: combining marks, right-to-left text, a ZWJ emoji, the line separators JSON encoders
// escape, and characters HTML escaping would rewrite.
const planes = "aé中𐍈🀄𠀀𰀀\U000E0001\U000F0000\U0010FFFDa\u0301א👩\u200d💻\u2028\u2029<>&"

func nested(depth int) map[string]any {
	m := map[string]any{"leaf": json.Number("-0.000")}
	for i := 1; i < depth; i++ {
		m = map[string]any{"n" + strings.Repeat("é", i%3): m}
	}
	return m
}

// label is prefix padded to the label limit (256 bytes, or 255 when an odd byte is left).
func label(prefix string) string {
	return prefix + strings.Repeat("ü", (store.MaxLabelBytes-len(prefix))/2)
}

func labels(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = label(fmt.Sprintf("%c%03d-", 'A'+i%26, i))
	}
	return out
}

// fill writes hostile values at the limits through the Store API, and reviews some.
func fill(t *testing.T, s store.Store) {
	ctx := context.Background()
	sig := store.ModelSignature{Name: label("model-"), Dimension: 8, Hash: "h" + planes}
	require.NoError(t, s.EnsureModel(ctx, sig))
	t0 := time.Date(2024, 2, 29, 23, 59, 59, 999999000, time.UTC)
	var ids []uuid.UUID
	for i := range 6 {
		content := strings.Repeat(planes+" word ", 10)
		if i == 0 {
			content = strings.Repeat(planes, store.MaxContentBytes/len(planes))
		}
		emb := make([]float32, 8)
		emb[i] = 1e-6 * float32(i+2)
		emb[(i+1)%8] = -3.4e2
		m, err := s.Insert(ctx, store.Memory{
			ID: uuid.New(), Content: content, NodeType: label("type-"),
			Tags: labels(store.MaxLabels), Domains: []string{planes, "a,b", label("d")},
			DomainScores: map[string]float64{planes: 1e-300, "big": 1.7976931348623157e308, "x": 0.1},
			Embedding:    emb,
			Metadata: map[string]any{
				"int":   json.Number("9007199254740993"),
				"huge":  json.Number("-123456789012345678901234567890123456789"),
				"sci":   json.Number("6.02214076e23"),
				"tiny":  json.Number("1e-300"),
				"max":   json.Number("1.7976931348623157e308"),
				"scale": json.Number("2.50"),
				"text":  planes + "\"\\\b\f\n\r\t\u0001\u007f",
				planes:  []any{nil, true, false, json.Number("0"), map[string]any{}},
				"deep":  nested(store.MaxMetadataDepth - 1),
			},
			CreatedAt: t0.Add(time.Duration(i) * time.Microsecond),
			UpdatedAt: t0.Add(time.Hour),
		})
		require.NoError(t, err)
		ids = append(ids, m.ID)
	}
	for i := 1; i < len(ids); i++ {
		_, err := s.AddEdge(ctx, store.Edge{SourceID: ids[0], TargetID: ids[i], EdgeType: label("e" + planes[:1]),
			Weight: 1 / float64(i+2), CreatedAt: t0.Add(time.Duration(i) * time.Second)})
		require.NoError(t, err)
	}
	_, err := s.UpsertDomain(ctx, store.Domain{ID: label("Ω"), Label: strings.Repeat("L", store.MaxDomainLabelBytes),
		Centroid: []float32{1e-6, 0, 0, 0, 0, 0, 0, 1e-6}, TopTerms: labels(store.MaxTopTerms),
		MemoryCount: 2147483647, Metadata: map[string]any{"n": json.Number("18446744073709551617")},
		CreatedAt: t0})
	require.NoError(t, err)
	// Reviews write scheduling rows and review events from the engine itself.
	at := t0.Add(2 * time.Hour)
	for i, rating := range []int{1, 3, 4, 2, 3} {
		_, err := s.Review(ctx, ids[i%2], rating, at.Add(time.Duration(i)*36*time.Hour))
		require.NoError(t, err)
	}
}

// export is the dump as JSON Lines, the way `vestige export` writes it.
func export(t *testing.T, d store.Dumper) (string, []store.Record) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	var recs []store.Record
	require.NoError(t, d.Dump(context.Background(), func(r store.Record) error {
		recs = append(recs, r)
		return enc.Encode(r)
	}))
	return buf.String(), recs
}

// load reads the export back as `vestige import` does (JSON Lines → records → Load).
func load(t *testing.T, d store.Dumper, dump string) {
	var recs []store.Record
	for _, line := range strings.Split(strings.TrimSpace(dump), "\n") {
		var r store.Record
		require.NoError(t, json.Unmarshal([]byte(line), &r))
		recs = append(recs, r)
	}
	n, err := d.Load(context.Background(), recs)
	require.NoError(t, err)
	// Every row is new but, when the store still has the FSRS parameters' very row (a test
	// database cloned from the same template), that one.
	require.GreaterOrEqual(t, n, len(recs)-1)
}

func openSQLite(t *testing.T) *sqlitestore.Store {
	s, err := sqlitestore.Open(context.Background(), filepath.Join(t.TempDir(), "vestige.db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func TestHostileValuesMoveSQLiteToPostgresAndBack(t *testing.T) {
	ctx := context.Background()
	first := openSQLite(t)
	fill(t, first)
	dump1, recs := export(t, first)
	require.Greater(t, len(recs), 20)

	pg, err := pgstore.Open(ctx, pgstore.Options{URL: testdb.New(t)})
	require.NoError(t, err)
	t.Cleanup(func() { _ = pg.Close() })
	load(t, pg, dump1)
	dump2, _ := export(t, pg)
	require.Equal(t, lines(dump1), lines(dump2), "Postgres exports what SQLite exported")

	last := openSQLite(t)
	load(t, last, dump2)
	dump3, _ := export(t, last)
	require.Equal(t, dump1, dump3, "back in SQLite, byte for byte")

	// And the reverse start: a store written on Postgres exports the same on SQLite.
	pg2, err := pgstore.Open(ctx, pgstore.Options{URL: testdb.New(t)})
	require.NoError(t, err)
	t.Cleanup(func() { _ = pg2.Close() })
	fill(t, pg2)
	dumpPG, _ := export(t, pg2)
	again := openSQLite(t)
	load(t, again, dumpPG)
	dumpBack, _ := export(t, again)
	require.Equal(t, lines(dumpPG), lines(dumpBack))
}

// lines splits a dump so that a failure shows the record that differs.
func lines(s string) []string { return strings.Split(s, "\n") }

// Rows written with plain SQL (the SQL API invites it) obey the same rules, so whatever the
// schema accepted exports and imports into both backends, equal record for record.
func TestPlainSQLRowsMoveToSQLiteAndBack(t *testing.T) {
	ctx := context.Background()
	url := testdb.New(t)
	conn := testdb.Conn(t, url)
	for _, q := range []string{
		`SELECT vestige_ensure_embedding_model('plain-4', 4, 'plain-4-v1')`,
		`INSERT INTO memories (id, content, node_type, tags, domains, domain_scores, metadata, embedding, created_at, updated_at) VALUES
		 ('0190a1b2-0000-7000-8000-000000000001', E'line one\nline two \u2028 ' || repeat('é', 1000), repeat('n', 256),
		  ARRAY['a,b', 'c d', repeat('t', 256)], ARRAY['Zeta', 'alpha'], '{"alpha": 0.5, "Zeta": 1e-300}',
		  '{"n": 9007199254740993, "sci": 1E+2, "scale": 1.50, "neg": -0.0, "s": "\u00e9\ud83d\ude00", "a": [[[]]], "o": {}}',
		  '[0.5, -0.5, 1e-7, 2]', '0001-01-01 00:00:00.000001+00', '9999-12-31 23:59:59.999999+00'),
		 ('0190a1b2-0000-7000-8000-000000000002', 'second', 'general', '{}', '{}', '{}', '{}', NULL, now(), now())`,
		`INSERT INTO edges (source_id, target_id, edge_type, weight, created_at) VALUES
		 ('0190a1b2-0000-7000-8000-000000000001', '0190a1b2-0000-7000-8000-000000000002', 'caused, then fixed', 0, now())`,
		`INSERT INTO domains (id, label, centroid, top_terms, memory_count, metadata) VALUES
		 ('Zeta', '', '[0, 0, 0, 2e-6]', ARRAY['x'], 2147483647, '{"k": [1, 2.0, 3e0]}')`,
		`SELECT vestige_review('0190a1b2-0000-7000-8000-000000000002', 3, '2025-01-01T00:00:00Z')`,
		`SELECT vestige_review('0190a1b2-0000-7000-8000-000000000002', 4, '2025-01-01T00:20:00Z')`,
	} {
		_, err := conn.Exec(ctx, q)
		require.NoError(t, err, q)
	}
	pg, err := pgstore.Open(ctx, pgstore.Options{URL: url})
	require.NoError(t, err)
	t.Cleanup(func() { _ = pg.Close() })
	dumpPG, recs := export(t, pg)
	require.Len(t, recs, 9, "model, parameters, domain, 2 memories, scheduling, edge, 2 review events")
	require.Contains(t, dumpPG, `"n":9007199254740993`)

	lite := openSQLite(t)
	load(t, lite, dumpPG)
	dumpLite, _ := export(t, lite)
	require.Equal(t, lines(dumpPG), lines(dumpLite))

	pg2, err := pgstore.Open(ctx, pgstore.Options{URL: testdb.New(t)})
	require.NoError(t, err)
	t.Cleanup(func() { _ = pg2.Close() })
	load(t, pg2, dumpLite)
	dumpPG2, _ := export(t, pg2)
	require.Equal(t, lines(dumpPG), lines(dumpPG2))
}
