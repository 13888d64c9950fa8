package store_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/vestige-mem/vestige/client/store"
)

func TestRecordJSONIsTheFlatRow(t *testing.T) {
	id := uuid.MustParse("0190a1b2-0000-7000-8000-00000000000a")
	at := time.Date(2024, 5, 1, 10, 0, 0, 123456000, time.UTC)
	rec := store.Record{Type: store.RecordEdge, Edge: &store.Edge{SourceID: id, TargetID: id, EdgeType: "a<b",
		Weight: 0.5, CreatedAt: at}}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	require.NoError(t, enc.Encode(rec))
	b := bytes.TrimSpace(buf.Bytes())
	require.Equal(t, `{"type":"edge","source_id":"`+id.String()+`","target_id":"`+id.String()+
		`","edge_type":"a<b","weight":0.5,"created_at":"2024-05-01T10:00:00.123456Z"}`, string(b))

	var back store.Record
	require.NoError(t, json.Unmarshal(b, &back))
	require.Equal(t, rec, back)
}

func TestRecordJSONIsStrict(t *testing.T) {
	for text, want := range map[string]string{
		`{"type":"memory","id":"0190a1b2-0000-7000-8000-00000000000a","colour":"red"}`: `unknown field "colour"`,
		`{"type":"memo"}`:                  `unknown record type "memo"`,
		`{"id":"x"}`:                       `no "type"`,
		`{"type":"edge","weight":"heavy"}`: "edge record",
	} {
		var r store.Record
		err := json.Unmarshal([]byte(text), &r)
		require.Error(t, err, text)
		require.Contains(t, err.Error(), want, text)
	}
}

func TestRecordWithoutRowIsRefused(t *testing.T) {
	_, err := json.Marshal(store.Record{Type: store.RecordMemory})
	require.Error(t, err)
	_, err = store.Record{Type: store.RecordMemory}.Normalized()
	require.ErrorIs(t, err, store.ErrInvalidInput)
}

func TestNormalizedKeepsTimesAtStoredPrecision(t *testing.T) {
	zone := time.FixedZone("x", 3600)
	m := store.Memory{ID: uuid.New(), Content: "c", CreatedAt: time.Date(2024, 1, 1, 0, 0, 0, 999, zone),
		UpdatedAt: time.Date(2024, 1, 1, 0, 0, 1, 0, zone)}
	r, err := store.Record{Type: store.RecordMemory, Memory: &m}.Normalized()
	require.NoError(t, err)
	require.Equal(t, time.Date(2023, 12, 31, 23, 0, 0, 0, time.UTC), r.Memory.CreatedAt)
	require.Equal(t, store.DefaultNodeType, r.Memory.NodeType)
	require.NotNil(t, r.Memory.Tags)
	require.True(t, strings.HasPrefix(r.Key(), "memory "))
	require.Equal(t, 999, m.CreatedAt.Nanosecond(), "the caller's row is not changed")
}

func TestDefaultFSRSParameters(t *testing.T) {
	p := store.FSRSParameters{Weights: []float64{0.212, 1.2931, 2.3065, 8.2956, 6.4133, 0.8334, 3.0194, 0.001,
		1.8722, 0.1666, 0.796, 1.4835, 0.0614, 0.2629, 1.6483, 0.6014, 1.8729, 0.5425, 0.0912, 0.0658, 0.1542},
		DesiredRetention: 0.9, LearningStepsSecs: []int{60, 600}, RelearningStepsSecs: []int{600},
		MaximumIntervalDays: 36500}
	require.True(t, p.IsDefault())
	p.DesiredRetention = 0.85
	require.False(t, p.IsDefault())
}
