package store

import "strings"

// HashVectorWeight is the default vector weight of the fusion for the hash embedders
// (hash-*): their vectors are a weak lexical signal that, at equal weight, pushes relevant
// memories down (measured with cmd/vestige-eval, docs/benchmarks.md).
const HashVectorWeight = 0.0

// FusionDefaults is vestige_fusion_defaults: the branch weights a hybrid search uses when it
// names none, a function of the registered model's name alone (empty when none is
// registered). The full-text weight is always 1; the vector weight is HashVectorWeight for a
// hash embedder, whose vector branch must not lower the search below full text alone, and 1
// for every other (semantic) model, whose branch counts as much as full text.
func FusionDefaults(modelName string) (ftsWeight, vectorWeight float64) {
	if strings.HasPrefix(modelName, "hash-") {
		return 1, HashVectorWeight
	}
	return 1, 1
}
