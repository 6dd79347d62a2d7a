package harness

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Proc is a server process the harness started. Only processes started here are
// ever signalled, by their own PID.
type Proc struct {
	Name    string
	cmd     *exec.Cmd
	LogPath string
	exited  chan struct{}
}

// start runs bin with args, stdout and stderr appended to logPath.
func start(name, logPath, bin string, args []string, env []string) (*Proc, error) {
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.Env = append(os.Environ(), env...)
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &Proc{Name: name, cmd: cmd, LogPath: logPath, exited: make(chan struct{})}
	go func() { cmd.Wait(); logf.Close(); close(p.exited) }()
	return p, nil
}

// PID is the process id (for nginx, the master's).
func (p *Proc) PID() int { return p.cmd.Process.Pid }

// Exited reports whether the process has ended.
func (p *Proc) Exited() bool {
	select {
	case <-p.exited:
		return true
	default:
		return false
	}
}

// Stop sends SIGTERM (SIGQUIT for nginx's graceful stop is not needed: TERM is a
// fast shutdown), then SIGKILL after 10 s, and waits.
func (p *Proc) Stop() {
	if p == nil || p.Exited() {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
}

// Tail returns the last n lines of the process's log, for error messages.
func (p *Proc) Tail(n int) string {
	b, err := os.ReadFile(p.LogPath)
	if err != nil {
		return err.Error()
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// tree is pid and all its descendants (nginx's workers, say), found by scanning
// /proc for parent ids.
func tree(pid int) []int {
	children := map[int][]int{}
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		id, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if pp, ok := ppid(id); ok {
			children[pp] = append(children[pp], id)
		}
	}
	out := []int{pid}
	for i := 0; i < len(out); i++ {
		out = append(out, children[out[i]]...)
	}
	return out
}

// statFields returns the fields of /proc/PID/stat after the command name.
func statFields(pid int) ([]string, bool) {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return nil, false
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return nil, false
	}
	return strings.Fields(string(b[i+1:])), true
}

func ppid(pid int) (int, bool) {
	f, ok := statFields(pid)
	if !ok || len(f) < 2 {
		return 0, false
	}
	v, err := strconv.Atoi(f[1])
	return v, err == nil
}

// clockTick is USER_HZ, 100 on every Linux this runs on.
const clockTick = 100

// CPUSeconds is user+system time consumed so far by pid and its descendants
// (living ones: a worker that exited takes its time with it, which nginx's
// workers do not do while it runs).
func CPUSeconds(pid int) float64 {
	var ticks int64
	for _, id := range tree(pid) {
		f, ok := statFields(id)
		if !ok || len(f) < 13 {
			continue
		}
		// After the name: state(0) ppid(1) ... utime(11) stime(12).
		u, _ := strconv.ParseInt(f[11], 10, 64)
		s, _ := strconv.ParseInt(f[12], 10, 64)
		ticks += u + s
	}
	return float64(ticks) / clockTick
}

// ResetPeakRSS makes VmHWM start again from the current RSS, for pid and its
// descendants (writing 5 to clear_refs; Linux 4.0 and later).
func ResetPeakRSS(pid int) error {
	var errs []error
	for _, id := range tree(pid) {
		if err := os.WriteFile(filepath.Join("/proc", strconv.Itoa(id), "clear_refs"), []byte("5"), 0); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// PeakRSS is the sum of VmHWM over pid and its descendants, in bytes: an upper
// bound of their peak together (pages they share are counted once per process).
func PeakRSS(pid int) int64 {
	var total int64
	for _, id := range tree(pid) {
		total += statusKB(id, "VmHWM") << 10
	}
	return total
}

// RSS is the sum of VmRSS over pid and its descendants, in bytes.
func RSS(pid int) int64 {
	var total int64
	for _, id := range tree(pid) {
		total += statusKB(id, "VmRSS") << 10
	}
	return total
}

func statusKB(pid int, field string) int64 {
	f, err := os.Open(filepath.Join("/proc", strconv.Itoa(pid), "status"))
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, val, ok := strings.Cut(sc.Text(), ":")
		if ok && name == field {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(val), " kB"), 10, 64)
			return kb
		}
	}
	return 0
}

// RSSSplit is the sum over pid and its descendants of anonymous resident memory
// (heap, stacks: what the process itself allocated) and of file-backed and
// shared resident memory (mapped files such as badger's tables, which the kernel
// can reclaim), in bytes.
func RSSSplit(pid int) (anon, file int64) {
	for _, id := range tree(pid) {
		anon += statusKB(id, "RssAnon") << 10
		file += (statusKB(id, "RssFile") + statusKB(id, "RssShmem")) << 10
	}
	return anon, file
}

// anonSampler records the largest anonymous RSS of a process tree, sampled
// every 50 ms until stopped (VmHWM does not tell anonymous from file-backed).
type anonSampler struct {
	stop chan struct{}
	done chan int64
}

func sampleAnon(pid int) *anonSampler {
	s := &anonSampler{stop: make(chan struct{}), done: make(chan int64, 1)}
	go func() {
		var peak int64
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			a, _ := RSSSplit(pid)
			peak = max(peak, a)
			select {
			case <-s.stop:
				a, _ := RSSSplit(pid)
				s.done <- max(peak, a)
				return
			case <-t.C:
			}
		}
	}()
	return s
}

// Peak stops the sampling and returns the largest anonymous RSS seen.
func (s *anonSampler) Peak() int64 {
	close(s.stop)
	return <-s.done
}
