package ironcladsim

import "time"

// The JSON shapes of successful responses, each named after the OpenAPI
// schema it follows. The spec-conformance test checks them against the
// published specs' required fields and property types.

// timeFormat is how Ironclad prints timestamps: '2016-11-17T00:37:22.318Z'.
const timeFormat = "2006-01-02T15:04:05.000Z07:00"

func formatTime(t time.Time) string { return t.UTC().Format(timeFormat) }

// userinfoJSON is the 200 body of GET /oauth/userinfo.
type userinfoJSON struct {
	Sub         string   `json:"sub"`
	ID          string   `json:"id"`
	Email       string   `json:"email"`
	Username    string   `json:"username"`
	FirstName   string   `json:"firstName"`
	LastName    string   `json:"lastName"`
	DisplayName string   `json:"displayName"`
	Title       string   `json:"title"`
	CompanyID   string   `json:"companyId"`
	CompanyName string   `json:"companyName"`
	Scopes      []string `json:"scopes"`
}

// companyInfoJSON is the 200 body of GET /oauth/company-info.
type companyInfoJSON struct {
	CompanyID          string                     `json:"companyId"`
	CompanyName        string                     `json:"companyName"`
	CompanyDisplayName string                     `json:"companyDisplayName"`
	Entitlements       map[string]entitlementJSON `json:"entitlements"`
}

// entitlementJSON is one entry of companyInfoJSON.Entitlements.
type entitlementJSON struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	Type        string `json:"type"`
	Value       bool   `json:"value"`
}

// pageJSON is the Public API's paged list: page, pageSize, count and list.
type pageJSON[T any] struct {
	Page     int `json:"page"`
	PageSize int `json:"pageSize"`
	Count    int `json:"count"`
	List     []T `json:"list"`
}

// workflowJSON is WorkflowResponseModel (additionalProperties: false, so no
// field may be added that the schema does not list).
type workflowJSON struct {
	ID                   string                `json:"id"`
	IroncladID           string                `json:"ironcladId"`
	Title                string                `json:"title"`
	Template             string                `json:"template"`
	Step                 string                `json:"step"`
	Schema               map[string]schemaJSON `json:"schema"`
	Attributes           map[string]any        `json:"attributes"`
	IsCancelled          bool                  `json:"isCancelled"`
	IsComplete           bool                  `json:"isComplete"`
	Status               string                `json:"status"`
	Creator              *creatorJSON          `json:"creator,omitempty"`
	Created              string                `json:"created"`
	LastUpdated          string                `json:"lastUpdated"`
	Roles                []roleJSON            `json:"roles"`
	Approvals            stateJSON             `json:"approvals"`
	Signatures           stateJSON             `json:"signatures"`
	RecordIDs            []string              `json:"recordIds"`
	IsRevertibleToReview bool                  `json:"isRevertibleToReview"`
}

// schemaJSON describes one workflow attribute.
type schemaJSON struct {
	Type        string `json:"type"`
	DisplayName string `json:"displayName"`
	PropertyKey string `json:"propertyKey"`
	ReadOnly    bool   `json:"readOnly"`
}

// creatorJSON is the workflow's creator.
type creatorJSON struct {
	ID          string         `json:"id"`
	DisplayName string         `json:"displayName"`
	Email       string         `json:"email"`
	Title       string         `json:"title"`
	Username    string         `json:"username"`
	Metadata    map[string]any `json:"metadata"`
}

// roleJSON is a workflow role with its assignees.
type roleJSON struct {
	ID          string         `json:"id"`
	DisplayName string         `json:"displayName"`
	Assignees   []assigneeJSON `json:"assignees"`
}

// assigneeJSON is a user assigned to a workflow role.
type assigneeJSON struct {
	UserName string `json:"userName"`
	UserID   string `json:"userId"`
	Email    string `json:"email"`
}

// stateJSON is WorkflowStateModel in its not_started form.
type stateJSON struct {
	State string `json:"state"`
}

// participantJSON is one item of the participants list.
type participantJSON struct {
	UserID string `json:"userId"`
	Email  string `json:"email"`
}

// recordJSON is RecordModel.
type recordJSON struct {
	ID          string                    `json:"id"`
	IroncladID  string                    `json:"ironcladId"`
	Type        string                    `json:"type"`
	Name        string                    `json:"name"`
	LastUpdated string                    `json:"lastUpdated"`
	Properties  map[string]propertyJSON   `json:"properties"`
	Attachments map[string]attachmentJSON `json:"attachments"`
	Links       []linkJSON                `json:"links"`
}

// propertyJSON is RecordPropertyString.
type propertyJSON struct {
	Type  string `json:"type"`
	Value string `json:"value"`
}

// attachmentJSON describes an attachment of a record.
type attachmentJSON struct {
	Filename    string `json:"filename"`
	ContentType string `json:"contentType"`
	Href        string `json:"href"`
}

// linkJSON is a link to another record.
type linkJSON struct {
	RecordID string `json:"recordId"`
}

// scimListJSON is the SCIM ListResponse of GET /scim/v2/Users.
type scimListJSON struct {
	Schemas      []string       `json:"schemas"`
	TotalResults int            `json:"totalResults"`
	Resources    []scimUserJSON `json:"Resources"`
	StartIndex   int            `json:"startIndex"`
	ItemsPerPage int            `json:"itemsPerPage"`
}

// scimUserJSON is UserResponseObject.
type scimUserJSON struct {
	Schemas  []string        `json:"schemas"`
	ID       string          `json:"id"`
	UserName string          `json:"userName"`
	Name     scimNameJSON    `json:"name"`
	Title    string          `json:"title"`
	Emails   []scimEmailJSON `json:"emails"`
	Active   bool            `json:"active"`
	Meta     scimMetaJSON    `json:"meta"`
}

// scimNameJSON is a SCIM user's name.
type scimNameJSON struct {
	GivenName  string `json:"givenName"`
	FamilyName string `json:"familyName"`
}

// scimEmailJSON is one of a SCIM user's e-mail addresses.
type scimEmailJSON struct {
	Value   string `json:"value"`
	Type    string `json:"type"`
	Primary bool   `json:"primary"`
}

// scimMetaJSON is a SCIM resource's metadata.
type scimMetaJSON struct {
	ResourceType string `json:"resourceType"`
	Created      string `json:"created"`
	LastModified string `json:"lastModified"`
	Location     string `json:"location"`
}
