package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
)

// adminFlags are how warm, export and import reach the daemon's admin API.
type adminFlags struct {
	url, token string
}

func (a *adminFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&a.url, "admin", "http://127.0.0.1:8081", "the daemon's admin API (its admin.listen)")
	fs.StringVar(&a.token, "admin-token", "", "the admin token (admin.token), if the daemon has one")
}

// request sends one request to the admin API; a status other than 200 is an error
// carrying the daemon's reason.
func (a adminFlags) request(ctx context.Context, method, path string, body io.Reader, header http.Header) (*http.Response, error) {
	resp, err := a.send(ctx, method, path, body, header)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		defer resp.Body.Close()
		return nil, adminError(resp)
	}
	return resp, nil
}

// send is request that leaves the status to the caller.
func (a adminFlags) send(ctx context.Context, method, path string, body io.Reader, header http.Header) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimSuffix(a.url, "/")+path, body)
	if err != nil {
		return nil, err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if a.token != "" {
		req.Header.Set("Authorization", "Bearer "+a.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("the daemon's admin API at %s: %w (is hoard serve running, with admin.listen there?)", a.url, err)
	}
	return resp, nil
}

func adminError(resp *http.Response) error {
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	var e struct {
		Error string `json:"error"`
	}
	if json.Unmarshal(b, &e) == nil && e.Error != "" {
		return fmt.Errorf("%s", e.Error)
	}
	return fmt.Errorf("the admin API answered %s: %s", resp.Status, strings.TrimSpace(string(b)))
}

// parseFlagsAndArgs is parseFlags for commands that take words too (files): flags
// may come before, between or after them.
func parseFlagsAndArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	if wantsHelp(args) {
		fs.SetOutput(os.Stdout)
	}
	fs.Usage = printUsage(fs)
	var words []string
	for {
		if err := fs.Parse(args); err != nil {
			if err == flag.ErrHelp {
				return nil, errHelpShown
			}
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			break
		}
		if args[0] == "--" {
			words = append(words, args[1:]...)
			break
		}
		words = append(words, args[0])
		args = args[1:]
	}
	return words, applyEnv(fs, os.LookupEnv)
}
