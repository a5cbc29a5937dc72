package main

import (
	"fmt"
	"io"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/stationbench/stationbench/internal/runner"
	"github.com/stationbench/stationbench/report"
	"github.com/stationbench/stationbench/result"
)

// progress shows a run's progress: a bar per step on a terminal, plain
// lines otherwise.
type progress struct {
	w     io.Writer
	tty   bool
	bar   *progressbar.ProgressBar
	lastS time.Duration // plain mode: elapsed at the last line
}

func newProgress(w io.Writer, tty bool) *progress { return &progress{w: w, tty: tty} }

func stepName(s runner.StepInfo) string {
	name := fmt.Sprintf("[%d/%d] %s producers=%d", s.Index, s.Total, s.Target, s.Step.Producers)
	if s.Step.Rate > 0 {
		name += fmt.Sprintf(" rate=%.0f/s", s.Step.Rate)
	}
	if s.Repeats > 1 {
		name += fmt.Sprintf(" repeat=%d/%d", s.Repeat, s.Repeats)
	}
	return name
}

func (p *progress) StepStarted(s runner.StepInfo) {
	p.lastS = 0
	if !p.tty {
		fmt.Fprintf(p.w, "%s: started (warmup %s, measure %s)\n", stepName(s), s.Warmup, s.Duration)
		return
	}
	total := (s.Warmup + s.Duration).Milliseconds()
	p.bar = progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(p.w),
		progressbar.OptionSetDescription(stepName(s)),
		progressbar.OptionSetWidth(24),
		progressbar.OptionThrottle(200*time.Millisecond),
		progressbar.OptionSetPredictTime(false),
		progressbar.OptionShowDescriptionAtLineEnd(),
	)
}

func (p *progress) Tick(s runner.StepInfo, t runner.Tick) {
	phase := "measure"
	if t.Elapsed < s.Warmup {
		phase = "warmup"
	}
	if !p.tty {
		if t.Elapsed-p.lastS >= 5*time.Second {
			p.lastS = t.Elapsed
			fmt.Fprintf(p.w, "%s: %s %s, %.0f msgs/s\n", stepName(s), phase, t.Elapsed.Truncate(time.Second), t.MsgsPerSec)
		}
		return
	}
	p.bar.Describe(fmt.Sprintf("%s %s %.0f msgs/s", stepName(s), phase, t.MsgsPerSec))
	_ = p.bar.Set64(min(t.Elapsed.Milliseconds(), (s.Warmup + s.Duration).Milliseconds()))
}

func (p *progress) StepFinished(s runner.StepInfo, r result.Run) {
	if p.bar != nil {
		_ = p.bar.Finish()
		_ = p.bar.Exit()
		p.bar = nil
		fmt.Fprintln(p.w)
	}
	line := fmt.Sprintf("%s: %.0f msgs/s, p50 %s, p99 %s, errors %d", stepName(s),
		r.ThroughputMsgsPerSec, report.FormatLatencyUs(r.LatencyUs.P50), report.FormatLatencyUs(r.LatencyUs.P99), r.Errors)
	if r.Status != result.StatusComplete {
		line += fmt.Sprintf(" [%s: %s]", r.Status, r.Error)
	}
	fmt.Fprintln(p.w, line)
}
