package formats

// Attachment is an artifact carried inside a publish body (npm's base64 tarballs),
// cached under Key once the upstream accepted the publish.
type Attachment struct {
	Key         string
	ContentType string
	Data        []byte
	Expect      []Checksum // checked again as the bytes are written to the cache
	// Invalidate lists keys the publish makes stale that its route could not name,
	// dropped once the upstream accepted it: a NuGet push URL names no package, whose
	// id is read from the body.
	Invalidate []string
	// Change, when set, is the package change the publish makes: once the upstream
	// accepted it, what the format's ChangeExpirer lists for it is expired (cached
	// search answers and pages, which no exact key names), as for a webhook.
	Change *PackageChange
}

// PublishParser is implemented by formats whose publish body is a document that
// carries artifacts, not the artifact itself. For a Route with ParseBody set, the
// proxy reads the body whole (up to a limit) and calls ParsePublish before anything
// is sent upstream: an error is the client's fault, answered with 400, and nothing is
// forwarded. The attachments returned are cached only after the upstream accepted
// the body.
type PublishParser interface {
	ParsePublish(rt Route, body []byte) ([]Attachment, error)
}

// BodyInvalidator is implemented by formats whose publishes and deletes name the
// package they change in their body only (RubyGems' push carries the gem, its
// yank a form naming it). BodyInvalidates lists the keys, beside
// Route.Invalidate, that the body makes stale once the upstream accepted it; it is
// asked only about bodies ParsePublish accepted.
type BodyInvalidator interface {
	BodyInvalidates(rt Route, body []byte) []string
}
