package httpapi

import (
	"net/http"

	"github.com/grantwatch/grantwatch/internal/view"
)

// defaultIncidentLimit matches `worker history`'s default.
const defaultIncidentLimit = 50

// incidents answers GET /v1/incidents with the shape of `history --json`.
func (a *api) incidents(w http.ResponseWriter, r *http.Request) error {
	q := readQuery(r, "tenant", "code", "open", "since", "limit")
	return a.answerIncidents(w, r, q, q.str("tenant"))
}

// tenantIncidents answers GET /v1/tenants/{ext}/incidents: the same list for
// one tenant. Alerts link here.
func (a *api) tenantIncidents(w http.ResponseWriter, r *http.Request) error {
	q := readQuery(r, "code", "open", "since", "limit")
	return a.answerIncidents(w, r, q, r.PathValue("ext"))
}

func (a *api) answerIncidents(w http.ResponseWriter, r *http.Request, q *query, tenant string) error {
	iq := IncidentQuery{
		Tenant:   tenant,
		Code:     q.code("code"),
		OpenOnly: q.bool("open"),
		Since:    q.since("since", a.now()),
		Limit:    int(q.int("limit", defaultIncidentLimit, 1, maxPageSize)),
	}
	if err := q.err(); err != nil {
		return err
	}
	list, err := a.backend.Incidents(r.Context(), iq)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, view.List(list))
	return nil
}
