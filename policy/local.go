package policy

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"
)

// TokensFile is where local tokens live inside the data directory: hashes only.
const TokensFile = "tokens.json"

// LocalToken is one token made with `hoard token create`.
type LocalToken struct {
	Name       string    `json:"name"`
	Hash       string    `json:"hash"` // sha256 of the token, hex
	Scopes     []Scope   `json:"scopes"`
	Namespaces []string  `json:"namespaces,omitempty"`
	Created    time.Time `json:"created"`
	Expires    time.Time `json:"expires,omitempty"`
}

// LocalStore keeps tokens in a JSON file that the CLI rewrites atomically while a
// daemon reads it; the daemon re-reads the file when it changes, checked at most every
// reload interval, so a revocation takes effect within seconds.
type LocalStore struct {
	path   string
	reload time.Duration
	now    func() time.Time

	mu      sync.Mutex
	checked time.Time
	modTime time.Time
	size    int64
	byHash  map[string]LocalToken
}

// OpenLocal opens the token file in dataDir (absent means no tokens yet).
func OpenLocal(dataDir string, reload time.Duration) *LocalStore {
	return &LocalStore{path: filepath.Join(dataDir, TokensFile), reload: reload, now: time.Now}
}

// Validate implements Validator.
func (s *LocalStore) Validate(_ context.Context, token string) (Verdict, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.refreshLocked(); err != nil {
		return Verdict{}, fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	h := TokenHash(token)
	t, ok := s.byHash[h]
	if !ok || subtle.ConstantTimeCompare([]byte(t.Hash), []byte(h)) != 1 {
		return Verdict{}, nil
	}
	if !t.Expires.IsZero() && s.now().After(t.Expires) {
		return Verdict{}, nil
	}
	scopes := map[Scope]bool{}
	for _, sc := range t.Scopes {
		scopes[sc] = true
	}
	if scopes[ScopeWrite] {
		scopes[ScopeRead] = true
	}
	return Verdict{Known: true, Name: t.Name, Scopes: scopes, Namespaces: t.Namespaces}, nil
}

func (s *LocalStore) refreshLocked() error {
	if s.byHash != nil && s.now().Sub(s.checked) < s.reload {
		return nil
	}
	s.checked = s.now()
	st, err := os.Stat(s.path)
	if errors.Is(err, os.ErrNotExist) {
		s.byHash = map[string]LocalToken{}
		return nil
	}
	if err != nil {
		return err
	}
	if s.byHash != nil && st.ModTime().Equal(s.modTime) && st.Size() == s.size {
		return nil
	}
	tokens, err := readTokens(s.path)
	if err != nil {
		return err
	}
	s.byHash = map[string]LocalToken{}
	for _, t := range tokens {
		s.byHash[t.Hash] = t
	}
	s.modTime, s.size = st.ModTime(), st.Size()
	return nil
}

func readTokens(path string) ([]LocalToken, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var tokens []LocalToken
	if err := json.Unmarshal(data, &tokens); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return tokens, nil
}

// writeTokens replaces the file atomically so a daemon never reads half of it.
func writeTokens(path string, tokens []LocalToken) error {
	sort.Slice(tokens, func(i, j int) bool { return tokens[i].Name < tokens[j].Name })
	data, err := json.MarshalIndent(tokens, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tokens-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// CreateToken makes a new token, stores its hash, and returns the token: the only
// time it is ever shown.
func CreateToken(dataDir, name string, scopes []Scope, namespaces []string, ttl time.Duration) (string, error) {
	if name == "" || strings.ContainsAny(name, " \t\n") {
		return "", errors.New("--name must be a non-empty word")
	}
	for _, sc := range scopes {
		if sc != ScopeRead && sc != ScopeWrite && sc != ScopeDelete {
			return "", fmt.Errorf("unknown scope %q (read:packages, write:packages, delete:packages)", sc)
		}
	}
	path := filepath.Join(dataDir, TokensFile)
	return withTokens(path, func(tokens []LocalToken) ([]LocalToken, string, error) {
		for _, t := range tokens {
			if t.Name == name {
				return nil, "", fmt.Errorf("a token named %q exists; revoke it first", name)
			}
		}
		var raw [24]byte
		if _, err := rand.Read(raw[:]); err != nil {
			return nil, "", err
		}
		token := "hoard_" + hex.EncodeToString(raw[:])
		t := LocalToken{Name: name, Hash: TokenHash(token), Scopes: scopes, Namespaces: namespaces, Created: time.Now().UTC()}
		if ttl > 0 {
			t.Expires = t.Created.Add(ttl)
		}
		return append(tokens, t), token, nil
	})
}

// RevokeToken removes the named token.
func RevokeToken(dataDir, name string) error {
	_, err := withTokens(filepath.Join(dataDir, TokensFile), func(tokens []LocalToken) ([]LocalToken, string, error) {
		for i, t := range tokens {
			if t.Name == name {
				return append(tokens[:i], tokens[i+1:]...), "", nil
			}
		}
		return nil, "", fmt.Errorf("no token named %q", name)
	})
	return err
}

// ListTokens returns the stored tokens (hashes, never tokens).
func ListTokens(dataDir string) ([]LocalToken, error) {
	return readTokens(filepath.Join(dataDir, TokensFile))
}

func withTokens(path string, edit func([]LocalToken) ([]LocalToken, string, error)) (string, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", err
	}
	// An exclusive lock on a side file serializes concurrent `hoard token` commands;
	// the daemon never takes it, it only reads the atomically replaced file.
	lock, err := os.OpenFile(path+".lock", os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return "", err
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return "", err
	}
	tokens, err := readTokens(path)
	if err != nil {
		return "", err
	}
	tokens, out, err := edit(tokens)
	if err != nil {
		return "", err
	}
	return out, writeTokens(path, tokens)
}
