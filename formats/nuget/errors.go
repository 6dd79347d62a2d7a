package nuget

import (
	"encoding/json"
	"net/http"
)

// WriteError answers in the JSON shape NuGet servers use for errors; NuGet.exe and
// dotnet print the status and this message.
func (Format) WriteError(w http.ResponseWriter, _ *http.Request, status int, err error) {
	body, _ := json.Marshal(map[string]any{"statusCode": status, "message": err.Error()})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	w.Write(append(body, '\n'))
}
