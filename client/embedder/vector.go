package embedder

import (
	"fmt"
	"math"
)

// unitVector converts a vector as decoded from JSON to float32 scaled to unit length, the
// form vestige stores and compares by dot product. It refuses what has no direction or no
// meaning: a component that is NaN or infinite (also after the float32 conversion, which
// overflows beyond 3.4e38) and the zero vector. (Squares of float32 values summed in
// float64 cannot overflow at any dimension a store holds.)
func unitVector(in []float64) ([]float32, error) {
	out := make([]float32, len(in))
	var ss float64
	for i, x := range in {
		f := float32(x)
		if math.IsNaN(float64(f)) || math.IsInf(float64(f), 0) {
			return nil, fmt.Errorf("%w: component %d is %v, not a finite number", ErrMalformed, i, x)
		}
		out[i] = f
		ss += float64(f) * float64(f)
	}
	if ss == 0 {
		return nil, fmt.Errorf("%w: the zero vector has no direction", ErrMalformed)
	}
	inv := 1 / math.Sqrt(ss)
	for i, f := range out {
		out[i] = float32(float64(f) * inv)
	}
	return out, nil
}
