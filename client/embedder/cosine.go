package embedder

import "math"

// Cosine is the similarity the SQLite backend ranks by, so it must agree
// with pgvector's 1 - (a <=> b) and be fast enough to scan 100k vectors per
// query. Products are summed in float32 within blocks of four (float32 work
// is what keeps the loop fast; pgvector itself sums everything in float32)
// and the blocks in float64, so the error stays near 1e-7 even at 8192
// dimensions. The result is clamped to [-1, 1] so rounding never yields
// 1.0000001 for identical vectors.
//
// Vectors of different length, or a zero vector, have no meaningful angle:
// Cosine returns 0 for them rather than NaN, which would poison a sort.
// Components beyond about 1e19 overflow the float32 products; embeddings
// are nowhere near that.
func Cosine(a, b []float32) float64 {
	if len(a) != len(b) || len(a) == 0 {
		return 0
	}
	b = b[:len(a)] // lets the compiler drop bounds checks below
	var dot, na, nb float64
	i := 0
	for ; i+4 <= len(a); i += 4 {
		as := a[i : i+4 : i+4]
		bs := b[i : i+4 : i+4]
		dot += float64((as[0]*bs[0] + as[1]*bs[1]) + (as[2]*bs[2] + as[3]*bs[3]))
		na += float64((as[0]*as[0] + as[1]*as[1]) + (as[2]*as[2] + as[3]*as[3]))
		nb += float64((bs[0]*bs[0] + bs[1]*bs[1]) + (bs[2]*bs[2] + bs[3]*bs[3]))
	}
	for ; i < len(a); i++ {
		x, y := float64(a[i]), float64(b[i])
		dot += x * y
		na += x * x
		nb += y * y
	}
	if na == 0 || nb == 0 {
		return 0
	}
	c := dot / math.Sqrt(na*nb)
	switch {
	case c > 1:
		return 1
	case c < -1:
		return -1
	}
	return c
}

// Dot is Cosine for vectors already known to be unit length (every hash
// embedding, and a query normalised once): it skips both norms, so a scan
// over many stored vectors costs about half as much. Same block-wise
// float32/float64 summation as Cosine; 0 for vectors of different length.
func Dot(a, b []float32) float64 {
	if len(a) != len(b) {
		return 0
	}
	b = b[:len(a)]
	// Two independent float64 sums let consecutive blocks overlap in the CPU.
	var d0, d1 float64
	i := 0
	for ; i+8 <= len(a); i += 8 {
		as := a[i : i+8 : i+8]
		bs := b[i : i+8 : i+8]
		d0 += float64((as[0]*bs[0] + as[1]*bs[1]) + (as[2]*bs[2] + as[3]*bs[3]))
		d1 += float64((as[4]*bs[4] + as[5]*bs[5]) + (as[6]*bs[6] + as[7]*bs[7]))
	}
	for ; i < len(a); i++ {
		d0 += float64(a[i]) * float64(b[i])
	}
	return d0 + d1
}
