package embedder

import (
	"context"
	"math"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

func mustHash(t testing.TB, dim int) *Hash {
	t.Helper()
	h, err := NewHash(dim)
	require.NoError(t, err)
	return h
}

func embed(t testing.TB, h *Hash, text string) []float32 {
	t.Helper()
	v, err := h.Embed(context.Background(), text)
	require.NoError(t, err)
	return v
}

func norm(v []float32) float64 {
	var s float64
	for _, x := range v {
		s += float64(x) * float64(x)
	}
	return math.Sqrt(s)
}

func TestHashDeterministic(t *testing.T) {
	texts := []string{
		"rust async trait",
		"Postgres HNSW vector index",
		"Ünïcödé wörds and 数字 123",
		strings.Repeat("long text ", 500),
	}
	for _, dim := range []int{8, 384, 768} {
		for _, text := range texts {
			a := embed(t, mustHash(t, dim), text)
			b := embed(t, mustHash(t, dim), text)
			require.Equal(t, a, b, "dim %d text %.20q", dim, text)
		}
	}
}

// TestHashGolden pins exact bits so that an accidental algorithm change
// (which would silently break every stored vector) fails here unless
// hashVersion, and with it ModelHash, is bumped deliberately. Exact equality
// is intended: the embedder avoids float operations whose rounding could
// differ between CPUs.
func TestHashGolden(t *testing.T) {
	h := mustHash(t, 16)
	require.Equal(t, "hash-16", h.ModelName())
	require.Equal(t, goldenRustAsyncTrait16, embed(t, h, "Rust async trait"))
	require.Equal(t, goldenModelHash768, mustHash(t, 768).ModelHash())
}

func TestHashDimensionAndUnitNorm(t *testing.T) {
	for _, dim := range []int{8, 9, 100, 384, 768, 8192} {
		h := mustHash(t, dim)
		require.Equal(t, dim, h.Dimension())
		for _, text := range []string{"a", "hello", "rust async trait", "x y z w v", strings.Repeat("ab ", 1000)} {
			v := embed(t, h, text)
			require.Len(t, v, dim)
			require.InDelta(t, 1.0, norm(v), 1e-5, "dim %d text %.20q", dim, text)
		}
	}
}

func TestHashModelHash(t *testing.T) {
	seen := map[string]int{}
	for _, dim := range []int{8, 9, 16, 384, 768, 1024, 1536, 8192} {
		h := mustHash(t, dim)
		mh := h.ModelHash()
		require.Len(t, mh, 16)
		require.Regexp(t, "^[0-9a-f]{16}$", mh)
		prev, dup := seen[mh]
		require.False(t, dup, "dims %d and %d share ModelHash %s", prev, dim, mh)
		seen[mh] = dim
		require.Equal(t, mh, mustHash(t, dim).ModelHash(), "ModelHash must be stable")
	}
}

func TestHashEmptyText(t *testing.T) {
	h := mustHash(t, 384)
	for _, text := range []string{"", " ", "\t\n", "!!! ??? ...", "—–-_", "\x00\x00", "\xff\xfe", "🙂🚀", "   \u00a0\u2003"} {
		v, err := h.Embed(context.Background(), text)
		require.ErrorIs(t, err, ErrEmptyText, "%q", text)
		require.Nil(t, v)
	}
}

func TestHashCaseAndPunctuationInsensitive(t *testing.T) {
	h := mustHash(t, 384)
	tests := []struct{ a, b string }{
		{"Rust Async Trait", "rust async trait"},
		{"rust, async; trait!", "rust async trait"},
		{"ÉCOLE Straße", "école straße"},
		{"  rust\n\tasync   trait  ", "rust async trait"},
	}
	for _, tc := range tests {
		require.Equal(t, embed(t, h, tc.b), embed(t, h, tc.a), "%q vs %q", tc.a, tc.b)
	}
}

func TestHashSimilarity(t *testing.T) {
	h := mustHash(t, 768)
	tests := []struct {
		query, related, unrelated string
	}{
		{"rust trait", "rust async trait", "postgres hnsw vector"},
		{"postgres index", "postgres hnsw vector index", "rust async trait"},
		// Trigrams carry inflections and typos with no word in common.
		{"memories", "memory", "database"},
		{"postgress", "postgres", "sqlite"},
		{"embeddings", "embedding model", "scheduler review"},
	}
	for _, tc := range tests {
		q := embed(t, h, tc.query)
		rel := Cosine(q, embed(t, h, tc.related))
		unrel := Cosine(q, embed(t, h, tc.unrelated))
		require.Greater(t, rel, unrel, "query %q: related %q (%.3f) vs unrelated %q (%.3f)",
			tc.query, tc.related, rel, tc.unrelated, unrel)
		require.Greater(t, rel, 0.05, "query %q vs %q", tc.query, tc.related)
	}
	// Words outweigh trigrams: an exact shared word beats shared fragments.
	q := embed(t, h, "trait")
	require.Greater(t, Cosine(q, embed(t, h, "trait bounds")), Cosine(q, embed(t, h, "traits")))
}

func TestHashDistinguishesWordsFromTrigrams(t *testing.T) {
	// The word "rus" and the 3-gram "rus" of "rust" must not share a feature.
	h := mustHash(t, 8192)
	require.Less(t, math.Abs(Cosine(embed(t, h, "rus"), embed(t, h, "rust"))), 0.35)
}

func TestEmbedBatchMatchesEmbed(t *testing.T) {
	h := mustHash(t, 384)
	ctx := context.Background()
	texts := []string{"rust async trait", "postgres hnsw vector", "a", "Ünïcödé", strings.Repeat("x", 300)}
	got, err := h.EmbedBatch(ctx, texts)
	require.NoError(t, err)
	require.Len(t, got, len(texts))
	for i, text := range texts {
		require.Equal(t, embed(t, h, text), got[i], "text %d", i)
	}
	// Vectors share a backing array; appending to one must not clobber the next.
	next := append([]float32(nil), got[1]...)
	_ = append(got[0], 42)
	require.Equal(t, next, got[1])

	empty, err := h.EmbedBatch(ctx, nil)
	require.NoError(t, err)
	require.Empty(t, empty)
}

func TestEmbedBatchEmptyTextNamesIndex(t *testing.T) {
	h := mustHash(t, 384)
	_, err := h.EmbedBatch(context.Background(), []string{"ok", "fine", "  ", "ok"})
	require.ErrorIs(t, err, ErrEmptyText)
	require.Contains(t, err.Error(), "text 2")
}

func TestContextCancellation(t *testing.T) {
	h := mustHash(t, 384)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()

	_, err := h.Embed(ctx, "hello")
	require.ErrorIs(t, err, context.Canceled)

	texts := make([]string, 1000)
	for i := range texts {
		texts[i] = "some memory text"
	}
	out, err := h.EmbedBatch(ctx, texts)
	require.ErrorIs(t, err, context.Canceled)
	require.Nil(t, out)

	// Cancellation mid-batch: the context is cancelled by a text that has
	// already been seen, and the batch must stop soon after.
	ctx2, cancel2 := context.WithCancel(context.Background())
	defer cancel2()
	big := make([]string, 100_000)
	for i := range big {
		big[i] = "memory number one two three"
	}
	done := make(chan error, 1)
	go func() {
		_, err := h.EmbedBatch(ctx2, big)
		done <- err
	}()
	cancel2()
	require.ErrorIs(t, <-done, context.Canceled)
}

func TestHashConcurrent(t *testing.T) {
	h := mustHash(t, 384)
	want := embed(t, h, "concurrent use is safe")
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 50 {
				v, err := h.Embed(context.Background(), "concurrent use is safe")
				if err != nil || !equal(v, want) {
					t.Errorf("concurrent Embed differs: %v", err)
					return
				}
			}
		})
	}
	wg.Wait()
}

