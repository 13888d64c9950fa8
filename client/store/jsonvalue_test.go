package store

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCheckJSONText(t *testing.T) {
	cases := []struct {
		raw, says string // says "" → accepted
	}{
		{`{"a":1,"b":{"a":2},"c":[{"a":3},{"a":4}]}`, ""},
		{`{"a":"\ud83d\ude00"}`, ""},
		{`{"a":"\\ud83d"}`, ""}, // an escaped backslash, then text
		{`{"a":1,"a":2}`, `names the key "a" twice`},
		{`{"x":{"b":1,"c":[1,{"d":1,"d":2}]}}`, `names the key "d" twice`},
		{`{"content":"first","content":"second"}`, `"content" twice`},
		{`{"a":"\ud83d"}`, "lone UTF-16 surrogate"},
		{`{"a":"\ude00x"}`, "lone UTF-16 surrogate"},
		{"{\"a\":\"\xff\"}", "not valid UTF-8"},
	}
	for _, c := range cases {
		err := CheckJSONText("f", []byte(c.raw))
		if c.says == "" {
			require.NoError(t, err, c.raw)
			continue
		}
		var bad *InvalidInputError
		require.True(t, errors.As(err, &bad), "%s: %v", c.raw, err)
		require.Contains(t, bad.Reason, c.says, c.raw)
	}
}

func TestCanonicalJSONNumber(t *testing.T) {
	cases := []struct{ in, want, says string }{
		{"1e2", "100", ""}, {"1.50", "1.50", ""}, {"-0", "0", ""}, {"-0.0", "0.0", ""},
		{"9007199254740993", "9007199254740993", ""}, {"1e-300", "0." + zeros(299) + "1", ""},
		{"1e400", "", "out of range"}, {"1e-301", "", "out of range"}, {"-1.8e308", "", "out of range"},
		{"0e-5000", "", "too long"}, {"1e-99999", "", "out of range"}, {"01", "", "not a JSON number"},
		{"1.", "", "not a JSON number"}, {"+1", "", "not a JSON number"}, {"NaN", "", "not a JSON number"},
	}
	for _, c := range cases {
		got, err := CanonicalJSONNumber(c.in)
		if c.says != "" {
			require.ErrorContains(t, err, c.says, c.in)
			continue
		}
		require.NoError(t, err, c.in)
		require.Equal(t, c.want, got, c.in)
	}
}

func zeros(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = '0'
	}
	return string(b)
}
