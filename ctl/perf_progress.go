package ctl

import (
	"fmt"
	"strings"
	"sync/atomic"
	"time"
)

// progressInterval is how often the progress bar is redrawn.
const progressInterval = 200 * time.Millisecond

// startProgress draws a progress bar on stderr while check perf runs, only
// when stderr is a terminal (so scripts and --json output stay clean). The
// returned function stops it and erases the line.
func (r *runner) startProgress(cfg perfConfig, start time.Time, done *atomic.Int64) func() {
	if !isTerminal(r.Stderr) {
		return func() {}
	}
	stop, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		tick := time.NewTicker(progressInterval)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				fmt.Fprint(r.Stderr, "\r\033[K")
				return
			case <-tick.C:
				fmt.Fprint(r.Stderr, "\r"+progressLine(cfg, time.Since(start), done.Load()))
			}
		}
	}()
	return func() {
		close(stop)
		<-stopped
	}
}

// progressLine is e.g. "[=========>          ]  45%  12345 ops  2469 ops/s".
func progressLine(cfg perfConfig, elapsed time.Duration, ops int64) string {
	frac := 0.0
	if cfg.count > 0 {
		frac = float64(ops) / float64(cfg.count)
	} else {
		frac = elapsed.Seconds() / cfg.duration.Seconds()
	}
	frac = min(max(frac, 0), 1)
	const width = 30
	filled := int(frac * width)
	bar := strings.Repeat("=", filled)
	if filled < width {
		bar += ">" + strings.Repeat(" ", width-filled-1)
	}
	rate := 0.0
	if s := elapsed.Seconds(); s > 0 {
		rate = float64(ops) / s
	}
	return fmt.Sprintf("[%s] %3.0f%% %8d ops %8.0f ops/s", bar, frac*100, ops, rate)
}
