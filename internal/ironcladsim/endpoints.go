package ironcladsim

import (
	"fmt"
	"net/http"
	"strconv"
)

// userinfo serves GET /oauth/userinfo: the acting user's profile and the
// token's scopes.
func (s *Sim) userinfo(_ *http.Request, c caller) reply {
	u := c.user
	return ok(userinfoJSON{
		Sub:         u.id,
		ID:          u.id,
		Email:       u.email,
		Username:    u.email,
		FirstName:   u.firstName,
		LastName:    u.lastName,
		DisplayName: u.displayName(),
		Title:       u.title,
		CompanyID:   c.company.id,
		CompanyName: c.company.name,
		Scopes:      append([]string{}, c.token.scopes...),
	})
}

// companyInfo serves GET /oauth/company-info. [doc] 403 when the company is
// inactive.
func (s *Sim) companyInfo(r *http.Request, c caller) reply {
	if !c.company.active {
		return forbidden(r)
	}
	return ok(companyInfoJSON{
		CompanyID:          c.company.id,
		CompanyName:        c.company.name,
		CompanyDisplayName: c.company.displayName,
		Entitlements:       map[string]entitlementJSON{},
	})
}

// scimUsers serves GET /scim/v2/Users: the company's active users. [doc]
// Inactive users are not found by SCIM. The filter parameter is ignored.
func (s *Sim) scimUsers(r *http.Request, c caller) reply {
	startIndex, err := intParam(r, "startIndex", 1)
	if err != nil {
		return invalidParam(r, "startIndex", err.Error())
	}
	count, err := intParam(r, "count", defaultSCIMCount)
	if err != nil {
		return invalidParam(r, "count", err.Error())
	}
	// [rfc] RFC 7644 §3.4.2.4: startIndex below 1 means 1, a negative count
	// means 0. [doc] count is at most 1000.
	startIndex = max(startIndex, 1)
	count = min(max(count, 0), maxSCIMCount)

	var active []*user
	for _, u := range c.company.users {
		if u.active {
			active = append(active, u)
		}
	}
	resources := []scimUserJSON{}
	for _, u := range window(active, startIndex-1, count) {
		resources = append(resources, scimUser(r, u))
	}
	return ok(scimListJSON{
		Schemas:      []string{scimListSchema},
		TotalResults: len(active),
		Resources:    resources,
		StartIndex:   startIndex,
		ItemsPerPage: len(resources),
	})
}

func scimUser(r *http.Request, u *user) scimUserJSON {
	return scimUserJSON{
		Schemas:  []string{scimUserSchema},
		ID:       u.id,
		UserName: u.email,
		Name:     scimNameJSON{GivenName: u.firstName, FamilyName: u.lastName},
		Title:    u.title,
		Emails:   []scimEmailJSON{{Value: u.email, Type: "work", Primary: true}},
		Active:   u.active,
		Meta: scimMetaJSON{
			ResourceType: "User",
			Created:      formatTime(u.created),
			LastModified: formatTime(u.created),
			Location:     baseURL(r) + scimUsersPath + "/" + u.id,
		},
	}
}

// workflows serves GET /public/api/v1/workflows.
func (s *Sim) workflows(r *http.Request, c caller) reply {
	page, size, bad, failed := paging(r)
	if failed {
		return bad
	}
	return ok(pageOf(c.company.workflows, page, size, workflowModel))
}

func workflowModel(w *workflow) workflowJSON {
	assignees := []assigneeJSON{}
	for _, u := range w.participants {
		assignees = append(assignees, assigneeJSON{UserName: u.displayName(), UserID: u.id, Email: u.email})
	}
	wj := workflowJSON{
		ID:         w.id,
		IroncladID: w.ironcladID,
		Title:      w.title,
		Template:   w.template,
		Step:       w.step,
		Schema: map[string]schemaJSON{
			"counterpartyName": {Type: "string", DisplayName: "Counterparty Name", PropertyKey: "counterpartyName"},
		},
		Attributes:  map[string]any{"counterpartyName": w.counterparty},
		Status:      "active",
		Created:     formatTime(w.created),
		LastUpdated: formatTime(w.created),
		Roles:       []roleJSON{{ID: "legal", DisplayName: "Legal", Assignees: assignees}},
		Approvals:   stateJSON{State: "not_started"},
		Signatures:  stateJSON{State: "not_started"},
		RecordIDs:   []string{},
	}
	if len(w.participants) > 0 {
		u := w.participants[0]
		wj.Creator = &creatorJSON{
			ID: u.id, DisplayName: u.displayName(), Email: u.email, Title: u.title,
			Username: u.email, Metadata: map[string]any{},
		}
	}
	return wj
}

