package embedder

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"math/bits"
	"unicode"
	"unicode/utf8"
)

// These constants shape every vector, and all of them feed ModelHash (the
// weights directly, everything else through hashAlgorithm), so a store can
// refuse vectors made by a different algorithm. A change to the code that
// the constants do not describe must bump hashVersion; TestHashGolden fails
// until someone does.
const (
	hashVersion = "v1"
	// A word is the strongest evidence of topic, so it carries unit weight.
	wordWeight = 1.0
	// The character 3-grams of a word (with ^ and $ boundary markers) together
	// carry half a word's weight in L2 terms: each of a word's n trigrams gets
	// trigramWeight/sqrt(n). Trigrams let "memory" and "memories" or a typo
	// land near each other, without letting a shared suffix outvote a shared
	// word. Dividing by sqrt(n) rather than n keeps that fuzzy match visible
	// in the cosine (with 1/n it would contribute almost nothing).
	trigramWeight = 0.5
	hashAlgorithm = "vestige-hash-embedder " + hashVersion +
		"; tokens=lower(unicode) runs of letter|mark|digit" +
		"; features=word+rune-3grams(^word$, each trigramWeight/sqrt(n))" +
		"; hash=fnv1a64(kind byte,utf8)+fmix64; bucket=mulhi; sign=bit0; l2-normalised"
)

// FNV-1a 64 constants. FNV is used because it hashes a few bytes in a few
// cycles with no setup; fmix64 afterwards repairs its weak high-bit mixing
// on short inputs, which the bucket choice depends on.
const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
	// Each feature kind starts from its own state so that a word and a 3-gram
	// with equal bytes (the word "rus" and the 3-gram "rus") are unrelated.
	seedWord    = (fnvOffset ^ 'w') * fnvPrime & math.MaxUint64
	seedTrigram = (fnvOffset ^ 't') * fnvPrime & math.MaxUint64
)

// Hash is the built-in embedder: feature hashing of words and character
// 3-grams into signed buckets. It needs no model files or network, is
// deterministic across machines and releases (per ModelHash), and is fast
// enough to embed a 100k-memory corpus in seconds. It captures lexical, not
// semantic, similarity.
//
// A Hash is immutable and safe for concurrent use.
type Hash struct {
	dim  int
	name string
	hash string
}

var _ Embedder = (*Hash)(nil)

// NewHash builds the hash embedder for one dimension. Most callers go
// through FromName; this exists for code that already has the number.
func NewHash(dim int) (*Hash, error) {
	if dim < MinHashDimension || dim > MaxHashDimension {
		return nil, fmt.Errorf("%w: hash-%d: dimension out of range %d..%d",
			ErrUnknownModel, dim, MinHashDimension, MaxHashDimension)
	}
	sum := sha256.Sum256(fmt.Appendf(nil, "%s; wordWeight=%g; trigramWeight=%g; dim=%d",
		hashAlgorithm, wordWeight, trigramWeight, dim))
	return &Hash{
		dim:  dim,
		name: fmt.Sprintf("hash-%d", dim),
		hash: hex.EncodeToString(sum[:8]),
	}, nil
}

// ModelName is the name FromName accepts to rebuild this embedder.
func (h *Hash) ModelName() string { return h.name }

// Dimension is the length of every vector this embedder returns.
func (h *Hash) Dimension() int { return h.dim }

// ModelHash is 16 hex digits over the algorithm description and dimension:
// stores compare it so that vectors from a changed algorithm are refused
// rather than silently mixed with old ones.
func (h *Hash) ModelHash() string { return h.hash }

// Embed returns a unit vector, or ErrEmptyText when text has no word
// (only spaces, punctuation, symbols or invalid UTF-8): a zero vector would
// make the memory silently unfindable.
func (h *Hash) Embed(ctx context.Context, text string) ([]float32, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	v := make([]float32, h.dim)
	if err := h.embedInto(v, text); err != nil {
		return nil, err
	}
	return v, nil
}

// EmbedBatch stops at the first text without words, naming its index, and
// checks ctx between texts so a large re-embed can be cancelled promptly.
// All vectors share one backing array (one allocation instead of len(texts));
// each is capacity-limited, so appending to one cannot overwrite another.
// Keeping one vector keeps the whole batch's array alive; copy the few you
// keep from a large batch.
func (h *Hash) EmbedBatch(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	backing := make([]float32, len(texts)*h.dim)
	for i, t := range texts {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		v := backing[i*h.dim : (i+1)*h.dim : (i+1)*h.dim]
		if err := h.embedInto(v, t); err != nil {
			return nil, fmt.Errorf("text %d: %w", i, err)
		}
		out[i] = v
	}
	return out, nil
}

