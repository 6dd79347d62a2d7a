package proxy

import "net/http"

// stampCacheResult sets X-Hoard-Cache just before the status line goes out, so every
// answer carries it, refusals and pass-through answers included: the request's
// result when a handler recorded one, else "error" for a failure status and
// "bypass" for the rest. It replaces any X-Hoard-Cache an upstream sent, which
// describes another cache.
//
// Every 404 says "miss", whatever led to it: a private package refused to this
// caller must not be told apart from one that does not exist (the log and the
// metrics keep the real result).
func (c *countingWriter) stampCacheResult(status int) {
	result := resultBypass
	switch {
	case status == http.StatusNotFound:
		result = resultMiss
	case c.ri != nil && c.ri.result != "":
		result = c.ri.result
	case status >= 400:
		result = resultError
	}
	if v, ok := cacheResultValues[result]; ok {
		c.ResponseWriter.Header()["X-Hoard-Cache"] = v
	}
}
