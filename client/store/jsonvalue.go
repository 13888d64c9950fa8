package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// JSON values (metadata, review states) follow the rules of docs/value-rules.md on both
// backends. Numbers are kept as json.Number, never float64, so that an integer such as
// 9007199254740993 comes back exactly; they are stored in the plain decimal form Postgres'
// numeric prints (1e2 → 100, 1.50e1 → 15.0), so both backends return the same text.

const (
	// MaxJSONNumberChars bounds a number's plain decimal form.
	MaxJSONNumberChars = 400
)

var (
	maxJSONNumber = mustRat("1.7976931348623157e308") // the largest double, as Postgres compares it
	minJSONNumber = mustRat("1e-300")                 // the smallest nonzero magnitude kept
)

func mustRat(s string) *big.Rat {
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		panic("store: bad constant " + s)
	}
	return r
}

// ParseJSONObject reads raw JSON text that must be one object (metadata given on a command
// line, say) under the value rules: refused, naming field, when it is not an object, holds a
// lone UTF-16 surrogate escape (which decoders silently turn into U+FFFD), a number out of
// range, or is nested or sized past the limits. Numbers come back as json.Number.
func ParseJSONObject(field string, raw []byte) (map[string]any, error) {
	if err := CheckJSONText(field, raw); err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, &InvalidInputError{Field: field, Reason: "is not valid JSON: " + err.Error()}
	}
	if dec.More() {
		return nil, &InvalidInputError{Field: field, Reason: "has text after the JSON value"}
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, &InvalidInputError{Field: field, Reason: fmt.Sprintf("must be a JSON object, not %s", jsonKind(v))}
	}
	if err := CheckJSONObject(field, obj); err != nil {
		return nil, err
	}
	return obj, nil
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case []any:
		return "an array"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	}
	return "a number"
}

// CheckJSONText refuses JSON text with a \uXXXX escape of a lone UTF-16 surrogate. Go's
// decoder (and others) replace it with U+FFFD without a word; Postgres refuses it.
//
// It also refuses bytes that are not UTF-8 (decoders turn them into U+FFFD too) and an object
// that names a key twice (decoders keep the last value and drop the first without a word).
func CheckJSONText(field string, raw []byte) error {
	if !utf8.Valid(raw) {
		return &InvalidInputError{Field: field, Reason: "is not valid UTF-8"}
	}
	if err := checkLoneSurrogates(field, raw); err != nil {
		return err
	}
	return checkDuplicateKeys(field, raw)
}

func checkLoneSurrogates(field string, raw []byte) error {
	for i := 0; i < len(raw); i++ {
		if raw[i] != '\\' {
			continue
		}
		if i+1 < len(raw) && raw[i+1] != 'u' {
			i++ // \\, \" and the others: skip the escaped byte
			continue
		}
		hi, ok := hex4(raw, i+2)
		if !ok {
			continue // malformed: the decoder says so
		}
		switch {
		case hi >= 0xD800 && hi < 0xDC00:
			lo, ok := -1, false
			if i+7 < len(raw) && raw[i+6] == '\\' && raw[i+7] == 'u' {
				lo, ok = hex4(raw, i+8)
			}
			if !ok || lo < 0xDC00 || lo > 0xDFFF {
				return &InvalidInputError{Field: field, Reason: fmt.Sprintf("holds a lone UTF-16 surrogate escape \\u%04x (not a character)", hi)}
			}
			i += 11
		case hi >= 0xDC00 && hi <= 0xDFFF:
			return &InvalidInputError{Field: field, Reason: fmt.Sprintf("holds a lone UTF-16 surrogate escape \\u%04x (not a character)", hi)}
		default:
			i += 5
		}
	}
	return nil
}

// checkDuplicateKeys walks the tokens of raw; a syntax error is left for the decoder to
// report.
func checkDuplicateKeys(field string, raw []byte) error {
	type frame struct {
		object, wantKey bool
		keys            map[string]bool
	}
	var stack []*frame
	valueDone := func() {
		if n := len(stack); n > 0 && stack[n-1].object {
			stack[n-1].wantKey = true
		}
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	for {
		tok, err := dec.Token()
		if err != nil {
			return nil
		}
		if n := len(stack); n > 0 && stack[n-1].object && stack[n-1].wantKey {
			if k, ok := tok.(string); ok {
				if stack[n-1].keys[k] {
					return &InvalidInputError{Field: field, Reason: fmt.Sprintf("names the key %q twice in one object", k)}
				}
				stack[n-1].keys[k], stack[n-1].wantKey = true, false
				continue
			}
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &frame{object: true, wantKey: true, keys: map[string]bool{}})
		case json.Delim('['):
			stack = append(stack, &frame{})
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
			valueDone()
		default:
			valueDone()
		}
	}
}