// embedInto adds every feature of text into v (which must be zero) and
// normalises it. It fails with ErrEmptyText when text has no token, or when
// every feature cancelled against another in its bucket (possible only at
// tiny dimensions, e.g. "a b" at hash-8), since a zero vector has no
// direction to search by. Scratch space
// lives on the stack for ordinary words; only a word longer than the
// scratch arrays costs a heap allocation.
func (h *Hash) embedInto(v []float32, text string) error {
	var bufArr [128]byte
	var offArr [64]int
	buf := bufArr[:0]  // '^' + lowercased word + '$'
	offs := offArr[:0] // start offset in buf of each rune of buf, plus len(buf)
	dim := uint64(len(v))
	tokens := 0

	i := 0
	for i < len(text) {
		// Find the start of the next word.
		c := text[i]
		var r rune
		size := 1
		if c < utf8.RuneSelf {
			r = rune(c)
		} else {
			r, size = utf8.DecodeRuneInString(text[i:])
		}
		if !isWordRune(r) {
			i += size
			continue
		}

		// Collect the word, lowercased, framed by boundary markers.
		buf = append(buf[:0], '^')
		offs = append(offs[:0], 0)
		for i < len(text) {
			c = text[i]
			if c < utf8.RuneSelf {
				if 'A' <= c && c <= 'Z' {
					c += 'a' - 'A'
				} else if !('a' <= c && c <= 'z' || '0' <= c && c <= '9') {
					break
				}
				offs = append(offs, len(buf))
				buf = append(buf, c)
				i++
				continue
			}
			r, size = utf8.DecodeRuneInString(text[i:])
			if !isWordRune(r) {
				break
			}
			offs = append(offs, len(buf))
			buf = utf8.AppendRune(buf, unicode.ToLower(r))
			i += size
		}
		offs = append(offs, len(buf))
		buf = append(buf, '$')
		offs = append(offs, len(buf))
		tokens++

		// offs now has n+3 entries for a word of n runes: n+2 rune starts
		// (including both markers) and the end.
		n := len(offs) - 3
		addFeature(v, dim, hashBytes(seedWord, buf[1:len(buf)-1]), wordWeight)
		w := float32(trigramWeight / math.Sqrt(float64(n)))
		for k := 0; k < n; k++ {
			addFeature(v, dim, hashBytes(seedTrigram, buf[offs[k]:offs[k+3]]), w)
		}
	}
	if tokens == 0 {
		return ErrEmptyText
	}
	if !normalize(v) {
		return fmt.Errorf("%w: all %d words cancelled out in %d dimensions", ErrEmptyText, tokens, len(v))
	}
	return nil
}

// isWordRune keeps combining marks inside words so that scripts written with
// them (Devanagari vowel signs, decomposed accents) are not cut mid-word.
func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)
}

func hashBytes(h uint64, b []byte) uint64 {
	for _, c := range b {
		h ^= uint64(c)
		h *= fnvPrime
	}
	// fmix64 from MurmurHash3.
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return h
}

// addFeature picks the bucket from the high bits (multiply-high maps a
// 64-bit hash onto [0,dim) without modulo bias or a division) and the sign
// from the lowest bit, so colliding features cancel in expectation instead
// of piling up.
func addFeature(v []float32, dim, h uint64, w float32) {
	b, _ := bits.Mul64(h, dim)
	if h&1 != 0 {
		w = -w
	}
	v[b] += w
}

// normalize scales v to unit length. It reports false when v is zero or
// only float rounding residue of cancelled features (no real feature weighs
// less than about 1e-3), since scaling that up would invent a direction.
func normalize(v []float32) bool {
	ss := sumSquares(v)
	if ss < 1e-9 {
		return false
	}
	inv := float32(1 / math.Sqrt(ss))
	for i := range v {
		v[i] *= inv
	}
	return true
}

// sumSquares is written so that every CPU gets the same bits: a float32
// squared in float64 is exact, so a fused multiply-add (which Go may emit on
// arm64) cannot change it, and the summation order is fixed. That keeps hash
// vectors identical across machines, not just close. Four lanes break the
// add dependency chain; a single-lane loop was a third of Embed's time.
func sumSquares(v []float32) float64 {
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(v); i += 4 {
		q := v[i : i+4 : i+4]
		x0, x1, x2, x3 := float64(q[0]), float64(q[1]), float64(q[2]), float64(q[3])
		s0 += x0 * x0
		s1 += x1 * x1
		s2 += x2 * x2
		s3 += x3 * x3
	}
	for ; i < len(v); i++ {
		x := float64(v[i])
		s0 += x * x
	}
	return (s0 + s1) + (s2 + s3)
}
