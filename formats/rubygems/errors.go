package rubygems

import "net/http"

// WriteError answers as RubyGems servers do, in plain text, which gem and bundle
// print as the server's message.
func (Format) WriteError(w http.ResponseWriter, _ *http.Request, status int, err error) {
	w.Header().Set("Content-Type", textType)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	w.Write([]byte(err.Error() + "\n"))
}
