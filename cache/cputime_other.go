//go:build !unix

package cache

import "time"

// processCPU is unknown here; sleptIdle then never finds the CPU idle.
func processCPU() time.Duration { return cpuUnknown }
