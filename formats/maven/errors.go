package maven

import (
	"fmt"
	"net/http"
)

// WriteError implements formats.Format. Maven and Gradle read only the status code and
// show the body as text.
func (Format) WriteError(w http.ResponseWriter, _ *http.Request, status int, err error) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	fmt.Fprintln(w, err.Error())
}