func hex4(b []byte, at int) (int, bool) {
	if at+4 > len(b) {
		return 0, false
	}
	n, err := strconv.ParseUint(string(b[at:at+4]), 16, 16)
	return int(n), err == nil
}

// CheckJSONObject holds a decoded JSON object to the value rules: text a backend can store,
// numbers in range, at most MaxMetadataDepth levels and MaxMetadataBytes as Postgres prints
// it (jsonb::text).
func CheckJSONObject(field string, obj map[string]any) error {
	if err := checkJSONValue(field, obj); err != nil {
		return err
	}
	c, err := CanonicalJSON(obj) // the form a backend stores, Go types turned into JSON values
	if err != nil {
		return &InvalidInputError{Field: field, Reason: err.Error()}
	}
	if jsonDepth(c) > MaxMetadataDepth {
		return &InvalidInputError{Field: field, Reason: fmt.Sprintf("is nested more than %d levels deep", MaxMetadataDepth)}
	}
	if size := textLen(c); size > MaxMetadataBytes {
		return &InvalidInputError{Field: field, Reason: fmt.Sprintf("is %d bytes as JSON text, more than the %d allowed", size, MaxMetadataBytes)}
	}
	return nil
}

// jsonDepth is the nesting of v (a scalar 0, an object or array 1 + its deepest element);
// it stops counting past the limit, so a hostile value costs no more than a legal one.
func jsonDepth(v any) int {
	var walk func(v any, d int) int
	walk = func(v any, d int) int {
		var elems []any
		switch x := v.(type) {
		case map[string]any:
			for _, e := range x {
				elems = append(elems, e)
			}
		case []any:
			elems = x
		default:
			return d - 1
		}
		best := d
		for _, e := range elems {
			if best > MaxMetadataDepth {
				break
			}
			best = max(best, walk(e, d+1))
		}
		return best
	}
	return walk(v, 1)
}

// checkJSONValue walks v for text a backend cannot store and numbers out of range, naming
// the path of the value it refuses.
func checkJSONValue(field string, v any) error {
	if lit, ok := numberLiteral(v); ok {
		if _, err := CanonicalJSONNumber(lit); err != nil {
			return &InvalidInputError{Field: field, Reason: err.Error()}
		}
		return nil
	}
	switch x := v.(type) {
	case nil, bool:
	case float64, float32:
		return &InvalidInputError{Field: field, Reason: "is not a finite number"} // NaN or ±Inf
	case string:
		return checkText(field, x)
	case map[string]any:
		for k, e := range x {
			if err := checkText(field+" key", k); err != nil {
				return err
			}
			if err := checkJSONValue(field+"."+k, e); err != nil {
				return err
			}
		}
	case []any:
		for i, e := range x {
			if err := checkJSONValue(fmt.Sprintf("%s[%d]", field, i), e); err != nil {
				return err
			}
		}
	default:
		y, err := asJSONValue(x) // a struct, a []string: judged by its JSON form
		if err != nil {
			return &InvalidInputError{Field: field, Reason: "cannot be written as JSON: " + err.Error()}
		}
		return checkJSONValue(field, y)
	}
	return nil
}

// checkFloat holds a double stored as a JSON number to the number rule.
func checkFloat(field string, f float64) error { return checkJSONValue(field, f) }

// numberLiteral is v's JSON number literal when v is a number Go can write as JSON (false for
// other values, and for NaN and infinities, which JSON cannot write).
func numberLiteral(v any) (string, bool) {
	switch x := v.(type) {
	case json.Number:
		return string(x), true
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return "", false
		}
		return strconv.FormatFloat(x, 'g', -1, 64), true
	case float32:
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return "", false
		}
		return strconv.FormatFloat(float64(x), 'g', -1, 32), true
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return fmt.Sprint(x), true
	}
	return "", false
}

// asJSONValue turns a Go value of another type into the JSON value it writes as, numbers
// kept as json.Number.
func asJSONValue(v any) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var y any
	err = dec.Decode(&y)
	return y, err
}