// participants serves GET /public/api/v1/workflows/{id}/participants.
func (s *Sim) participants(r *http.Request, c caller) reply {
	page, size, bad, failed := paging(r)
	if failed {
		return bad
	}
	w := c.company.workflowByID(r.PathValue("id"))
	if w == nil {
		return notFound(r, "workflow does not exist", "workflowId")
	}
	return ok(pageOf(w.participants, page, size, func(u *user) participantJSON {
		return participantJSON{UserID: u.id, Email: u.email}
	}))
}

// records serves GET /public/api/v1/records.
func (s *Sim) records(r *http.Request, c caller) reply {
	page, size, bad, failed := paging(r)
	if failed {
		return bad
	}
	return ok(pageOf(c.company.records, page, size, func(rec *record) recordJSON { return recordModel(r, rec) }))
}

func recordModel(r *http.Request, rec *record) recordJSON {
	attachments := make(map[string]attachmentJSON, len(rec.attachments))
	for key, a := range rec.attachments {
		attachments[key] = attachmentModel(r, rec, key, a)
	}
	return recordJSON{
		ID:          rec.id,
		IroncladID:  rec.ironcladID,
		Type:        rec.recordType,
		Name:        rec.name,
		LastUpdated: formatTime(rec.lastUpdated),
		Properties: map[string]propertyJSON{
			"counterpartyName": {Type: "string", Value: rec.name},
		},
		Attachments: attachments,
		Links:       []linkJSON{},
	}
}

func attachmentModel(r *http.Request, rec *record, key string, a attachment) attachmentJSON {
	return attachmentJSON{
		Filename:    a.filename,
		ContentType: a.contentType,
		Href:        baseURL(r) + recordsPath + "/" + rec.id + "/attachments/" + key,
	}
}

// attachment serves GET /public/api/v1/records/{id}/attachments/{key}.
// [guess] The spec gives the 200 body as a JSON object with no listed
// properties; the simulator answers with the attachment's description
// rather than the file, which is all a probe needs.
func (s *Sim) attachment(r *http.Request, c caller) reply {
	id, key := r.PathValue("id"), r.PathValue("key")
	rec := c.company.recordByID(id)
	if rec == nil {
		return notFound(r, fmt.Sprintf("couldn't find a record matching the id %s", id), "")
	}
	a, found := rec.attachments[key]
	if !found {
		return notFound(r, fmt.Sprintf("couldn't find an attachment matching the key %s for record with id %s", key, id), "")
	}
	return ok(attachmentModel(r, rec, key, a))
}

// paging reads the Public API's page and pageSize parameters. [doc] page is
// 0-based, pageSize 1–100 with default 20; out of range is a 400.
func paging(r *http.Request) (page, size int, bad reply, failed bool) {
	page, err := intParam(r, "page", 0)
	if err == nil && (page < 0 || page > maxPage) {
		err = fmt.Errorf("page must be between 0 and %d", maxPage)
	}
	if err != nil {
		return 0, 0, invalidParam(r, "page", err.Error()), true
	}
	size, err = intParam(r, "pageSize", defaultPageSize)
	if err == nil && (size < minPageSize || size > maxPageSize) {
		err = fmt.Errorf("pageSize must be between %d and %d", minPageSize, maxPageSize)
	}
	if err != nil {
		return 0, 0, invalidParam(r, "pageSize", err.Error()), true
	}
	return page, size, reply{}, false
}

// pageOf renders one page of items, counting all of them. The list is never
// nil: an empty page shows "list": [], since the spec types it as an array.
func pageOf[T, J any](items []T, page, size int, model func(T) J) pageJSON[J] {
	list := []J{}
	for _, it := range window(items, page*size, size) {
		list = append(list, model(it))
	}
	return pageJSON[J]{Page: page, PageSize: size, Count: len(items), List: list}
}

// intParam reads an integer query parameter, def when absent.
func intParam(r *http.Request, name string, def int) (int, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, fmt.Errorf("%s must be an integer", name)
	}
	return n, nil
}

// window returns the items of the page that starts at offset and holds at
// most size items.
func window[T any](items []T, offset, size int) []T {
	if offset >= len(items) || size <= 0 {
		return nil
	}
	return items[offset:min(offset+size, len(items))]
}

// baseURL is the scheme and host the request reached, for the links Ironclad
// puts in its bodies.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
