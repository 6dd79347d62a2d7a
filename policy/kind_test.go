package policy

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

func TestKindOf(t *testing.T) {
	for tok, want := range map[string]TokenKind{
		"ghp_abc": KindClassic, "gho_abc": KindOAuth, "ghs_abc": KindInstallation, "ghu_abc": KindUserToServer,
		"github_pat_11AB_cd": KindFineGrained, "0123456789abcdef0123456789abcdef01234567": KindOther, "": KindOther,
	} {
		if got := KindOf(tok); got != want {
			t.Errorf("KindOf(%q) = %q, want %q", tok, got, want)
		}
	}
	for _, k := range []TokenKind{KindInstallation, KindUserToServer, KindFineGrained} {
		if k.ShowsScopes() {
			t.Errorf("%s shows scopes", k)
		}
	}
	for _, k := range []TokenKind{KindClassic, KindOAuth, KindOther} {
		if !k.ShowsScopes() {
			t.Errorf("%s does not show scopes", k)
		}
	}
}

// TestValidatorByKind: tokens whose kind shows no scopes are delegated without an API
// call; a token of unknown kind that the API answers 403, or 200 without
// X-OAuth-Scopes, is delegated too; a classic one keeps its scopes.
func TestValidatorByKind(t *testing.T) {
	var calls atomic.Int64
	gh := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		switch r.Header.Get("Authorization") {
		case "token ghp_classic":
			w.Header().Set("X-OAuth-Scopes", "read:packages")
		case "token legacy-integration":
			http.Error(w, `{"message":"Resource not accessible by integration"}`, http.StatusForbidden)
		case "token legacy-unscoped":
		default:
			http.Error(w, `{"message":"Bad credentials"}`, http.StatusUnauthorized)
		}
	}))
	defer gh.Close()
	v := NewUpstreamValidator(gh.URL, gh.Client(), time.Minute)
	ctx := context.Background()
	for _, tok := range []string{"ghs_x", "ghu_x", "github_pat_x"} {
		got, err := v.Validate(ctx, tok)
		if err != nil || !got.Known || !got.Delegated || got.Kind != KindOf(tok) {
			t.Errorf("%s: %+v %v", tok, got, err)
		}
	}
	if calls.Load() != 0 {
		t.Errorf("%d API calls for tokens that show no scopes", calls.Load())
	}
	if got, err := v.Validate(ctx, "ghp_classic"); err != nil || got.Delegated || !got.Has(ScopeRead) || got.Kind != KindClassic {
		t.Errorf("classic: %+v %v", got, err)
	}
	for _, tok := range []string{"legacy-integration", "legacy-unscoped"} {
		if got, err := v.Validate(ctx, tok); err != nil || !got.Known || !got.Delegated {
			t.Errorf("%s: %+v %v", tok, got, err)
		}
	}
	if got, err := v.Validate(ctx, "ghp_revoked"); err != nil || got.Known {
		t.Errorf("revoked: %+v %v", got, err)
	}
}
