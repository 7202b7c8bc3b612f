package ironcladsim

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"
)

// DemoCompany is what SeedDemo created: enough to configure a tenant.
type DemoCompany struct {
	CompanyID       string `json:"company_id"`
	ClientID        string `json:"client_id"`
	ClientSecret    string `json:"client_secret"`
	ActingUserEmail string `json:"acting_user_email"`
}

// demoScopes are the five scopes grantwatch checks, spelled as Ironclad does.
// They are repeated here rather than imported from internal/health so that the
// simulator stays independent of the code it tests.
func demoScopes() []string {
	return []string{
		"scim.users.readUsers",
		"public.workflows.readWorkflows",
		"public.workflows.readParticipants",
		"public.records.readRecords",
		"public.records.readAttachments",
	}
}

// SeedDemo creates a ready-made company: an application with all five
// integration scopes and the client credentials grant, an active
// administrator, a colleague, and a few workflows and records. Each call
// creates a new company with fresh ids.
func (s *Sim) SeedDemo() (DemoCompany, error) { return s.SeedDemoWith(DemoCompany{}) }

// SeedDemoWith is SeedDemo with chosen values: each non-empty field of want is
// used as given (so a demo deployment can keep a stable client id and secret
// across restarts), each empty one is generated.
func (s *Sim) SeedDemoWith(want DemoCompany) (DemoCompany, error) {
	d := DemoCompany{
		CompanyID:       cmp.Or(want.CompanyID, newObjectID()),
		ClientID:        cmp.Or(want.ClientID, newUUID()),
		ClientSecret:    cmp.Or(want.ClientSecret, randomSecret()),
		ActingUserEmail: cmp.Or(want.ActingUserEmail, "admin@demo.example.com"),
	}
	colleague := "jane.doe@demo.example.com"
	if strings.EqualFold(colleague, d.ActingUserEmail) {
		colleague = "john.roe@demo.example.com"
	}
	steps := []func() error{
		func() error { return s.AddCompany(d.CompanyID, 0) },
		func() error {
			return s.AddApp(d.CompanyID, App{
				ClientID: d.ClientID, ClientSecret: d.ClientSecret,
				Scopes: demoScopes(), ClientCredentials: true,
			})
		},
		func() error { return s.AddUser(d.CompanyID, d.ActingUserEmail) },
		func() error { return s.AddUser(d.CompanyID, colleague) },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return DemoCompany{}, fmt.Errorf("seeding demo company: %w", err)
		}
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.state.companies[d.CompanyID]
	c.name, c.displayName = "Demo Company Inc.", "Demo Company"
	now := s.now()
	for i, counterparty := range []string{"Acme Corp", "Globex", "Initech"} {
		w := &workflow{
			id:           newObjectID(),
			ironcladID:   fmt.Sprintf("IC-%d", i+1),
			title:        "Consulting Agreement with " + counterparty,
			template:     newObjectID(),
			step:         "Review",
			counterparty: counterparty,
			created:      now.Add(-time.Duration(i+1) * 24 * time.Hour),
			participants: slices.Clone(c.users),
		}
		c.workflows = append(c.workflows, w)
		c.records = append(c.records, &record{
			id:          newUUID(),
			ironcladID:  fmt.Sprintf("IC-%d", 100+i),
			recordType:  "consultingAgreement",
			name:        "Consulting Agreement with " + counterparty,
			lastUpdated: w.created,
			attachments: map[string]attachment{
				"signedCopy": {filename: counterparty + " - Consulting Agreement.pdf", contentType: "application/pdf"},
			},
		})
	}
	return d, nil
}
