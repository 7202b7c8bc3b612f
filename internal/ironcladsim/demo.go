package ironcladsim

import (
	"errors"
	"fmt"
	"slices"
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
func (s *Sim) SeedDemo() (DemoCompany, error) {
	d := DemoCompany{
		CompanyID:       newObjectID(),
		ClientID:        newUUID(),
		ClientSecret:    randomSecret(),
		ActingUserEmail: "admin@demo.example.com",
	}
	const colleague = "jane.doe@demo.example.com"
	err := errors.Join(
		s.AddCompany(d.CompanyID, 0),
		s.AddApp(d.CompanyID, App{
			ClientID: d.ClientID, ClientSecret: d.ClientSecret,
			Scopes: demoScopes(), ClientCredentials: true,
		}),
		s.AddUser(d.CompanyID, d.ActingUserEmail),
		s.AddUser(d.CompanyID, colleague),
	)
	if err != nil {
		return DemoCompany{}, fmt.Errorf("seeding demo company: %w", err)
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
