package npm

import (
	"encoding/json"
	"net/http"
)

// WriteError answers in npm's shape, {"error": "..."}, which every client prints.
func (Format) WriteError(w http.ResponseWriter, _ *http.Request, status int, err error) {
	body, _ := json.Marshal(map[string]string{"error": err.Error()})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	w.Write(append(body, '\n'))
}
