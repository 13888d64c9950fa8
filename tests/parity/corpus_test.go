//go:build heavy

package parity_test

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/vestige-mem/vestige/client/embedder"
	"github.com/vestige-mem/vestige/client/store"
)

// corpusMemory is one line of testdata/memories.jsonl.
type corpusMemory struct {
	ID        uuid.UUID `json:"id"`
	Content   string    `json:"content"`
	NodeType  string    `json:"node_type"`
	Tags      []string  `json:"tags"`
	Domains   []string  `json:"domains"`
	CreatedAt time.Time `json:"created_at"`
}

// corpusQuery is one entry of testdata/queries.json.
type corpusQuery struct {
	ID           int    `json:"id"`
	Mode         string `json:"mode"` // text, vector or hybrid
	Text         string `json:"text"`
	Class        string `json:"class"`
	DomainFilter string `json:"domain_filter"`
}

func loadCorpus(t *testing.T) ([]corpusMemory, []corpusQuery) {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "memories.jsonl"))
	require.NoError(t, err)
	defer f.Close()
	var mems []corpusMemory
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var m corpusMemory
		require.NoError(t, json.Unmarshal(sc.Bytes(), &m))
		mems = append(mems, m)
	}
	require.NoError(t, sc.Err())
	raw, err := os.ReadFile(filepath.Join("testdata", "queries.json"))
	require.NoError(t, err)
	var qs []corpusQuery
	require.NoError(t, json.Unmarshal(raw, &qs))
	require.Len(t, mems, 300, "the parity corpus")
	require.Len(t, qs, 40, "the parity queries")
	return mems, qs
}

// load registers the embedder's model and inserts every memory with its embedding.
func load(t *testing.T, s store.Store, emb embedder.Embedder, mems []corpusMemory) {
	t.Helper()
	ctx := context.Background()
	require.NoError(t, s.EnsureModel(ctx, store.ModelSignature{
		Name: emb.ModelName(), Dimension: emb.Dimension(), Hash: emb.ModelHash()}))
	texts := make([]string, len(mems))
	for i, m := range mems {
		texts[i] = m.Content
	}
	vecs, err := emb.EmbedBatch(ctx, texts)
	require.NoError(t, err)
	for i, m := range mems {
		_, err := s.Insert(ctx, store.Memory{ID: m.ID, Content: m.Content, NodeType: m.NodeType,
			Tags: m.Tags, Domains: m.Domains, Embedding: vecs[i], CreatedAt: m.CreatedAt})
		require.NoError(t, err, "memory %s", m.ID)
	}
}