// CanonicalJSONNumber returns a JSON number literal in the plain decimal form that Postgres
// prints for it (numeric: no exponent, the scale the literal implies, no negative zero), or
// an error when it is not a JSON number or is outside the range the value rules keep: zero
// or a magnitude in [1e-300, 1.7976931348623157e308], at most MaxJSONNumberChars characters.
func CanonicalJSONNumber(lit string) (string, error) {
	neg, intPart, frac, exp, ok := splitJSONNumber(lit)
	if !ok {
		return "", fmt.Errorf("%q is not a JSON number", lit)
	}
	digits := intPart + frac
	point := len(intPart) + exp // the decimal point's position within digits
	scale := max(0, len(frac)-exp)
	// A first bound on the plain form's length before building it, so that 1e-99999 costs
	// nothing: such a number is out of range (or, when zero, too long).
	if max(1, point)+scale > 2*MaxJSONNumberChars {
		if strings.Trim(digits, "0") == "" {
			return "", fmt.Errorf("number %s is too long: its plain decimal form has more than %d characters", lit, MaxJSONNumberChars)
		}
		return "", fmt.Errorf("number %s is out of range: numbers are 0 or of magnitude 1e-300 to 1.7976931348623157e308", lit)
	}
	var ip, fp string
	switch {
	case point <= 0:
		ip, fp = "0", strings.Repeat("0", -point)+digits
	case point >= len(digits):
		ip, fp = digits+strings.Repeat("0", point-len(digits)), ""
	default:
		ip, fp = digits[:point], digits[point:]
	}
	ip = strings.TrimLeft(ip, "0")
	if ip == "" {
		ip = "0"
	}
	if len(fp) > scale { // only trailing positions past the scale, which are zeros
		fp = fp[:scale]
	}
	zero := strings.Trim(ip+fp, "0") == ""
	out := ip
	if scale > 0 {
		out += "." + fp
	}
	if neg && !zero {
		out = "-" + out
	}
	if !zero {
		r := mustRat(out)
		r.Abs(r)
		if r.Cmp(maxJSONNumber) > 0 {
			return "", fmt.Errorf("number %s is out of range: numbers are 0 or of magnitude 1e-300 to 1.7976931348623157e308", lit)
		}
		if r.Cmp(minJSONNumber) < 0 {
			return "", fmt.Errorf("number %s is out of range: numbers are 0 or of magnitude 1e-300 to 1.7976931348623157e308", lit)
		}
	}
	if len(out) > MaxJSONNumberChars {
		return "", fmt.Errorf("number %s is too long: its plain decimal form has more than %d characters", lit, MaxJSONNumberChars)
	}
	return out, nil
}

// splitJSONNumber parses the JSON number grammar: -?(0|[1-9]d*)(.d+)?([eE][+-]?d+)?.
func splitJSONNumber(s string) (neg bool, intPart, frac string, exp int, ok bool) {
	if strings.HasPrefix(s, "-") {
		neg, s = true, s[1:]
	}
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == 0 || (i > 1 && s[0] == '0') {
		return false, "", "", 0, false
	}
	intPart, s = s[:i], s[i:]
	if strings.HasPrefix(s, ".") {
		j := 1
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		if j == 1 {
			return false, "", "", 0, false
		}
		frac, s = s[1:j], s[j:]
	}
	if s != "" {
		if s[0] != 'e' && s[0] != 'E' {
			return false, "", "", 0, false
		}
		e, err := strconv.Atoi(strings.TrimPrefix(s[1:], "+"))
		if err != nil || s[1:] == "" || strings.HasPrefix(s[1:], "+-") || e > 1e6 || e < -1e6 {
			return false, "", "", 0, false
		}
		exp = e
	}
	return neg, intPart, frac, exp, true
}

// CanonicalJSON returns v with every number as a json.Number in canonical form: what a
// backend stores and returns. v must have passed CheckJSONObject.
func CanonicalJSON(v any) (any, error) {
	if lit, ok := numberLiteral(v); ok {
		s, err := CanonicalJSONNumber(lit)
		return json.Number(s), err
	}
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			c, err := CanonicalJSON(e)
			if err != nil {
				return nil, err
			}
			out[k] = c
		}
		return out, nil
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			c, err := CanonicalJSON(e)
			if err != nil {
				return nil, err
			}
			out[i] = c
		}
		return out, nil
	case nil, bool, string:
		return x, nil
	}
	y, err := asJSONValue(v)
	if err != nil {
		return nil, err
	}
	return CanonicalJSON(y)
}

// textLen is the length in bytes of a canonical JSON value as Postgres prints a jsonb
// (`jsonb::text`): ", " and ": " separators, strings escaped as escape_json does.
func textLen(v any) int {
	switch x := v.(type) {
	case nil:
		return 4
	case bool:
		if x {
			return 4
		}
		return 5
	case json.Number:
		return len(x)
	case string:
		return quotedLen(x)
	case []any:
		n := 2 + 2*max(0, len(x)-1)
		for _, e := range x {
			n += textLen(e)
		}
		return n
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		n := 2 + 2*max(0, len(x)-1)
		for _, k := range keys {
			n += quotedLen(k) + 2 + textLen(x[k])
		}
		return n
	}
	return 0
}

// quotedLen is the length of s as Postgres' escape_json writes it.
func quotedLen(s string) int {
	n := 2
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '"' || r == '\\' || r == '\b' || r == '\f' || r == '\n' || r == '\r' || r == '\t':
			n += 2
		case r < 0x20:
			n += 6
		default:
			n += size
		}
		i += size
	}
	return n
}
