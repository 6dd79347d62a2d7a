package policy

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/hashicorp/golang-lru/v2/expirable"
)

// UpstreamValidator checks tokens against the GitHub API: a GET of the validate URL
// (https://api.github.com/user by default) with the token answers 200 with the
// token's scopes in X-OAuth-Scopes, or 401 for an unknown or revoked token.
// Verdicts are cached for TTL, so a revoked token stops working within TTL.
//
// Tokens whose kind shows no scopes (installation, user-to-server, fine-grained) are
// not sent to the API at all: it could not tell what they may do with packages (an
// installation token gets 403 "Resource not accessible by integration" there), and
// GITHUB_TOKEN has few API calls to spare. Their verdict is Delegated: the upstream
// registry decides each request.
type UpstreamValidator struct {
	url     string
	client  *http.Client
	ttl     time.Duration
	verdict *expirable.LRU[string, Verdict]
}

// NewUpstreamValidator builds a validator; ttl bounds how long a verdict is trusted.
func NewUpstreamValidator(url string, client *http.Client, ttl time.Duration) *UpstreamValidator {
	return &UpstreamValidator{
		url: url, client: client, ttl: ttl,
		verdict: expirable.NewLRU[string, Verdict](100_000, nil, ttl),
	}
}

// Validate implements Validator.
func (u *UpstreamValidator) Validate(ctx context.Context, token string) (Verdict, error) {
	kind := KindOf(token)
	if !kind.ShowsScopes() {
		return Verdict{Known: true, Delegated: true, Kind: kind}, nil
	}
	key := TokenHash(token)
	if v, ok := u.verdict.Get(key); ok {
		return v, nil
	}
	v, err := u.ask(ctx, token)
	if err != nil {
		return Verdict{}, err
	}
	v.Kind = kind
	u.verdict.Add(key, v)
	return v, nil
}

func (u *UpstreamValidator) ask(ctx context.Context, token string) (Verdict, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.url, nil)
	if err != nil {
		return Verdict{}, fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	req.Header.Set("Authorization", "token "+token)
	req.Header.Set("Accept", "application/vnd.github+json")
	req.Header.Set("User-Agent", "hoard/1")
	resp, err := u.client.Do(req)
	if err != nil {
		// The error may quote the URL, never the token: the token is only in a header.
		return Verdict{}, fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	switch resp.StatusCode {
	case http.StatusOK:
		if _, shown := resp.Header["X-Oauth-Scopes"]; !shown {
			// A token the API knows but whose scopes it does not show: a kind
			// without a prefix Hoard knows. The upstream decides.
			return Verdict{Known: true, Delegated: true}, nil
		}
		return Verdict{Known: true, Scopes: ParseScopes(resp.Header.Get("X-OAuth-Scopes"))}, nil
	case http.StatusUnauthorized:
		return Verdict{}, nil
	case http.StatusForbidden:
		// Known, but not a user: an integration's token ("Resource not accessible
		// by integration"). The upstream decides.
		return Verdict{Known: true, Delegated: true}, nil
	}
	return Verdict{}, fmt.Errorf("%w: validator answered %d", ErrUnavailable, resp.StatusCode)
}

// Forget drops a cached verdict (after the upstream refused a token it admitted).
func (u *UpstreamValidator) Forget(token string) { u.verdict.Remove(TokenHash(token)) }
