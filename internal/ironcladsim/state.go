package ironcladsim

import (
	"strings"
	"time"
)

// state is everything the simulator knows. It is only touched with Sim.mu
// held.
type state struct {
	dialect   Dialect
	companies map[string]*company
	apps      map[string]*app   // by client id, deleted apps included
	tokens    map[string]*token // by access token
	faults    map[string][]Fault
	calls     map[string]int // by company id; "" counts unattributed requests
	// prunedAt is when long-expired tokens were last forgotten.
	prunedAt time.Time
}

func newState(d Dialect) state {
	return state{
		dialect:   d,
		companies: make(map[string]*company),
		apps:      make(map[string]*app),
		tokens:    make(map[string]*token),
		faults:    make(map[string][]Fault),
		calls:     make(map[string]int),
	}
}

// company is one Ironclad customer.
type company struct {
	id          string
	name        string
	displayName string
	active      bool
	// ratePerMinute overrides every rate-limit bucket when > 0.
	ratePerMinute int
	users         []*user // in creation order
	workflows     []*workflow
	records       []*record
	// window is the start of the current rate-limit minute and used counts
	// requests per bucket within it.
	window time.Time
	used   map[bucket]int
}

// user is an Ironclad user of a company.
type user struct {
	id        string // 24 hex digits, like Ironclad's user ids
	email     string
	firstName string
	lastName  string
	title     string
	active    bool
	created   time.Time
}

// app is an Ironclad OAuth application.
type app struct {
	companyID         string
	clientID          string
	secret            string
	scopes            []string // registered scopes, in the order added
	clientCredentials bool
	deleted           bool // kept so its tokens answer "revoked" and calls stay attributed
}

// token is an issued access token. Its scopes are fixed when it is issued.
type token struct {
	companyID string
	clientID  string
	scopes    []string
	expiresAt time.Time
	revoked   bool
}

// workflow is an Ironclad workflow, reduced to what the list shapes need.
type workflow struct {
	id           string // 24 hex digits
	ironcladID   string // "IC-n"
	title        string
	template     string
	step         string
	counterparty string
	created      time.Time
	participants []*user
}

// record is an Ironclad contract record with its attachments.
type record struct {
	id          string // a UUID
	ironcladID  string
	recordType  string
	name        string
	lastUpdated time.Time
	attachments map[string]attachment // by attachment key
}

// attachment is one file attached to a record.
type attachment struct {
	filename    string
	contentType string
}

// liveApp returns the app with the client id unless it is unknown or deleted.
func (st *state) liveApp(clientID string) *app {
	a := st.apps[clientID]
	if a == nil || a.deleted {
		return nil
	}
	return a
}

// userByEmail finds a user of the company, ignoring case: e-mail addresses
// are compared case-insensitively, as login systems do. [guess]
func (c *company) userByEmail(email string) *user {
	for _, u := range c.users {
		if strings.EqualFold(u.email, email) {
			return u
		}
	}
	return nil
}

// userByID finds a user of the company by Ironclad user id.
func (c *company) userByID(id string) *user {
	for _, u := range c.users {
		if u.id == id {
			return u
		}
	}
	return nil
}

// workflowByID finds a workflow by its id or its Ironclad id (IC-n), as the
// participants endpoint accepts either. [doc]
func (c *company) workflowByID(id string) *workflow {
	for _, w := range c.workflows {
		if w.id == id || w.ironcladID == id {
			return w
		}
	}
	return nil
}

// recordByID finds a record by its id or its Ironclad id.
func (c *company) recordByID(id string) *record {
	for _, r := range c.records {
		if r.id == id || r.ironcladID == id {
			return r
		}
	}
	return nil
}

// newUser makes an active user whose names derive from the e-mail address,
// so that profiles look plausible without more input.
func newUser(email string, now time.Time) *user {
	local, _, _ := strings.Cut(email, "@")
	first, last, _ := strings.Cut(local, ".")
	return &user{
		id:        newObjectID(),
		email:     email,
		firstName: capitalize(first),
		lastName:  capitalize(last),
		title:     "Administrator",
		active:    true,
		created:   now,
	}
}

// displayName is how Ironclad shows the user.
func (u *user) displayName() string {
	return strings.TrimSpace(u.firstName + " " + u.lastName)
}

func capitalize(s string) string {
	if s == "" {
		return ""
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
