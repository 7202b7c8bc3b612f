package cli

import (
	"encoding/json"
	"io"

	"github.com/grantwatch/grantwatch/internal/health"
)

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// scopeNames spells scopes as plain strings.
func scopeNames(scopes []health.Scope) []string {
	out := make([]string, len(scopes))
	for i, s := range scopes {
		out[i] = string(s)
	}
	return out
}
