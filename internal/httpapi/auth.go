package httpapi

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strings"

	"github.com/rs/zerolog"
)

// requireBearer lets through requests carrying "Authorization: Bearer
// <token>" and answers the others with deny. The tokens are compared as
// SHA-256 digests in constant time, so neither the token's content nor its
// length shows in the timing.
func requireBearer(token string, next http.Handler, deny http.HandlerFunc) http.Handler {
	want := sha256.Sum256([]byte(token))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scheme, got, ok := strings.Cut(r.Header.Get("Authorization"), " ")
		gotSum := sha256.Sum256([]byte(got))
		if !ok || !strings.EqualFold(scheme, "Bearer") || subtle.ConstantTimeCompare(gotSum[:], want[:]) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="grantwatch"`)
			deny(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// denyText refuses a request in plain text (River UI).
func denyText(w http.ResponseWriter, _ *http.Request) {
	http.Error(w, "unauthorized", http.StatusUnauthorized)
}

// denyJSON refuses a request in the API's JSON.
func denyJSON(w http.ResponseWriter, r *http.Request) {
	// Nothing is logged for a refusal: there is no cause to record.
	writeError(w, r, zerolog.Nop(), Errorf(KindUnauthorized, "a valid Authorization: Bearer token is required"))
}
