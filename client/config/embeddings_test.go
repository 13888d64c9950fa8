package config

import (
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestEmbeddingsKeys(t *testing.T) {
	cases := []struct {
		name    string
		text    string
		want    Embeddings
		wantKey []string
		wantMsg []string
	}{
		{
			name: "ollama alone works against a stock local server",
			text: "[embeddings]\nprovider = \"ollama\"\n",
			want: Embeddings{Provider: "ollama", Model: "nomic-embed-text", BaseURL: "http://localhost:11434",
				BatchSize: 32, TimeoutSecs: 60, QueryPrefix: "search_query: ", DocumentPrefix: "search_document: "},
		},
		{
			name: "nomic with a tag keeps its prefixes; an empty prefix in the file wins",
			text: "[embeddings]\nprovider = \"ollama\"\nmodel = \"nomic-embed-text:v1.5\"\nquery_prefix = \"\"\n",
			want: Embeddings{Provider: "ollama", Model: "nomic-embed-text:v1.5", BaseURL: "http://localhost:11434",
				BatchSize: 32, TimeoutSecs: 60, DocumentPrefix: "search_document: "},
		},
		{
			name: "another ollama model gets no prefixes",
			text: "[embeddings]\nprovider = \"ollama\"\nmodel = \"mxbai-embed-large\"\nbase_url = \"http://gpu:11434\"\nbatch_size = 8\ntimeout_secs = 5\n",
			want: Embeddings{Provider: "ollama", Model: "mxbai-embed-large", BaseURL: "http://gpu:11434", BatchSize: 8, TimeoutSecs: 5},
		},
		{
			name: "openai defaults read OPENAI_API_KEY",
			text: "[embeddings]\nprovider = \"openai\"\ndimensions = 512\n",
			want: Embeddings{Provider: "openai", Model: "text-embedding-3-small", BaseURL: "https://api.openai.com/v1",
				APIKeyEnv: "OPENAI_API_KEY", Dimensions: 512, BatchSize: 32, TimeoutSecs: 60},
		},
		{
			name: "a local openai-compatible server needs no key",
			text: "[embeddings]\nprovider = \"openai\"\nmodel = \"bge-m3\"\nbase_url = \"http://localhost:8080/v1\"\nquery_prefix = \"query: \"\ndocument_prefix = \"passage: \"\n",
			want: Embeddings{Provider: "openai", Model: "bge-m3", BaseURL: "http://localhost:8080/v1",
				BatchSize: 32, TimeoutSecs: 60, QueryPrefix: "query: ", DocumentPrefix: "passage: "},
		},
		{
			name:    "bad values name their keys",
			text:    "[embeddings]\nprovider = \"ollama\"\nbase_url = \"ftp://h\"\ndimensions = -1\nbatch_size = -2\ntimeout_secs = -3\n",
			wantKey: []string{"embeddings.base_url", "embeddings.dimensions", "embeddings.batch_size", "embeddings.timeout_secs"},
			wantMsg: []string{`embeddings.base_url "ftp://h" has scheme "ftp"; want http:// or https://`,
				"embeddings.dimensions must be at least 0 (got -1) (0 takes the model's own)",
				"embeddings.batch_size must be at least 1 (got -2)", "embeddings.timeout_secs must be at least 1 (got -3)"},
		},
		{
			name:    "zero in a file is a mistake, not the default",
			text:    "[embeddings]\nprovider = \"ollama\"\nbatch_size = 0\ntimeout_secs = 0\n",
			wantKey: []string{"embeddings.batch_size", "embeddings.timeout_secs"},
			wantMsg: []string{"embeddings.batch_size must be at least 1 (got 0)", "embeddings.timeout_secs must be at least 1 (got 0)"},
		},
		{
			name:    "too large",
			text:    "[embeddings]\nprovider = \"openai\"\ndimensions = 20000\nbatch_size = 4096\n",
			wantKey: []string{"embeddings.dimensions", "embeddings.batch_size"},
			wantMsg: []string{"must be at most 16000", "must be at most 2048"},
		},
		{
			name:    "a key pasted into api_key_env is refused and not shown",
			text:    "[embeddings]\nprovider = \"openai\"\napi_key_env = \"sk-proj-S3CRET-key\"\n",
			wantKey: []string{"embeddings.api_key_env"},
			wantMsg: []string{"must be the NAME of an environment variable", "value not shown"},
		},
		{
			name:    "a base_url password is not shown",
			text:    "[embeddings]\nprovider = \"openai\"\nbase_url = \"gopher://u:S3CRET@h/v1\"\n",
			wantKey: []string{"embeddings.base_url"},
			wantMsg: []string{"gopher://u:xxxxx@h/v1"},
		},
		{
			name:    "an empty base_url",
			text:    "[embeddings]\nprovider = \"ollama\"\nbase_url = \"\"\n",
			wantKey: []string{"embeddings.base_url"},
			wantMsg: []string{"embeddings.base_url is empty"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg, path, err := resolveText(t, c.text)
			if c.wantKey == nil {
				require.NoError(t, err)
				require.Equal(t, c.want, cfg.Embeddings)
				return
			}
			require.ErrorIs(t, err, ErrInvalid)
			require.Equal(t, c.wantKey, fieldKeys(err))
			require.Contains(t, err.Error(), path)
			require.NotContains(t, err.Error(), "S3CRET")
			for _, m := range c.wantMsg {
				require.Contains(t, err.Error(), m)
			}
		})
	}
}

func TestEmbeddingsTimeout(t *testing.T) {
	require.Equal(t, 90*time.Second, Embeddings{TimeoutSecs: 90}.Timeout())
	require.Equal(t, time.Duration(1<<63-1), Embeddings{TimeoutSecs: 1 << 62}.Timeout())
}

func TestDefaultConfigValidates(t *testing.T) {
	cfg := Default(filepath.Join(t.TempDir(), "home"))
	require.NoError(t, cfg.Validate())
	cfg.Embeddings.BatchSize, cfg.Embeddings.TimeoutSecs = 0, 0
	require.NoError(t, cfg.Validate(), "0 in Go is the default")
	cfg.Embeddings.BatchSize = -1
	var fe *FieldError
	require.True(t, errors.As(cfg.Validate(), &fe))
	require.Equal(t, "embeddings.batch_size", fe.Key)
}
