package embedder

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestFromName(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name    string
		wantDim int
		wantErr bool
		errHas  string // what the error must say, beyond naming the model
	}{
		{name: "hash", wantDim: 384},
		{name: DefaultModel, wantDim: 384},
		{name: "hash-768", wantDim: 768},
		{name: "hash-8", wantDim: 8},
		{name: "hash-8192", wantDim: 8192},
		{name: " HASH-256 ", wantDim: 256},
		{name: "hash-7", wantErr: true, errHas: "out of range 8..8192"},
		{name: "hash-8193", wantErr: true, errHas: "out of range 8..8192"},
		{name: "hash-999999", wantErr: true, errHas: "out of range 8..8192"},
		{name: "hash-0", wantErr: true},
		{name: "hash-0384", wantErr: true},
		{name: "hash-+384", wantErr: true},
		{name: "hash--384", wantErr: true},
		{name: "hash-384x", wantErr: true},
		{name: "hash-", wantErr: true},
		{name: "hash-99999999999999999999", wantErr: true, errHas: "out of range 8..8192"},
		{name: "", wantErr: true},
		{name: "nomic-embed-text", wantErr: true},
		{name: "text-embedding-3-small", wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, err := FromName(ctx, tc.name, Options{})
			if tc.wantErr {
				require.Error(t, err)
				require.ErrorIs(t, err, ErrUnknownModel)
				require.Nil(t, e, "a failed FromName must return a nil interface")
				require.Contains(t, err.Error(), tc.name, "error must name the model")
				require.Contains(t, err.Error(), "hash-<dim>", "error must list known models")
				require.Contains(t, err.Error(), tc.errHas)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.wantDim, e.Dimension())
			require.Equal(t, "hash-"+itoa(tc.wantDim), e.ModelName())
			v, err := e.Embed(ctx, "hello world")
			require.NoError(t, err)
			require.Len(t, v, tc.wantDim)
		})
	}
}

func TestFromNameRoundTrip(t *testing.T) {
	// ModelName is what a store registers; rebuilding from it must give the
	// same signature, or reopening a store would report a mismatch.
	for _, dim := range []int{8, 384, 768, 1536} {
		e, err := NewHash(dim)
		require.NoError(t, err)
		e2, err := FromName(context.Background(), e.ModelName(), Options{})
		require.NoError(t, err)
		require.Equal(t, e.ModelName(), e2.ModelName())
		require.Equal(t, e.Dimension(), e2.Dimension())
		require.Equal(t, e.ModelHash(), e2.ModelHash())
	}
}

func TestNewHashRange(t *testing.T) {
	for _, dim := range []int{-1, 0, 7, 8193} {
		_, err := NewHash(dim)
		require.ErrorIs(t, err, ErrUnknownModel, "dim %d", dim)
	}
}

func TestUnknownModelIsNotEmptyText(t *testing.T) {
	_, err := FromName(context.Background(), "bogus", Options{})
	require.False(t, errors.Is(err, ErrEmptyText))
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}
