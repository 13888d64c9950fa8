package sqlitestore

// isStopWord reports whether Postgres' 'english' text search configuration drops word (its
// snowball english_stem dictionary reads tsearch_data/english.stop and checks the lowercased
// token before stemming). The words are that file of PostgreSQL 15, verbatim and in its
// order; dropping the same words on both backends keeps their any-term retrieval equal ("the
// of and" finds nothing on either). A switch, not a map: no package state.
func isStopWord(word string) bool {
	switch word {
	case
		"i", "me", "my", "myself", "we", "our", "ours", "ourselves", "you", "your", "yours",
		"yourself", "yourselves", "he", "him", "his", "himself", "she", "her", "hers", "herself",
		"it", "its", "itself", "they", "them", "their", "theirs", "themselves", "what", "which",
		"who", "whom", "this", "that", "these", "those", "am", "is", "are", "was", "were", "be",
		"been", "being", "have", "has", "had", "having", "do", "does", "did", "doing", "a", "an",
		"the", "and", "but", "if", "or", "because", "as", "until", "while", "of", "at", "by", "for",
		"with", "about", "against", "between", "into", "through", "during", "before", "after",
		"above", "below", "to", "from", "up", "down", "in", "out", "on", "off", "over", "under",
		"again", "further", "then", "once", "here", "there", "when", "where", "why", "how", "all",
		"any", "both", "each", "few", "more", "most", "other", "some", "such", "no", "nor", "not",
		"only", "own", "same", "so", "than", "too", "very", "s", "t", "can", "will", "just", "don",
		"should", "now":
		return true
	}
	return false
}
