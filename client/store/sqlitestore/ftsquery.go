package sqlitestore

import (
	"strings"
	"unicode"
)

// User text never reaches FTS5's query parser: the full-text branch reads the index through
// fts5vocab, term by term, after splitting the text itself. So no input, however hostile
// (quotes, AND/OR/NOT/NEAR, parentheses, * ^ :, NUL, invalid UTF-8), can be a syntax error.

// tokens splits text as FTS5's unicode61 tokenizer does: runs of token characters,
// lowercased. Invalid UTF-8 decodes to U+FFFD, a symbol, and so separates like punctuation.
func tokens(text string) []string {
	return strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !isTokenRune(r) })
}

// isTokenRune mirrors unicode61's default token characters: categories L*, N* and Co.
func isTokenRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.Is(unicode.Co, r)
}
