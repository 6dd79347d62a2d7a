//go:build !unix

package cache

import "time"

// processCPU is unknown here; cpuGauge.idle then never holds.
func processCPU() time.Duration { return cpuUnknown }