func equal(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestHashCancelledFeaturesAreAnError(t *testing.T) {
	// At 8 dimensions two one-letter words can cancel exactly; that must be
	// reported, never returned as a zero vector. Search for such a pair and
	// check every pair gives either a unit vector or ErrEmptyText.
	h := mustHash(t, 8)
	letters := "abcdefghijklmnopqrstuvwxyz0123456789"
	for i := 0; i < len(letters); i++ {
		for j := i + 1; j < len(letters); j++ {
			text := string(letters[i]) + " " + string(letters[j])
			v, err := h.Embed(context.Background(), text)
			if err != nil {
				require.ErrorIs(t, err, ErrEmptyText, text)
				continue
			}
			require.InDelta(t, 1.0, norm(v), 1e-5, text)
		}
	}
}

func TestHashHostileInput(t *testing.T) {
	h := mustHash(t, 768)
	long := strings.Repeat("x", 10_000)
	mixed := strings.Repeat("héllo wörld 🙂 \x00 \xff", 1000)
	tests := []string{
		"a\x00b\x00c",
		"\xff\xfe\xfd rust \xc3",
		"valid \xe2\x82 truncated",
		"emoji 🙂🚀👩‍👩‍👧 text",
		"zalgo t̷̢̛̯̀e̶̗͋x̸̰̓t̵̺̾",
		"RTL עברית العربية",
		"ﬁ ligature İstanbul ǅ titlecase",
		"\u200b\u200d\ufeff zero width",
		long,
		mixed,
		strings.Repeat("a ", 10_000),
		strings.Repeat("é", 10_000),
		strings.Repeat("\u0301", 5000), // combining marks only
	}
	for _, text := range tests {
		v, err := h.Embed(context.Background(), text)
		if err != nil {
			require.ErrorIs(t, err, ErrEmptyText)
			continue
		}
		require.Len(t, v, 768)
		for _, x := range v {
			require.False(t, math.IsNaN(float64(x)) || math.IsInf(float64(x), 0))
		}
		require.InDelta(t, 1.0, norm(v), 1e-5)
	}
}

func FuzzHashEmbed(f *testing.F) {
	for _, s := range []string{"", "rust async trait", "\x00", "\xff", "🙂", "a b", "É", strings.Repeat("ab", 100)} {
		f.Add(s)
	}
	h := mustHash(f, 64)
	f.Fuzz(func(t *testing.T, text string) {
		v, err := h.Embed(context.Background(), text)
		if err != nil {
			require.ErrorIs(t, err, ErrEmptyText)
			return
		}
		require.InDelta(t, 1.0, norm(v), 1e-5)
		// Valid-UTF-8 text embeds like its lowercased form.
		if utf8.ValidString(text) {
			lv, err := h.Embed(context.Background(), strings.ToLower(text))
			require.NoError(t, err)
			require.Equal(t, v, lv)
		}
	})
}

func BenchmarkHashEmbed768(b *testing.B) {
	h := mustHash(b, 768)
	ctx := context.Background()
	text := "Decided to use pgvector HNSW with iterative scans for filtered hybrid search; " +
		"RRF fuses ts_rank_cd and cosine ranks. Remember to vacuum after bulk imports."
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := h.Embed(ctx, text); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkHashEmbedBatch768(b *testing.B) {
	h := mustHash(b, 768)
	ctx := context.Background()
	texts := make([]string, 1000)
	for i := range texts {
		texts[i] = "memory " + itoa(i) + " about rust async traits, postgres hnsw vectors and FSRS review scheduling"
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := h.EmbedBatch(ctx, texts); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(texts)), "ns/text")
}

// Golden values for hashVersion "v1". Regenerate only together with a
// version bump.
var (
	goldenRustAsyncTrait16 = []float32{0, 0.19570811, 0, -0.092400834, 0, 0.18480167, -0.10330728, 0.5980308,
		0, -0.092400834, 0.092400834, 0, 0, -0.72315097, 0, -0.10330728}
	goldenModelHash768 = "96c8647a113164ee"
)
