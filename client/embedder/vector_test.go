package embedder

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestUnitVector(t *testing.T) {
	cases := []struct {
		name string
		in   []float64
		want []float32
		err  string
	}{
		{"scaled down", []float64{3, 4}, []float32{0.6, 0.8}, ""},
		{"already unit", []float64{0, -1, 0}, []float32{0, -1, 0}, ""},
		{"largest float32", []float64{math.MaxFloat32, math.MaxFloat32}, []float32{float32(math.Sqrt2 / 2), float32(math.Sqrt2 / 2)}, ""},
		{"tiny", []float64{1e-30, 0}, []float32{1, 0}, ""},
		{"overflows float32", []float64{1, 1e39}, nil, "component 1 is 1e+39, not a finite number"},
		{"zero", []float64{0, 0, 0}, nil, "the zero vector has no direction"},
		{"underflows to zero", []float64{1e-50, 0}, nil, "the zero vector"},
		{"NaN", []float64{math.NaN()}, nil, "component 0 is NaN"},
		{"Inf", []float64{math.Inf(-1)}, nil, "component 0 is -Inf"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := unitVector(c.in)
			if c.err != "" {
				require.ErrorIs(t, err, ErrMalformed)
				require.ErrorContains(t, err, c.err)
				return
			}
			require.NoError(t, err)
			require.InDeltaSlice(t, c.want, got, 1e-7)
		})
	}
}
