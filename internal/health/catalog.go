package health

// CodeInfo is one entry of the troubleshooting catalog: what a code means
// and how the customer fixes it, in the troubleshooting page's own words.
type CodeInfo struct {
	Code       Code       `json:"code"`
	Capability Capability `json:"capability"`
	Kind       Kind       `json:"kind"`
	// Title is a short human title of our own, for lists and alert subjects.
	Title string `json:"title"`
	// Message is the page's message for the code, verbatim: the text after
	// "ICD-10x-K: " on its heading line.
	Message string `json:"message"`
	// Remedy is the page's remedy, verbatim: the explanatory paragraph, each
	// step or bullet (nested bullets flattened, in page order) and the
	// closing sentence. Where the page names no scope, neither does Remedy.
	Remedy []string `json:"remedy"`
	// Scopes are the scopes of the capability (none for credentials and
	// application), so that callers need not parse Remedy for them.
	Scopes []Scope `json:"scopes,omitempty"`
}

// Catalog returns all ten codes, ICD-100-A … ICD-104-B, in order. Each call
// returns a fresh copy that the caller may modify.
func Catalog() []CodeInfo {
	// The catalog is built on each call rather than held in a package
	// variable so that no caller can change what another one sees; it is
	// small and read rarely (alert payloads, the API), so this costs nothing.
	const (
		denied  = "The Application you created in Ironclad does not have sufficient permissions to connect the integration."
		revoked = "The permissions associated with the Application you created in Ironclad for connecting this integration are revoked."
	)
	entries := []CodeInfo{
		{
			Code: "ICD-100-A", Title: "Invalid client credentials",
			Message: "The Client ID and Client Secret used are invalid. Please ensure the right Client ID and Client Secret are used.",
			Remedy: []string{
				"This error occurs when attempting to connect Ironclad to Zluri with an incorrect Client ID or Client Secret. To fix this:",
				"Carefully follow the instructions to obtain the Ironclad Client ID and Secret.",
				"Copy the Client ID and Client Secret exactly as provided in Ironclad, ensuring there are no missing or extra characters.",
				"Try connecting Ironclad to Zluri again.",
			},
		},
		{
			Code: "ICD-100-B", Title: "Client credentials expired or removed",
			Message: "The Client ID and Client Secret used earlier have expired or been removed. Use a new Client ID and Client Secret to reconnect the integration.",
			Remedy: []string{
				"This error occurs if the Client ID and Client Secret used to connect Ironclad to Zluri are no longer valid.",
				"To resolve this, generate a new Client ID and Secret in Ironclad and update the credentials in Zluri before reconnecting the integration.",
			},
		},
		{
			Code: "ICD-101-A", Title: "Application lacks permissions",
			Message: denied + " Please ensure the Application has the right permissions before reconnecting the integration.",
			Remedy: []string{
				"This error occurs when the Ironclad application does not have the necessary permissions to connect to Zluri. To resolve this:",
				"Reconnect to Zluri after configuring the permissions.",
			},
		},
		{
			Code: "ICD-101-B", Title: "Application permissions revoked",
			Message: revoked + " Please ensure that the Application has the right permissions before reconnecting the integration.",
			Remedy: []string{
				"This error occurs when the previously assigned permissions for the Ironclad application have been revoked. To fix this:",
				"Check if the required scopes are still enabled in Ironclad.",
				"Reassign the necessary scopes, especially scim.users.readUsers, to the application.",
				"Update the permissions and reconnect to Zluri.",
			},
		},
		{
			Code: "ICD-102-A", Title: "Users permission missing",
			Message: denied + " Please ensure the Application has the right permissions to access users before reconnecting the integration.",
			Remedy: []string{
				"This error occurs if the application in Ironclad does not have access to user data. To resolve this:",
				"Reconnect to Zluri after enabling the necessary scope.",
			},
		},
		{
			Code: "ICD-102-B", Title: "Users permission revoked",
			Message: revoked + " Please ensure that the Application has the right permissions to access users before reconnecting the integration.",
			Remedy: []string{
				"This error occurs when user-related permissions were previously granted but have been revoked. To fix this:",
				"Re-enable the scim.users.readUsers scope in Ironclad.",
				"Verify that the application has access to user data.",
				"Restore the permissions and reconnect to Zluri.",
			},
		},
		{
			Code: "ICD-103-A", Title: "Workflows permission missing",
			Message: denied + " Please ensure the Application has the right permissions to access workflows before reconnecting the integration.",
			Remedy: []string{
				"This error occurs if the application does not have access to workflow data. To resolve this:",
				"Enable at least one of the following optional scopes in Ironclad:",
				"public.workflows.readParticipants (for accessing the list of workflow participants)",
				"public.workflows.readWorkflows (for accessing workflows)",
				"Follow the steps to set up permissions in Ironclad.",
				"Update the permissions and reconnect to Zluri.",
			},
		},
		{
			Code: "ICD-103-B", Title: "Workflows permission revoked",
			Message: revoked + " Please ensure that the Application has the right permissions to access workflows before reconnecting the integration.",
			Remedy: []string{
				"This error occurs when previously granted workflow-related permissions have been revoked. To fix this:",
				"Check if public.workflows.readParticipants and public.workflows.readWorkflows are still enabled.",
				"Reassign these permissions in Ironclad if necessary.",
				"Restore the permissions and reconnect to Zluri.",
			},
		},
		{
			Code: "ICD-104-A", Title: "Records permission missing",
			Message: denied + " Please ensure the Application has the right permissions to access records before reconnecting the integration.",
			Remedy: []string{
				"This error occurs when the application lacks the necessary permissions to access records. To resolve this:",
				"Enable at least one of the following optional scopes in Ironclad:",
				"public.records.readRecords (for accessing records in the company)",
				"public.records.readAttachments (for accessing attachments associated with specific records)",
				"Follow the steps to set up permissions in Ironclad.",
				"Reconnect to Zluri after enabling the necessary scopes.",
			},
		},
		{
			Code: "ICD-104-B", Title: "Records permission revoked",
			Message: revoked + " Please ensure that the Application has the right permissions to access records before reconnecting the integration.",
			Remedy: []string{
				"This error occurs when record-related permissions were previously granted but have been revoked. To fix this:",
				"Check if public.records.readRecords and public.records.readAttachments are still enabled in Ironclad.",
				"If permissions were removed, reassign them and save the changes.",
				"Update the permissions and reconnect to Zluri.",
			},
		},
	}
	// Capability, kind and scopes follow from the code; deriving them keeps
	// the table above down to what only the page can say.
	for i := range entries {
		e := &entries[i]
		e.Capability = e.Code.Capability()
		e.Kind = e.Code.Kind()
		e.Scopes = ScopesOf(e.Capability)
	}
	return entries
}

// Lookup returns the catalog entry of a code, and false when the code is not
// one of the ten.
func Lookup(c Code) (CodeInfo, bool) {
	for _, info := range Catalog() {
		if info.Code == c {
			return info, true
		}
	}
	return CodeInfo{}, false
}
