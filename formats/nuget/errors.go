package nuget

import (
	"encoding/json"
	"net/http"
	"strings"
)

// warningHeader is the header NuGet clients log as a warning from the server.
const warningHeader = "X-NuGet-Warning"

// printableASCII keeps a header value to printable ASCII.
func printableASCII(r rune) rune {
	if r < 0x20 || r > 0x7e {
		return '?'
	}
	return r
}

// WriteError answers in the JSON shape NuGet servers use for errors. NuGet.exe
// and dotnet print the status but not the body; a refusal's message goes in
// X-NuGet-Warning too, the header they print as the server's warning, so that a
// refusal by the operator's policy reaches the person with the rule it names.
func (Format) WriteError(w http.ResponseWriter, _ *http.Request, status int, err error) {
	body, _ := json.Marshal(map[string]any{"statusCode": status, "message": err.Error()})
	if status == http.StatusForbidden {
		// Not on a 401: NuGet would warn of every challenge it then answers.
		w.Header().Set(warningHeader, strings.Map(printableASCII, err.Error()))
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	w.Write(append(body, '\n'))
}
