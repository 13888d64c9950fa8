package embedder

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
)

// remoteVersion names how vestige turns a server's answer into a stored vector
// (float32, L2-normalised). A change to that must bump it, so stores refuse to mix.
const remoteVersion = "vestige-remote-embedder v1; float32; l2-normalised"

// identity is everything that decides which vectors a remote embedder writes. The base URL
// is left out on purpose: the same model behind another address (a new port, a proxy)
// writes the same vectors. Batch size, timeout and the API key change nothing either.
type identity struct {
	Version  string `json:"version"`
	Provider string `json:"provider"`
	Model    string `json:"model"`
	// Dimension is the length the server answered; Requested the configured dimensions
	// (0: the model's own), since a shortened vector differs from a cut full one.
	Dimension int `json:"dimension"`
	Requested int `json:"requested"`
	// The prefixes change every vector of an asymmetric model.
	QueryPrefix    string `json:"query_prefix"`
	DocumentPrefix string `json:"document_prefix"`
	// Digest is the model's content digest when the server reports one (Ollama's
	// /api/tags), so a re-pulled model with new weights under the same tag is caught.
	Digest string `json:"digest,omitempty"`
}

// name is what the registry shows: provider/model. It never starts with "hash-", so the
// fusion defaults count the vector branch (store.FusionDefaults).
func (id identity) name() string { return id.Provider + "/" + id.Model }

// hash is 16 hex digits of SHA-256 over the identity's JSON (field order is fixed by the
// struct), the same length as the hash embedder's.
func (id identity) hash() string {
	b, err := json.Marshal(id)
	if err != nil {
		panic(err) // strings and ints always marshal
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}
