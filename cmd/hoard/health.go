package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"net/http"
	"time"
)

// health asks a running daemon for /healthz and fails unless it answers 200. It is
// the container image's HEALTHCHECK: a scratch image has no shell, curl or wget.
func health(args []string) error {
	fs := flag.NewFlagSet("health", flag.ContinueOnError)
	listen := fs.String("listen", ":8080", "the daemon's listen address; the check goes to its loopback side")
	url := fs.String("url", "", "the URL to check instead (default: http://LISTEN/healthz, on 127.0.0.1 for a wildcard host)")
	timeout := fs.Duration("timeout", 3*time.Second, "how long to wait for the answer")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	target := *url
	if target == "" {
		u, err := healthURL(*listen)
		if err != nil {
			return err
		}
		target = u
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return fmt.Errorf("health: %v", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("health: %s: %v", target, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("health: %s answered %s", target, resp.Status)
	}
	return nil
}

// healthURL is /healthz at a listen address; a wildcard host is reached on loopback.
func healthURL(listen string) (string, error) {
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return "", fmt.Errorf("health: --listen %q is not host:port", listen)
	}
	switch host {
	case "", "0.0.0.0":
		host = "127.0.0.1"
	case "::":
		host = "::1"
	}
	return "http://" + net.JoinHostPort(host, port) + "/healthz", nil
}
